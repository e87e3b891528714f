/**
 * Originator: the load generator (switchio's `Originator`, without its
 * 250 calls/s cap). It originates calls at an even rate over the hosts of a
 * Pool (round-robin), keeps at most `limit` calls in flight, holds each
 * answered call for `duration` seconds, mixes call flows (apps) by weight,
 * and reports every call's single outcome and live statistics.
 *
 *   INITIAL ──start()──▶ ORIGINATING ──stop() / maxOffered / hupall()──▶ STOPPED
 *                              ▲                                           │
 *                              └────────────────start()────────────────────┘
 *
 * Pacing is the Pacer's (an absolute schedule: 500/s is one originate every
 * 2 ms). A call counts against `limit` from its offer to the destroy of its
 * last leg (call-book.ts); at the limit the pacer pauses and resumes, without
 * a catch-up burst, when a call ends. Originates are `bgapi originate` with a
 * client-chosen `origination_uuid` (mod_commands.c), so the call is known
 * before FreeSWITCH answers the command.
 */

import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'eventemitter3';
import { type Logger, pino } from 'pino';
import type { DisconnectInfo } from '../connection/types.js';
import { DisconnectedError, InvalidArgumentError, TimeoutError } from '../errors.js';
import type { Pool, PoolMember } from '../pool/pool.js';
import { WeightedMix } from './app-mix.js';
import { CallBook, type CallFlow, type OriginatedCall } from './call-book.js';
import { MetricsStore } from './metrics.js';
import {
  checkDest,
  checkDuration,
  checkInterval,
  checkLimit,
  checkMaxOffered,
  type Flow,
  flowsOf,
  type OriginatorEvents,
  type OriginatorOptions,
  type OriginatorState,
  type OriginatorStats,
  type PacingStats,
  poolOf,
  type StopReason,
  type IdleWaitOptions,
} from './originator-options.js';
import { checkRate, LateSamples, Pacer, type PacerSlot } from './pacer.js';
import { SlidingRate } from './rate-window.js';

export type { OriginateDest, OriginatedCall, OriginatedOutcome } from './call-book.js';
export type {
  IdleWaitOptions,
  OriginatorApp,
  OriginatorEvents,
  OriginatorOptions,
  OriginatorState,
  OriginatorStats,
  PacingStats,
  StopReason,
} from './originator-options.js';

const defaultNow = (): number => performance.timeOrigin + performance.now();

export class Originator extends EventEmitter<OriginatorEvents> {
  readonly pool: Pool;
  readonly metrics: MetricsStore;
  readonly logger: Logger;
  readonly #flows: readonly Flow[];
  readonly #mix: WeightedMix<CallFlow>;
  readonly #book: CallBook;
  readonly #pacer: Pacer;
  readonly #window: SlidingRate;
  readonly #now: () => number;
  readonly #tickMs: number;
  #state: OriginatorState = { name: 'INITIAL' };
  #limit: number;
  #duration: number;
  #maxOffered: number;
  #offered = 0;
  #answered = 0;
  #completed = 0;
  #failed = 0;
  #lost = 0;
  readonly #failedByCause = new Map<string, number>();
  readonly #lostByReason = new Map<string, number>();
  readonly #late = new LateSamples();
  #loaded = false;
  #starting: Promise<void> | undefined;
  #tick: ReturnType<typeof setInterval> | undefined;
  #idleWaiters: (() => void)[] = [];
  readonly #onDisconnect = new Map<PoolMember, (info: DisconnectInfo) => void>();

  constructor(options: OriginatorOptions) {
    super();
    if (typeof options !== 'object' || options === null) throw new InvalidArgumentError('Originator needs options');
    this.pool = poolOf(options);
    this.logger = (options.logger ?? pino({ level: 'silent' })).child({ originator: true });
    const rate = checkRate(options.rate);
    this.#limit = checkLimit(options.limit);
    this.#duration = checkDuration(options.duration ?? this.#limit / rate);
    this.#maxOffered = checkMaxOffered(options.maxOffered ?? Number.POSITIVE_INFINITY);
    this.#now = options.now ?? defaultNow;
    this.#tickMs = checkInterval(options.tickMs ?? 1000, 'tickMs');
    this.#window = new SlidingRate(options.rateWindowMs ?? 1000);
    this.metrics = options.metrics ?? new MetricsStore();
    this.#flows = flowsOf(options.apps ?? [], options.appIdPrefix ?? `sy-${randomHex()}`);
    this.#mix = new WeightedMix(this.#flows.map((f, i) => ({ item: f, weight: options.apps?.[i]?.weight ?? 1 })));
    this.#book = new CallBook({
      dest: checkDest(options.dest),
      metrics: this.metrics,
      logger: this.logger,
      now: this.#now,
      holdMs: () => this.#duration * 1000,
      onEnd: this.#onCallEnd,
      onAnswer: () => {
        this.#answered++;
      },
    });
    this.#pacer = new Pacer({
      rate,
      onSlot: this.#onSlot,
      now: this.#now,
      ...(options.maxBurst === undefined ? {} : { maxBurst: options.maxBurst }),
      onError: (error) => this.logger.error({ err: error }, 'originating failed'),
    });
  }

  get state(): OriginatorState {
    return this.#state;
  }

  get rate(): number {
    return this.#pacer.rate;
  }

  /** Takes effect from the next originate, without a burst. */
  set rate(rate: number) {
    this.#pacer.rate = rate;
    this.metrics.setTargetRate(rate, this.#now());
  }

  get limit(): number {
    return this.#limit;
  }

  set limit(limit: number) {
    this.#limit = checkLimit(limit);
    this.#pauseOrResume();
  }

  /** Seconds; applies to calls answered from now on. */
  get duration(): number {
    return this.#duration;
  }

  set duration(seconds: number) {
    this.#duration = checkDuration(seconds);
  }

  get maxOffered(): number {
    return this.#maxOffered;
  }

  set maxOffered(n: number) {
    this.#maxOffered = checkMaxOffered(n);
  }

  /** Calls offered and not ended yet. */
  get active(): number {
    return this.#book.size;
  }

  /** The app ids this originator's calls carry, one per call flow. */
  get appIds(): readonly string[] {
    return this.#flows.map((f) => f.appId);
  }

  /**
   * Loads the call flows on every host (the first time), then originates.
   * The first originate goes out at once.
   */
  start(): Promise<void> {
    // Two calls while the apps load share one start.
    this.#starting ??= this.#start().finally(() => {
      this.#starting = undefined;
    });
    return this.#starting;
  }

  async #start(): Promise<void> {
    if (this.#state.name === 'ORIGINATING') return;
    if (!this.pool.members.some((m) => m.listener.connected)) {
      throw new DisconnectedError('no host of the pool is connected: connect it before start()', 'closed');
    }
    if (!this.#loaded) await this.#load();
    this.#book.draining = false;
    const now = this.#now();
    this.metrics.setTargetRate(this.rate, now);
    this.#setState({ name: 'ORIGINATING', since: now });
    this.#startTicks();
    this.#pacer.start();
    this.#pauseOrResume();
  }

  /** Stops originating; calls in flight run their course (see waitForIdle). */
  stop(): void {
    this.#stopOffering('stopped');
  }

  /** Stops originating and hangs up every call of this originator, on every host. */
  async hupall(cause = 'NORMAL_CLEARING'): Promise<void> {
    this.#stopOffering('hupall');
    this.#book.draining = true;
    await Promise.all(this.#flows.map((f) => this.pool.hupall(cause, f.appId)));
    // Calls whose channels hupall could not see yet (originate still queued) go as they appear.
    this.#book.killAll(cause);
  }

  /** Resolves when not originating and no call is in flight. */
  waitForIdle(options: IdleWaitOptions = {}): Promise<void> {
    if (this.#idle()) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const done = (): void => {
        clearTimeout(timer);
        options.signal?.removeEventListener('abort', onAbort);
        resolve();
      };
      const fail = (error: unknown): void => {
        this.#idleWaiters = this.#idleWaiters.filter((w) => w !== done);
        clearTimeout(timer);
        reject(error);
      };
      const onAbort = (): void => fail(options.signal?.reason);
      if (options.signal?.aborted) return fail(options.signal.reason);
      options.signal?.addEventListener('abort', onAbort, { once: true });
      if (options.timeout !== undefined) {
        const ms = options.timeout;
        timer = setTimeout(() => fail(new TimeoutError(`${this.active} call(s) still in flight after ${ms} ms`, ms)), ms);
      }
      this.#idleWaiters.push(done);
    });
  }

  /** Stops, hangs up what is left, waits for it (at most `timeout` ms) and unloads the call flows. */
  async close(options: { readonly timeout?: number } = {}): Promise<void> {
    this.#stopOffering('stopped');
    if (this.active > 0) {
      await this.hupall();
      await this.waitForIdle({ timeout: options.timeout ?? 10_000 }).catch((error: unknown) => {
        this.logger.warn({ err: error }, 'calls still in flight at close');
      });
    } else if (this.#loaded) {
      // Calls counted lost (their host's event socket dropped) may still be up there.
      await Promise.all(this.#flows.map((f) => this.pool.hupall('NORMAL_CLEARING', f.appId)));
    }
    for (const [member, handler] of this.#onDisconnect) member.listener.off('disconnected', handler);
    this.#onDisconnect.clear();
    if (this.#loaded) {
      this.#loaded = false;
      for (const flow of this.#flows) await this.pool.unloadApp(flow.appId).catch(() => {});
    }
    this.#stopTicks();
  }

  stats(): OriginatorStats {
    const now = this.#now();
    const since = this.#state.name === 'ORIGINATING' ? this.#state.since : undefined;
    return {
      state: this.#state.name,
      offered: this.#offered,
      answered: this.#answered,
      completed: this.#completed,
      failed: this.#failed,
      lost: this.#lost,
      active: this.#book.size,
      failedByCause: Object.fromEntries(this.#failedByCause),
      lostByReason: Object.fromEntries(this.#lostByReason),
      targetRate: this.rate,
      achievedRate: this.#window.rate(now, since),
      limit: this.#limit,
      duration: this.#duration,
      setupLatencyMs: this.metrics.latency(),
      pacing: this.#pacingStats(),
    };
  }

  readonly #onSlot = (slot: PacerSlot): void => {
    if (this.#offered >= this.#maxOffered) {
      this.#stopOffering('max-offered');
      return;
    }
    if (this.#book.size >= this.#limit) {
      this.#pacer.pause();
      return;
    }
    this.#late.add(slot.firedAt - slot.scheduledAt);
    this.#offered++;
    this.#window.add(slot.firedAt);
    this.#book.offer(this.pool.next(), this.#mix.next(), slot.scheduledAt);
    if (this.#offered >= this.#maxOffered) this.#stopOffering('max-offered');
    else if (this.#book.size >= this.#limit) this.#pacer.pause();
  };

  readonly #onCallEnd = (call: OriginatedCall): void => {
    if (call.outcome === 'completed') this.#completed++;
    else if (call.outcome === 'failed') {
      this.#failed++;
      bump(this.#failedByCause, call.cause ?? 'UNKNOWN');
    } else {
      this.#lost++;
      bump(this.#lostByReason, call.reason ?? 'unknown');
    }
    // Listeners see the call end before the freed slot is reused.
    try {
      this.emit('call', call);
    } catch (error) {
      this.logger.error({ err: error }, 'a call listener threw');
    }
    this.#pauseOrResume();
    if (this.#idle()) this.#becameIdle();
  };

  #pauseOrResume(): void {
    if (this.#state.name !== 'ORIGINATING') return;
    if (this.#book.size >= this.#limit) this.#pacer.pause();
    else this.#pacer.resume();
  }

  #stopOffering(reason: StopReason): void {
    this.#pacer.stop();
    if (this.#state.name !== 'ORIGINATING') return;
    this.#setState({ name: 'STOPPED', since: this.#now(), reason });
    if (this.#idle()) this.#becameIdle();
  }

  #idle(): boolean {
    return this.#state.name !== 'ORIGINATING' && this.#book.size === 0;
  }

  #becameIdle(): void {
    this.#stopTicks();
    const waiters = this.#idleWaiters;
    this.#idleWaiters = [];
    for (const w of waiters) w();
    this.emit('idle');
  }

  #setState(next: OriginatorState): void {
    const previous = this.#state;
    this.#state = next;
    this.logger.info({ state: next.name, ...(next.name === 'STOPPED' ? { reason: next.reason } : {}) }, 'originator state');
    this.emit('state', next, previous);
  }

  async #load(): Promise<void> {
    const done: string[] = [];
    try {
      for (const flow of this.#flows) {
        await this.pool.loadApp(this.#book.app, { appId: flow.appId });
        done.push(flow.appId);
        if (flow.loaded !== undefined) await this.pool.loadApp(flow.loaded, { appId: flow.appId });
      }
    } catch (error) {
      for (const appId of done) await this.pool.unloadApp(appId).catch(() => {});
      throw error;
    }
    for (const member of this.pool.members) {
      const handler = (info: DisconnectInfo): void => {
        const n = this.#book.loseMember(member, `disconnected (${info.reason})`);
        if (n > 0) this.logger.warn({ host: member.name, calls: n }, 'event socket lost: calls in flight counted as lost');
      };
      member.listener.on('disconnected', handler);
      this.#onDisconnect.set(member, handler);
    }
    this.#loaded = true;
  }

  #startTicks(): void {
    if (this.#tick !== undefined) return;
    this.#tick = setInterval(() => this.emit('tick', this.stats()), this.#tickMs);
    this.#tick.unref?.();
  }

  #stopTicks(): void {
    if (this.#tick === undefined) return;
    clearInterval(this.#tick);
    this.#tick = undefined;
  }

  #pacingStats(): PacingStats {
    return { skipped: this.#pacer.skipped, ...this.#late.stats() };
  }
}

function bump(map: Map<string, number>, key: string): void {
  map.set(key, (map.get(key) ?? 0) + 1);
}

function randomHex(): string {
  return randomUUID().slice(0, 8);
}
