/**
 * The lifecycle half of a Connection: opening a socket (a Link) and
 * authenticating within a deadline, the reply queue, losing a link and saying
 * why, reconnecting with backoff, liveness, close. What is said on the wire
 * once a link exists (auth, replies, events, commands) is in connection.ts.
 *
 * Commands sent while connecting wait and are written, in call order, once
 * authenticated. With `reconnect` on, commands sent while reconnecting wait
 * too, at most `offlineQueueTimeoutMs`; with it off they reject at once.
 */

import { EventEmitter } from 'eventemitter3';
import { type Logger, pino } from 'pino';
import { type DisconnectReason, DisconnectedError, TimeoutError } from '../errors.js';
import { encodeExit } from '../protocol/commands.js';
import type { Frame } from '../protocol/frame.js';
import { type BackoffPolicy, backoffDelay, resolveBackoff } from './backoff.js';
import { Link, type LinkHooks } from './link.js';
import { LivenessMonitor } from './liveness.js';
import { checkOptions } from './options.js';
import { describeCommand } from './redact.js';
import { type PendingCommand, ReplyQueue } from './reply-queue.js';
import { Subscriptions } from './subscriptions.js';
import { tcpTransport, type Transport } from './transport.js';
import type { ConnectionEvents, ConnectionOptions, ConnectionState, DisconnectInfo } from './types.js';

/** Frames/s beyond which a socket closed without notice is blamed on FreeSWITCH dropping a slow listener. */
const HIGH_EVENT_RATE = 2000;
/** How long after `lagging` a close without notice is still blamed on falling behind. */
const LAG_MEMORY_MS = 30_000;

export abstract class ConnectionLifecycle extends EventEmitter<ConnectionEvents> {
  readonly host: string;
  readonly port: number;
  protected readonly logger: Logger;
  protected readonly queue = new ReplyQueue();
  protected subs = new Subscriptions();
  protected link: Link | undefined;
  readonly #transport: Transport;
  readonly #backoff: BackoffPolicy | undefined;
  readonly #connectTimeoutMs: number;
  readonly #livenessTimeoutMs: number;
  readonly #offlineQueueTimeoutMs: number;
  readonly #closeTimeoutMs: number;
  readonly #linkOptions: { sliceMs: number; lagThreshold: number };
  readonly #debug: boolean;
  #state: ConnectionState = { status: 'closed' };
  #liveness: LivenessMonitor | undefined;
  #connecting: Promise<void> | undefined;
  #closing: Promise<void> | undefined;
  #sleepTimer: ReturnType<typeof setTimeout> | undefined;
  #wake: (() => void) | undefined;
  #lastLagAt = Number.NEGATIVE_INFINITY;
  #reconnectWaiters: { resolve: () => void; reject: (error: Error) => void }[] = [];

  constructor(options: ConnectionOptions) {
    super();
    const timings = checkOptions(options);
    this.host = options.host;
    this.port = options.port;
    this.logger = (options.logger ?? pino({ level: 'silent' })).child({ host: options.host, port: options.port });
    this.#debug = this.logger.isLevelEnabled('debug');
    this.#transport = options.transport ?? tcpTransport();
    this.#backoff = resolveBackoff(options.reconnect);
    this.#connectTimeoutMs = timings.connectTimeoutMs;
    this.#livenessTimeoutMs = timings.livenessTimeoutMs;
    this.#offlineQueueTimeoutMs = timings.offlineQueueTimeoutMs;
    this.#closeTimeoutMs = timings.closeTimeoutMs;
    this.#linkOptions = { sliceMs: timings.dispatchSliceMs, lagThreshold: timings.lagThreshold };
  }

  /** What the wire says happens on a link: auth, replies, events. Must not throw. */
  protected abstract dispatch(link: Link, frame: Frame): void;
  /** Provoke a reply on an idle link (liveness). */
  protected abstract probe(link: Link): void;

  get state(): ConnectionState {
    return this.#state;
  }

  protected get where(): string {
    return `${this.host}:${this.port}`;
  }

  /** True once close() was called (until the next connect()). */
  protected get closing(): boolean {
    return this.#closing !== undefined;
  }

  /** Connects and authenticates. Resolves on `+OK accepted`; never retried, even with `reconnect`. */
  connect(): Promise<void> {
    if (this.#state.status === 'connected') return Promise.resolve();
    if (this.#connecting !== undefined) return this.#connecting;
    if (this.#state.status === 'reconnecting') return this.#untilReconnected();
    if (this.#closing !== undefined) {
      if (this.link !== undefined) return Promise.reject(new DisconnectedError(`connection to ${this.where} is closing`, 'closed'));
      this.#closing = undefined;
    }
    this.#state = { status: 'connecting', since: Date.now() };
    this.#connecting = this.#open().then(
      (link) => {
        this.#connecting = undefined;
        this.#establish(link);
      },
      (error: Error) => {
        this.#connecting = undefined;
        this.#becomeClosed(error instanceof DisconnectedError ? error.reason : 'socket', error);
        throw error;
      },
    );
    return this.#connecting;
  }

  /** Sends `exit`, waits briefly for FreeSWITCH to hang up, then destroys the socket. Idempotent. */
  close(): Promise<void> {
    this.#closing ??= this.#shutDown();
    return this.#closing;
  }

  async #shutDown(): Promise<void> {
    this.#cancelSleep();
    const link = this.link;
    if (link !== undefined && link.phase === 'ready' && !link.lost) {
      // Commands already sent get their replies first: exit is answered last.
      this.enqueue(encodeExit(), true).catch(() => undefined);
      let timer: ReturnType<typeof setTimeout> | undefined;
      const timeout = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, this.#closeTimeoutMs);
      });
      await Promise.race([link.gone, timeout]);
      clearTimeout(timer);
    }
    link?.abort('closed');
    this.#becomeClosed('closed', new DisconnectedError(`connection to ${this.where} closed`, 'closed'));
    this.subs = new Subscriptions();
  }

  /** Opens a link and authenticates; after a reconnect also waits for the restored subscriptions. */
  async #open(): Promise<Link> {
    const controller = new AbortController();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        const error = new TimeoutError(`connecting to ${this.where} timed out after ${this.#connectTimeoutMs} ms`, this.#connectTimeoutMs);
        controller.abort(error);
        reject(error);
      }, this.#connectTimeoutMs);
    });
    timedOut.catch(() => undefined);
    let link: Link | undefined;
    try {
      const opening = this.#transport.connect(this.host, this.port, controller.signal);
      // A transport that ignores the abort must not leak its late socket.
      opening.then((socket) => controller.signal.aborted && socket.destroy(), () => undefined);
      const socket = await Promise.race([opening, timedOut]).catch((error: Error) => {
        if (error instanceof TimeoutError) throw error;
        throw new DisconnectedError(`cannot connect to ${this.where}: ${error.message}`, 'socket', { cause: error });
      });
      if (this.#closing !== undefined) {
        socket.destroy();
        throw new DisconnectedError(`connection to ${this.where} closed while connecting`, 'closed');
      }
      link = new Link(socket, this.#hooks, this.#linkOptions);
      this.link = link;
      await Promise.race([link.authenticated, timedOut]);
      await Promise.race([link.restored, timedOut]);
      return link;
    } catch (error) {
      link?.abort(error instanceof DisconnectedError ? error.reason : 'socket', error as Error);
      throw error;
    } finally {
      clearTimeout(timer);
    }
  }

  #establish(link: Link): void {
    if (link.lost || link !== this.link) {
      throw new DisconnectedError(`connection to ${this.where} lost while connecting (${link.lossReason})`, link.lossReason ?? 'socket');
    }
    link.established = true;
    this.#state = { status: 'connected', since: Date.now() };
    this.#startLiveness(link);
    this.logger.info('connected');
    for (const waiter of this.#reconnectWaiters.splice(0)) waiter.resolve();
    this.emit('connected');
  }

  #becomeClosed(reason: DisconnectReason, error: Error): void {
    this.#state = { status: 'closed', reason, error };
    const rejection = error instanceof DisconnectedError ? error : new DisconnectedError(error.message, reason, { cause: error });
    this.queue.rejectAll(rejection);
    for (const waiter of this.#reconnectWaiters.splice(0)) waiter.reject(rejection);
  }

  readonly #hooks: LinkHooks = {
    frame: (link, frame) => {
      if (link === this.link) this.dispatch(link, frame);
    },
    lost: (link, reason, cause) => this.#onLost(link, reason, cause),
    bytes: (now) => this.#liveness?.touch(now),
    lagging: (link, backlog) => this.#onLagging(link, backlog),
  };

  #onLost(link: Link, reason: DisconnectReason, cause: Error | undefined): void {
    if (link !== this.link) return;
    this.link = undefined;
    this.#liveness?.stop();
    this.#liveness = undefined;
    const why = this.#closing !== undefined ? 'closed' : reason;
    const fellBehind = why === 'socket' && this.#looksDropped(link);
    const error = this.#lossError(why, cause, fellBehind, link);
    this.queue.rejectWritten(error);
    if (!link.established) return; // a failed attempt: whoever opened it reports the failure
    const info: DisconnectInfo = fellBehind ? { reason: why, error, fellBehind } : { reason: why, error };
    if (why === 'closed') this.logger.info({ reason: why }, 'disconnected');
    else if (fellBehind) this.logger.error({ reason: why, rate: Math.round(link.frameRate) }, error.message);
    else this.logger.warn({ reason: why, err: cause }, 'disconnected');
    if (why !== 'closed' && this.#backoff !== undefined) {
      this.#state = { status: 'reconnecting', since: Date.now(), attempt: 0 };
      this.emit('disconnected', info);
      void this.#reconnect(this.#backoff, error);
      return;
    }
    this.#becomeClosed(why, error);
    this.emit('disconnected', info);
  }

  #lossError(reason: DisconnectReason, cause: Error | undefined, fellBehind: boolean, link: Link): DisconnectedError {
    if (cause instanceof DisconnectedError && cause.reason === reason) return cause;
    const options = cause === undefined ? undefined : { cause };
    if (fellBehind) {
      const message =
        `${this.where} closed the socket without a disconnect notice while events arrived at ~${Math.round(link.frameRate)}/s: ` +
        'FreeSWITCH probably killed this listener for falling behind (its per-listener event queue overflowed)';
      return new DisconnectedError(message, reason, options);
    }
    const detail: Record<DisconnectReason, string> = {
      closed: 'connection closed',
      notice: 'FreeSWITCH sent a disconnect notice',
      socket: cause === undefined ? 'socket closed by the peer' : `socket error: ${cause.message}`,
      silence: `no bytes for ${this.#livenessTimeoutMs} ms`,
      protocol: `unparseable bytes: ${cause?.message ?? 'protocol error'}`,
    };
    return new DisconnectedError(`disconnected from ${this.where}: ${detail[reason]}`, reason, options);
  }

  #looksDropped(link: Link): boolean {
    return Date.now() - this.#lastLagAt < LAG_MEMORY_MS || link.frameRate >= HIGH_EVENT_RATE;
  }

  #onLagging(link: Link, backlog: number): void {
    if (link !== this.link) return;
    this.#lastLagAt = Date.now();
    this.logger.warn({ backlog }, 'event handlers are falling behind FreeSWITCH: %d frames waiting', backlog);
    this.emit('lagging', { backlog });
  }

  async #reconnect(policy: BackoffPolicy, cause: Error): Promise<void> {
    const since = Date.now();
    let lastError: Error = cause;
    for (let attempt = 1; attempt <= policy.maxAttempts; attempt++) {
      const delayMs = backoffDelay(policy, attempt);
      this.#state = { status: 'reconnecting', since, attempt };
      this.emit('reconnecting', { attempt, delayMs, error: lastError });
      await this.#sleep(delayMs);
      if (this.#closing !== undefined) return;
      try {
        const link = await this.#open();
        if (this.#closing !== undefined) return;
        this.#establish(link);
        const gapMs = Date.now() - since;
        this.logger.info({ gapMs, attempts: attempt }, 'reconnected');
        this.emit('reconnected', { gapMs, attempts: attempt });
        return;
      } catch (error) {
        lastError = error as Error;
        this.logger.warn({ attempt, err: lastError }, 'reconnect attempt failed');
        if (this.#closing !== undefined) return;
      }
    }
    const error = new DisconnectedError(`gave up reconnecting to ${this.where} after ${policy.maxAttempts} attempts`, 'socket', { cause: lastError });
    this.logger.error({ err: lastError }, error.message);
    this.#becomeClosed('socket', error);
    this.emit('reconnectFailed', { attempts: policy.maxAttempts, error });
  }

  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      this.#wake = resolve;
      this.#sleepTimer = setTimeout(resolve, ms);
    });
  }

  #cancelSleep(): void {
    clearTimeout(this.#sleepTimer);
    this.#wake?.();
    this.#wake = undefined;
  }

  /** For connect() called while reconnecting: settles with the reconnect's outcome or close(). */
  #untilReconnected(): Promise<void> {
    return new Promise((resolve, reject) => this.#reconnectWaiters.push({ resolve, reject }));
  }

  #startLiveness(link: Link): void {
    if (this.#livenessTimeoutMs <= 0) return;
    this.#liveness = new LivenessMonitor({
      timeoutMs: this.#livenessTimeoutMs,
      onProbe: () => this.probe(link),
      onSilence: (silentMs) => {
        this.logger.warn({ silentMs }, 'no bytes from FreeSWITCH: presuming the socket dead');
        link.abort('silence');
      },
    });
    this.#liveness.start();
  }

  /** Writes every queued command if the link is authenticated. */
  protected flush(link: Link): void {
    link.cork();
    this.queue.flush((bytes) => {
      if (this.#debug) this.logger.debug({ command: describeCommand(bytes) }, 'send');
      link.write(bytes);
    });
    link.uncork();
  }

  /** Queues one encoded command; resolves with its reply frame, whatever it says. */
  protected enqueue(bytes: Buffer, internal = false): Promise<Frame> {
    const refusal = this.#refusal(internal);
    if (refusal !== undefined) return Promise.reject(refusal);
    // Where the caller sent it from: a loss is noticed later in a socket callback, whose stack says nothing useful.
    const origin: { stack?: string } = {};
    if (!internal) Error.captureStackTrace(origin, this.enqueue);
    return new Promise<Frame>((resolve, reject) => {
      const command: PendingCommand = { bytes, resolve, reject: (error) => reject(fromCaller(error, origin)), internal };
      this.queue.push(command);
      const link = this.link;
      if (link !== undefined && link.phase === 'ready' && !link.lost) {
        this.flush(link);
      } else if (this.#state.status === 'reconnecting') {
        command.timer = setTimeout(() => {
          if (!this.queue.removeQueued(command)) return;
          reject(new DisconnectedError(`still reconnecting to ${this.where} after ${this.#offlineQueueTimeoutMs} ms`, 'socket'));
        }, this.#offlineQueueTimeoutMs);
      }
    });
  }

  #refusal(internal: boolean): DisconnectedError | undefined {
    if (this.#closing !== undefined && !internal) return new DisconnectedError(`connection to ${this.where} is closed`, 'closed');
    const state = this.#state;
    if (state.status !== 'closed') return undefined;
    const options = state.error === undefined ? undefined : { cause: state.error };
    return new DisconnectedError(`not connected to ${this.where}`, state.reason ?? 'closed', options);
  }
}

/** The same failure, carrying the stack of the call that sent the command. */
function fromCaller(error: Error, origin: { stack?: string }): Error {
  if (!(error instanceof DisconnectedError) || origin.stack === undefined) return error;
  const copy = new DisconnectedError(error.message, error.reason, error.cause === undefined ? undefined : { cause: error.cause });
  copy.stack = `${copy.name}: ${copy.message}\n${origin.stack.slice(origin.stack.indexOf('\n') + 1)}`;
  return copy;
}
