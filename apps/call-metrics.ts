/**
 * CallMetrics: per-call rows and traffic figures from channel events (after
 * switchio's apps/measure/cdr.py), kept in a MetricsStore.
 *
 *   const metrics = new CallMetrics();
 *   await client.loadApp(metrics, { appId: 'load' });
 *   // ... calls come and go ...
 *   metrics.summary();   // offered, answered, failed, erlangs, setup latency p50/p95/p99
 *   metrics.toCsv();     // one row per call
 *
 * A call is measured on its first leg (the caller: the leg we originated, or
 * the one FreeSWITCH received): offered at its CHANNEL_CREATE, answered at
 * its CHANNEL_ANSWER, ended at its CHANNEL_HANGUP with its Hangup-Cause. The
 * other leg (the callee) adds its create and answer times, and the caller's
 * CHANNEL_ORIGINATE its originate time (switch_ivr_originate.c fires it when
 * the outgoing channel is requested). Times are FreeSWITCH's
 * Event-Date-Timestamp, so the figures do not depend on how fast events
 * travel to us.
 */

import {
  type App,
  type AppContext,
  type AppHandlers,
  type CallRow,
  type EslEvent,
  InvalidArgumentError,
  type MetricsJson,
  MetricsStore,
  type MetricsStoreOptions,
  type MetricsSummary,
  type ResyncResult,
  type Session,
} from 'switchyard';
import { eventTimeMs } from './shared.js';

export interface CallMetricsOptions {
  /** The store to fill (one that no one else offers calls into). Default a new one. */
  readonly store?: MetricsStore;
  /** Options of the store created when `store` is not given. */
  readonly storeOptions?: MetricsStoreOptions;
}

export interface CallMetricsRow extends CallRow {
  /** The caller's CHANNEL_ORIGINATE. */
  readonly originatedAt: number | undefined;
  readonly calleeCreatedAt: number | undefined;
  readonly calleeAnsweredAt: number | undefined;
  /** From the caller's creation to the callee's (the INVITE's way out and back, for a SIP self-loop). */
  readonly inviteMs: number | undefined;
  /** From the callee's answer to the caller's (the 200 OK's way back). */
  readonly answerLatencyMs: number | undefined;
  readonly durationMs: number | undefined;
}

/** A float column that doubles when full; NaN marks a missing time. */
class TimeColumn {
  #data = new Float64Array(256).fill(Number.NaN);

  set(i: number, value: number): void {
    if (i >= this.#data.length) {
      const grown = new Float64Array(Math.max(this.#data.length * 2, i + 1)).fill(Number.NaN);
      grown.set(this.#data);
      this.#data = grown;
    }
    this.#data[i] = value;
  }

  /** Sets the value only where none is yet (the first event wins). */
  setOnce(i: number, value: number): void {
    if (Number.isNaN(this.get(i) ?? Number.NaN)) this.set(i, value);
  }

  get(i: number): number | undefined {
    const v = i < this.#data.length ? this.#data[i]! : Number.NaN;
    return Number.isNaN(v) ? undefined : v;
  }
}

export class CallMetrics implements App {
  readonly name = 'CallMetrics';
  readonly handlers: AppHandlers;
  readonly store: MetricsStore;
  readonly #originated = new TimeColumn();
  readonly #calleeCreated = new TimeColumn();
  readonly #calleeAnswered = new TimeColumn();
  /** Row index and caller uuid of each call still up, by call id. */
  readonly #open = new Map<string, { readonly row: number; readonly caller: string }>();
  /** Rows the given store already held: this app's row i is the store's row #base + i. */
  readonly #base: number;
  #host = '';
  #unsubscribe: (() => void) | undefined;

  constructor(options: CallMetricsOptions = {}) {
    if (options.store !== undefined && options.storeOptions !== undefined) {
      throw new InvalidArgumentError('give either store or storeOptions, not both');
    }
    this.store = options.store ?? new MetricsStore(options.storeOptions ?? {});
    this.#base = this.store.size;
    this.handlers = {
      CHANNEL_CREATE: (session, event) => this.#onCreate(session, event),
      CHANNEL_ORIGINATE: (session, event) => this.#onOriginate(session, event),
      CHANNEL_ANSWER: (session, event) => this.#onAnswer(session, event),
      CHANNEL_HANGUP: (session, event) => this.#onHangup(session, event),
    };
  }

  setup(ctx: AppContext): void {
    this.#host = `${ctx.client.host}:${ctx.client.port}`;
    // A caller that vanished while the event socket was down sends no CHANNEL_HANGUP: the
    // listener's resync names it, and its call is marked lost rather than left up forever.
    const onResync = (result: ResyncResult): void => this.#onResync(result);
    ctx.listener.on('resynced', onResync);
    this.#unsubscribe = () => ctx.listener.off('resynced', onResync);
  }

  teardown(): void {
    this.#unsubscribe?.();
    this.#unsubscribe = undefined;
  }

  /** Calls offered and not yet hung up. */
  get active(): number {
    return this.#open.size;
  }

  /** Totals: offered, answered, completed, failed, erlangs, setup latency, failures by cause. */
  summary(now?: number): MetricsSummary {
    return this.store.summary(now);
  }

  /** Calls that failed (unanswered, or ended with a cause other than NORMAL_CLEARING). */
  get failed(): number {
    return this.store.summary().failed;
  }

  /** Carried traffic: answered call-seconds per elapsed second. */
  get erlangs(): number {
    return this.store.summary().erlangs;
  }

  /** Row `i` (0 = the first call this app measured). */
  row(i: number): CallMetricsRow {
    const row = this.store.row(this.#base + i);
    const originatedAt = this.#originated.get(i);
    const calleeCreatedAt = this.#calleeCreated.get(i);
    const calleeAnsweredAt = this.#calleeAnswered.get(i);
    return {
      ...row,
      originatedAt,
      calleeCreatedAt,
      calleeAnsweredAt,
      inviteMs: calleeCreatedAt === undefined ? undefined : calleeCreatedAt - row.offeredAt,
      answerLatencyMs: calleeAnsweredAt === undefined || row.answeredAt === undefined ? undefined : row.answeredAt - calleeAnsweredAt,
      durationMs: row.hungupAt === undefined ? undefined : row.hungupAt - row.offeredAt,
    };
  }

  /** How many calls this app measured. */
  get size(): number {
    return this.store.size - this.#base;
  }

  *rows(): IterableIterator<CallMetricsRow> {
    for (let i = 0; i < this.size; i++) yield this.row(i);
  }

  toCsv(): string {
    return this.store.toCsv();
  }

  toJSON(): MetricsJson {
    return this.store.toJSON();
  }

  #onCreate(session: Session, event: EslEvent): void {
    const call = session.call;
    if (call === undefined) return;
    if (session === call.first) {
      this.#rowOf(session, event);
      return;
    }
    const open = this.#open.get(call.id);
    if (open !== undefined) this.#calleeCreated.setOnce(open.row, eventTimeMs(event, session.times.created));
  }

  #onOriginate(session: Session, event: EslEvent): void {
    if (session.call?.first !== session) {
      this.#onCreate(session, event);
      return;
    }
    const i = this.#rowOf(session, event);
    if (i !== undefined) this.#originated.setOnce(i, eventTimeMs(event, Date.now()));
  }

  #onAnswer(session: Session, event: EslEvent): void {
    const call = session.call;
    if (call === undefined) return;
    const at = eventTimeMs(event, Date.now());
    if (session === call.first) {
      if (this.#rowOf(session, event) !== undefined) this.store.answer(call.id, at);
      return;
    }
    const open = this.#open.get(call.id);
    if (open !== undefined) this.#calleeAnswered.setOnce(open.row, at);
  }

  #onHangup(session: Session, event: EslEvent): void {
    const call = session.call;
    if (call === undefined || session !== call.first) return;
    if (this.#rowOf(session, event) === undefined) return;
    this.store.hangup(call.id, eventTimeMs(event, Date.now()), event.get('Hangup-Cause') || 'UNKNOWN');
    this.#open.delete(call.id);
  }

  #onResync(result: ResyncResult): void {
    if (result.closed.length === 0) return;
    const closed = new Set(result.closed);
    const now = Date.now();
    for (const [callId, open] of [...this.#open]) {
      if (!closed.has(open.caller)) continue;
      this.store.lose(callId, now, 'vanished while the event socket was down');
      this.#open.delete(callId);
    }
  }

  /**
   * The row of the caller's call, offered at the leg's creation time when
   * this is the first event seen (a channel adopted after a reconnect never
   * shows its CHANNEL_CREATE). Undefined once the call has ended.
   */
  #rowOf(session: Session, event: EslEvent): number | undefined {
    const call = session.call!;
    const known = this.#open.get(call.id);
    if (known !== undefined) return known.row;
    if (session.hungup && event.name !== 'CHANNEL_HANGUP') return undefined;
    const i = this.store.size - this.#base;
    // The session's creation time is the Event-Date-Timestamp of its first event.
    this.store.offer(call.id, session.times.created, { host: this.#host, app: session.appId });
    this.#open.set(call.id, { row: i, caller: session.uuid });
    return i;
  }
}
