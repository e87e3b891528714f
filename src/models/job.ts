/**
 * A background job (`bgapi`): sent at once, settled by the BACKGROUND_JOB
 * event whose Job-UUID matches (mod_event_socket.c api_exec() fires it with
 * the command's output as body).
 *
 * A Job is a Promise (`await job`), like porsager/postgres's Query. It records
 * the caller's stack when it is created, so a JobError thrown seconds later
 * points at the line that started the job, not at the event loop.
 *
 *   pending ──BACKGROUND_JOB +OK──▶ done
 *      │ ────BACKGROUND_JOB -ERR──▶ failed (JobError keeps FreeSWITCH's text)
 *      │ ────bgapi refused / link lost──▶ failed (CommandError / DisconnectedError)
 *      │ ────deadline or result({ timeout })──▶ timeout (TimeoutError)
 *      └─────result({ signal }) aborted──▶ aborted (the signal's reason)
 *
 * Every transition out of `pending` is final and calls `onSettle` once, which
 * is how the listener drops the job from its map.
 */

import { JobError, TimeoutError } from '../errors.js';

export type JobState = 'pending' | 'done' | 'failed' | 'timeout' | 'aborted';

/** A job as the listener tracks it, whatever its value type. */
export interface TrackedJob {
  readonly uuid: string;
  readonly command: string;
  readonly sessUuid: string | undefined;
  readonly launchedAt: number;
  readonly state: JobState;
  readonly reply: string | undefined;
  complete(body: string): void;
  abandon(error: unknown): void;
}

export interface JobOptions<T> {
  /** The Job-UUID sent with `bgapi`. */
  readonly uuid: string;
  /** The command without the `bgapi ` prefix. */
  readonly command: string;
  /** The session this job creates or acts on (originate's `origination_uuid`). */
  readonly sessUuid?: string;
  /** Gives up after this long (state `timeout`). Default: never. */
  readonly timeoutMs?: number;
  /** Turns a successful BACKGROUND_JOB body into the job's value. */
  readonly parse?: (body: string) => T;
  /** Called once when the job leaves `pending`. */
  readonly onSettle?: (job: TrackedJob) => void;
  /** Stack frames above this function are left out of the recorded origin. */
  readonly caller?: (...args: never[]) => unknown;
}

export interface ResultOptions {
  /** Milliseconds to wait before the job is given up (state `timeout`). */
  readonly timeout?: number;
  /** Aborting gives the job up (state `aborted`). */
  readonly signal?: AbortSignal;
}

const noop = (): void => {};

/** Default value of a job: the body without FreeSWITCH's `+OK ` and trailing newline. */
export function parseJobBody(body: string): string {
  const text = body.trimEnd();
  return text.startsWith('+OK') ? text.slice(3).trimStart() : text;
}

export class Job<T = string> extends Promise<T> implements TrackedJob {
  // then/catch/finally build plain Promises: a Job is only ever made by its owner.
  static override get [Symbol.species](): PromiseConstructor {
    return Promise;
  }

  readonly uuid: string;
  readonly command: string;
  readonly sessUuid: string | undefined;
  /** `Date.now()` when the job was created (just before `bgapi` was sent). */
  readonly launchedAt: number;

  #state: JobState = 'pending';
  #reply: string | undefined;
  readonly #resolve: (value: T) => void;
  readonly #reject: (error: unknown) => void;
  readonly #parse: (body: string) => T;
  readonly #onSettle: ((job: TrackedJob) => void) | undefined;
  readonly #origin: { stack?: string };
  #timer: ReturnType<typeof setTimeout> | undefined;

  constructor(options: JobOptions<T>) {
    let resolve!: (value: T) => void;
    let reject!: (error: unknown) => void;
    super((res, rej) => {
      resolve = res;
      reject = rej;
    });
    this.#resolve = resolve;
    this.#reject = reject;
    this.uuid = options.uuid;
    this.command = options.command;
    this.sessUuid = options.sessUuid;
    this.launchedAt = Date.now();
    this.#parse = options.parse ?? (parseJobBody as (body: string) => T);
    this.#onSettle = options.onSettle;
    this.#origin = {};
    Error.captureStackTrace(this.#origin, options.caller ?? new.target);
    // A job nobody awaits must not crash the process when it fails: the
    // listener logs failures, and `await job` still rejects.
    Promise.prototype.then.call(this, undefined, noop);
    if (options.timeoutMs !== undefined && options.timeoutMs > 0) {
      const ms = options.timeoutMs;
      this.#timer = setTimeout(() => this.#giveUp(ms), ms);
      this.#timer.unref?.();
    }
  }

  get state(): JobState {
    return this.#state;
  }

  /** BACKGROUND_JOB's body once the job is done or failed by FreeSWITCH. */
  get reply(): string | undefined {
    return this.#reply;
  }

  /**
   * The job's value, waiting at most `timeout` ms and until `signal` aborts;
   * either gives the whole job up, so it also leaves the listener.
   */
  result(options: ResultOptions = {}): Promise<T> {
    const { timeout, signal } = options;
    if (this.#state !== 'pending' || (timeout === undefined && signal === undefined)) {
      return Promise.resolve(this);
    }
    if (signal?.aborted) {
      this.#abort(signal.reason);
      return Promise.resolve(this);
    }
    let timer: ReturnType<typeof setTimeout> | undefined;
    const onAbort = (): void => this.#abort(signal?.reason);
    if (timeout !== undefined) timer = setTimeout(() => this.#giveUp(timeout), timeout);
    signal?.addEventListener('abort', onAbort, { once: true });
    const cleanup = (): void => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    };
    return Promise.resolve(this).finally(cleanup);
  }

  /**
   * Settles the job from its BACKGROUND_JOB body (the listener calls this):
   * a body starting with `-` (`-ERR ...`, `-USAGE: ...`) fails it.
   */
  complete(body: string): void {
    if (this.#state !== 'pending') return;
    this.#reply = body;
    if (body.startsWith('-')) {
      this.#fail(new JobError(this.uuid, this.command, body), 'failed');
      return;
    }
    let value: T;
    try {
      value = this.#parse(body);
    } catch (error) {
      this.#fail(error, 'failed');
      return;
    }
    this.#finish('done');
    this.#resolve(value);
  }

  /** Fails the job without a BACKGROUND_JOB (bgapi refused, link lost, listener closed). */
  abandon(error: unknown): void {
    if (this.#state !== 'pending') return;
    this.#fail(error, 'failed');
  }

  #giveUp(ms: number): void {
    if (this.#state !== 'pending') return;
    this.#fail(new TimeoutError(`job ${this.uuid} (${firstWord(this.command)}) got no result within ${ms} ms`, ms), 'timeout');
  }

  #abort(reason: unknown): void {
    if (this.#state !== 'pending') return;
    this.#fail(reason ?? new Error('aborted'), 'aborted');
  }

  #fail(error: unknown, state: JobState): void {
    if (error instanceof Error) this.#pointAtCaller(error);
    this.#finish(state);
    this.#reject(error);
  }

  #finish(state: JobState): void {
    this.#state = state;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#onSettle?.(this);
  }

  /** Replaces the error's frames (the event loop) with the frames that created the job. */
  #pointAtCaller(error: Error): void {
    const origin = this.#origin.stack;
    if (origin === undefined) return;
    const frames = origin.slice(origin.indexOf('\n') + 1);
    error.stack = `${error.name}: ${error.message}\n${frames}`;
  }
}

function firstWord(command: string): string {
  const i = command.indexOf(' ');
  return i < 0 ? command : command.slice(0, i);
}
