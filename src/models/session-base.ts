/**
 * A tracked channel's state: its latest headers, times, flags and waiters.
 * Call control lives in Session (session.ts), which extends this.
 *
 * Memory is kept small on purpose (a load test tracks tens of thousands of
 * sessions): no event history, only the latest event that carries the
 * channel's variables (`full`) and, when a leaner event came after it (e.g.
 * DTMF, CHANNEL_STATE), that one too (`lean`). `get()` reads the lean one
 * first. Once a session has been quiet for a while the listener compacts it:
 * the events' headers are decoded once into a single string (HeaderText) and
 * the events, with their indexes and buffers, are let go.
 *
 * EslEvent decodes lazily, but looking up a header an event lacks costs a
 * pass over all its headers: the model asks for headers events carry, and
 * reads the app id only when an app needs it.
 */

import { DisconnectedError, TimeoutError } from '../errors.js';
import type { EslEvent } from '../protocol/event.js';
import type { Call } from './call.js';
import type { SessionContext } from './commands.js';
import { APP_ID_HEADER, DEFAULT_APP_ID } from '../app.js';
import { eventKey, eventTimeMs } from './event-util.js';
import { HeaderText } from './header-text.js';

/**
 * Events switch_channel_event_set_data() fills with the channel's variables
 * (switch_channel.c); others (CHANNEL_STATE, CODEC, DTMF, ...) carry only the
 * basic channel headers.
 */
const FULL_EVENTS: ReadonlySet<string> = new Set([
  'CHANNEL_CREATE',
  'CHANNEL_ORIGINATE',
  'CHANNEL_ANSWER',
  'CHANNEL_PARK',
  'CHANNEL_UNPARK',
  'CHANNEL_HANGUP',
  'CHANNEL_HANGUP_COMPLETE',
  'CHANNEL_DESTROY',
  'CHANNEL_EXECUTE',
  'CHANNEL_EXECUTE_COMPLETE',
  'CHANNEL_BRIDGE',
  'CHANNEL_UNBRIDGE',
  'CHANNEL_PROGRESS',
  'CHANNEL_PROGRESS_MEDIA',
  'CHANNEL_UUID',
  'CHANNEL_DATA',
  'CHANNEL_HOLD',
  'CHANNEL_UNHOLD',
  'CALL_UPDATE',
  'PLAYBACK_START',
  'PLAYBACK_STOP',
  'RECORD_START',
  'RECORD_STOP',
]);

export interface WaitOptions {
  /** Milliseconds; rejects with TimeoutError after. */
  readonly timeout?: number;
  readonly signal?: AbortSignal;
}

export interface SessionTimes {
  /** Milliseconds since the epoch (FreeSWITCH's Event-Date-Timestamp). */
  readonly created: number;
  readonly answered: number | undefined;
  readonly hungup: number | undefined;
}

export interface Expectation {
  readonly promise: Promise<EslEvent>;
  /** Stops waiting: the promise rejects with `error`. */
  cancel(error: unknown): void;
}

function settled(promise: Promise<EslEvent>): Expectation {
  return { promise, cancel: () => {} };
}

interface Waiter {
  readonly match: (event: EslEvent) => boolean;
  readonly what: string;
  readonly resolve: (event: EslEvent) => void;
  readonly reject: (error: unknown) => void;
}

export class SessionBase {
  readonly uuid: string;
  /** The call this session belongs to (set by the listener). */
  call: Call | undefined;
  protected readonly ctx: SessionContext;
  #full: EslEvent | undefined;
  #lean: EslEvent | undefined;
  #text: HeaderText | undefined;
  readonly #created: number;
  #answeredAt: number | undefined;
  #hungupAt: number | undefined;
  #answered = false;
  #hungup = false;
  #hangupCause: string | undefined;
  #closedReason: string | undefined;
  #waiters: Waiter[] | undefined;
  #vars: Record<string, unknown> | undefined;
  #appId: string | undefined;

  constructor(uuid: string, first: EslEvent, ctx: SessionContext) {
    this.uuid = uuid;
    this.ctx = ctx;
    this.#created = eventTimeMs(first);
    this.#store(first);
  }

  /** The latest value FreeSWITCH sent for this header (`variable_*` for channel variables). */
  get(header: string): string | undefined {
    const lean = this.#lean?.get(header);
    if (lean !== undefined) return lean;
    return this.#full !== undefined ? this.#full.get(header) : this.#text?.get(header);
  }

  /**
   * The app group whose callbacks receive this session's events
   * (APP_ID_HEADER, else the default group). Read when first needed, and
   * again after the next full event when it was not found (a session adopted
   * from `show channels` learns it from its first real event).
   */
  get appId(): string {
    if (this.#appId === undefined) {
      const found = this.get(APP_ID_HEADER);
      if (found) {
        this.#appId = found;
        return found;
      }
      this.#appId = '';
    }
    return this.#appId === '' ? DEFAULT_APP_ID : this.#appId;
  }

  /** Scratch space for apps (never sent to FreeSWITCH). */
  get vars(): Record<string, unknown> {
    this.#vars ??= {};
    return this.#vars;
  }

  get times(): SessionTimes {
    return { created: this.#created, answered: this.#answeredAt, hungup: this.#hungupAt };
  }

  get answered(): boolean {
    return this.#answered;
  }

  get hungup(): boolean {
    return this.#hungup;
  }

  /** Hangup-Cause once hung up (`NORMAL_CLEARING`, `USER_BUSY`, ...). */
  get hangupCause(): string | undefined {
    return this.#hangupCause;
  }

  /** Why the session stopped being tracked (`destroyed`, or a resync/close reason). */
  get closedReason(): string | undefined {
    return this.#closedReason;
  }

  get direction(): 'inbound' | 'outbound' | undefined {
    const d = this.get('Call-Direction');
    return d === 'inbound' || d === 'outbound' ? d : undefined;
  }

  /**
   * Resolves with the next event of this name (`CHANNEL_ANSWER`, or a CUSTOM
   * subclass like `mod_bert::lost_sync`) for this session. The event must be
   * subscribed: the listener subscribes the model's events, apps' events and,
   * best effort, any event waited for.
   */
  waitFor(eventName: string, options: WaitOptions = {}): Promise<EslEvent> {
    this.ctx.wantEvent?.(eventName);
    return this.waitUntil((event) => eventKey(event) === eventName || event.name === eventName, eventName, options);
  }

  /** Waits for the first event `match` accepts. */
  protected waitUntil(match: (event: EslEvent) => boolean, what: string, options: WaitOptions): Promise<EslEvent> {
    return this.expect(match, what, options).promise;
  }

  /** Like waitUntil, with a way to stop waiting (e.g. when the command that should cause the event fails). */
  protected expect(match: (event: EslEvent) => boolean, what: string, options: WaitOptions): Expectation {
    if (this.#closedReason !== undefined) return settled(Promise.reject(this.#endedError(what)));
    const { timeout, signal } = options;
    if (signal?.aborted) return settled(Promise.reject(signal.reason));
    let waiter!: Waiter;
    const promise = new Promise<EslEvent>((resolve, reject) => {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const cleanup = (): void => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        this.#removeWaiter(waiter);
      };
      waiter = {
        match,
        what,
        resolve: (event) => {
          cleanup();
          resolve(event);
        },
        reject: (error) => {
          cleanup();
          reject(error);
        },
      };
      const onAbort = (): void => waiter.reject(signal?.reason);
      if (timeout !== undefined) {
        timer = setTimeout(() => {
          waiter.reject(new TimeoutError(`${what} not received for session ${this.uuid} within ${timeout} ms`, timeout));
        }, timeout);
      }
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#waiters ??= [];
      this.#waiters.push(waiter);
    });
    return { promise, cancel: (error) => waiter.reject(error) };
  }

  /** @internal The listener feeds every event about this channel here. */
  update(event: EslEvent): void {
    this.#store(event);
    const waiters = this.#waiters;
    if (waiters === undefined) return;
    for (const waiter of [...waiters]) {
      if (waiter.match(event)) waiter.resolve(event);
    }
  }

  /**
   * @internal Keeps the latest headers as one decoded string instead of the
   * events (the listener calls this once the session has been quiet).
   */
  compact(): void {
    if (this.#full === undefined && this.#lean === undefined) return;
    const events = this.#full === undefined ? [this.#lean!] : this.#lean === undefined ? [this.#full] : [this.#full, this.#lean];
    this.#text = new HeaderText(events, this.#full === undefined ? this.#text : undefined);
    this.#full = undefined;
    this.#lean = undefined;
  }

  /** @internal How the latest headers are held: as events, or compacted. */
  get retained(): 'events' | 'text' | 'none' {
    if (this.#full !== undefined || this.#lean !== undefined) return 'events';
    return this.#text === undefined ? 'none' : 'text';
  }

  /** @internal CHANNEL_ANSWER (or a resync that found the channel answered). */
  markAnswered(at: number | undefined): void {
    if (this.#answered) return;
    this.#answered = true;
    this.#answeredAt = at;
  }

  /** @internal CHANNEL_HANGUP; returns false when already hung up. */
  markHungup(cause: string | undefined, at: number): boolean {
    if (this.#hungup) return false;
    this.#hungup = true;
    this.#hungupAt = at;
    this.#hangupCause = cause;
    return true;
  }

  /**
   * @internal The session is no longer tracked: pending waits reject with a
   * DisconnectedError naming the reason.
   */
  close(reason: string): void {
    if (this.#closedReason !== undefined) return;
    this.#closedReason = reason;
    this.#hungup = true;
    this.#hungupAt ??= Date.now();
    const waiters = this.#waiters;
    this.#waiters = undefined;
    for (const waiter of waiters ?? []) waiter.reject(this.#endedError(waiter.what));
  }

  #endedError(what: string): DisconnectedError {
    return new DisconnectedError(`session ${this.uuid} ended (${this.#closedReason}) before ${what}`, 'closed');
  }

  #store(event: EslEvent): void {
    if (FULL_EVENTS.has(event.name)) {
      this.#full = event;
      this.#lean = undefined;
      this.#text = undefined;
      if (this.#appId === '') this.#appId = undefined;
    } else {
      this.#lean = event;
    }
  }

  #removeWaiter(waiter: Waiter): void {
    const waiters = this.#waiters;
    if (waiters === undefined) return;
    const i = waiters.indexOf(waiter);
    if (i >= 0) waiters.splice(i, 1);
    if (waiters.length === 0) this.#waiters = undefined;
  }
}
