/**
 * Pacer: calls `onSlot` at an even rate on an absolute schedule.
 *
 * Slot k of a segment is due at `anchor + k * 1000 / rate`: each due time is
 * computed from the anchor, never from the previous wake-up, so timer lateness
 * does not accumulate (500/s is one slot every 2 ms for as long as it runs, not
 * "about 2 ms after the last one"). A wake-up fires every slot already due, but
 * at most `maxBurst` of them before yielding to I/O (setImmediate), so a stall
 * is caught up quickly without one big burst. When the pacer falls further
 * behind than `maxLagMs`, the slots beyond that lag are dropped (counted in
 * `skipped`): at most maxLagMs worth of slots is ever caught up.
 *
 * A new segment (new anchor) starts when the rate changes (the first slot at
 * the new rate comes one new interval after the last slot fired, or now if
 * that is already past) and when the
 * pacer resumes after a pause (never earlier than one interval after the last
 * slot, never in the past): neither can produce a burst.
 */

import { InvalidArgumentError } from '../errors.js';
import { nearestRank } from './metrics.js';

export interface PacerSlot {
  /** Slots fired since start(), from 0. */
  readonly n: number;
  /** When the schedule wanted this slot (the `now` clock, ms). */
  readonly scheduledAt: number;
  /** When it was fired; `firedAt - scheduledAt` is the pacing error. */
  readonly firedAt: number;
}

export interface PacerOptions {
  /** Slots per second, > 0. */
  readonly rate: number;
  readonly onSlot: (slot: PacerSlot) => void;
  /**
   * Most slots fired in one wake-up while catching up. Default: 50 ms worth of
   * slots, at least 4. A loop busy reading events turns only every few tens of
   * milliseconds (libuv reads a socket up to 32 times per turn), and the bound
   * must not be lower than what falls due in one turn or the pacer could never
   * catch up; a real stall beyond that is spread over several turns.
   */
  readonly maxBurst?: number;
  /** Slots more than this late (ms) are dropped, not caught up. Default 1000. */
  readonly maxLagMs?: number;
  /** Monotonic clock in ms. Default `performance.now()`. */
  readonly now?: () => number;
  /** An exception thrown by onSlot (the pacer keeps going). */
  readonly onError?: (error: unknown) => void;
}

/** Checks a rate (calls per second) and returns it. */
export function checkRate(rate: number, what = 'rate'): number {
  if (typeof rate !== 'number' || !Number.isFinite(rate) || rate <= 0) {
    throw new InvalidArgumentError(`${what} must be a finite number > 0, got ${String(rate)}`);
  }
  return rate;
}

export class Pacer {
  readonly #onSlot: (slot: PacerSlot) => void;
  readonly #onError: ((error: unknown) => void) | undefined;
  readonly #now: () => number;
  readonly #maxLagMs: number;
  readonly #fixedBurst: number | undefined;
  #rate: number;
  #interval: number;
  #maxBurst: number;
  #anchor = 0;
  /** Index of the next slot in the current segment. */
  #k = 0;
  #fired = 0;
  #skipped = 0;
  #lastAt: number | undefined;
  #running = false;
  #paused = false;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #immediate: ReturnType<typeof setImmediate> | undefined;

  constructor(options: PacerOptions) {
    this.#rate = checkRate(options.rate);
    this.#interval = 1000 / this.#rate;
    this.#onSlot = options.onSlot;
    this.#onError = options.onError;
    this.#now = options.now ?? (() => performance.now());
    this.#maxLagMs = options.maxLagMs ?? 1000;
    if (options.maxBurst !== undefined && !(Number.isInteger(options.maxBurst) && options.maxBurst >= 1)) {
      throw new InvalidArgumentError(`maxBurst must be a whole number >= 1, got ${options.maxBurst}`);
    }
    this.#fixedBurst = options.maxBurst;
    this.#maxBurst = this.#burstFor(this.#rate);
  }

  get rate(): number {
    return this.#rate;
  }

  /** Changes the rate from the next slot on (see the file comment). */
  set rate(rate: number) {
    this.#rate = checkRate(rate);
    this.#interval = 1000 / rate;
    this.#maxBurst = this.#burstFor(rate);
    if (!this.#running) return;
    const now = this.#now();
    this.#segment(this.#lastAt === undefined ? now : Math.max(this.#lastAt + this.#interval, now));
    this.#rearm();
  }

  get running(): boolean {
    return this.#running;
  }

  get paused(): boolean {
    return this.#paused;
  }

  /** Slots fired since start(). */
  get fired(): number {
    return this.#fired;
  }

  /** Slots dropped because the pacer fell more than maxLagMs behind. */
  get skipped(): number {
    return this.#skipped;
  }

  /** When the next slot is due (ms on the `now` clock), or undefined when stopped or paused. */
  get nextAt(): number | undefined {
    return this.#running && !this.#paused ? this.#nextAt() : undefined;
  }

  /** Starts the schedule: the first slot fires at once (synchronously). */
  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#paused = false;
    this.#fired = 0;
    this.#skipped = 0;
    this.#lastAt = undefined;
    this.#segment(this.#now());
    this.#wake();
  }

  stop(): void {
    this.#running = false;
    this.#paused = false;
    this.#cancel();
  }

  /** Holds the slots (e.g. at a concurrency limit) until resume(). */
  pause(): void {
    if (!this.#running || this.#paused) return;
    this.#paused = true;
    this.#cancel();
  }

  /** Restarts after pause(): the next slot is due at the later of now and one interval after the last slot. */
  resume(): void {
    if (!this.#running || !this.#paused) return;
    this.#paused = false;
    const now = this.#now();
    const due = this.#nextAt();
    if (due < now) this.#segment(this.#lastAt === undefined ? now : Math.max(now, this.#lastAt + this.#interval));
    this.#wake();
  }

  #burstFor(rate: number): number {
    return this.#fixedBurst ?? Math.max(4, Math.ceil(rate / 20));
  }

  #nextAt(): number {
    return this.#anchor + this.#k * this.#interval;
  }

  #segment(anchor: number): void {
    this.#anchor = anchor;
    this.#k = 0;
  }

  readonly #wake = (): void => {
    this.#timer = undefined;
    this.#immediate = undefined;
    let burst = 0;
    while (this.#running && !this.#paused) {
      const at = this.#nextAt();
      const now = this.#now();
      if (at > now) break;
      if (now - at > this.#maxLagMs) {
        const missed = Math.ceil((now - at - this.#maxLagMs) / this.#interval);
        this.#skipped += missed;
        this.#segment(at + missed * this.#interval);
        continue;
      }
      if (burst === this.#maxBurst) {
        this.#immediate = setImmediate(this.#wake);
        return;
      }
      burst++;
      this.#k++;
      this.#lastAt = at;
      const n = this.#fired++;
      try {
        this.#onSlot({ n, scheduledAt: at, firedAt: now });
      } catch (error) {
        this.#onError?.(error);
      }
    }
    this.#arm();
  };

  #arm(): void {
    if (!this.#running || this.#paused || this.#timer !== undefined || this.#immediate !== undefined) return;
    // Timers have whole-millisecond resolution: round up, so a wake-up is never early.
    const delay = Math.ceil(this.#nextAt() - this.#now());
    this.#timer = setTimeout(this.#wake, Math.max(0, delay));
  }

  #rearm(): void {
    if (this.#paused) return;
    this.#cancel();
    this.#arm();
  }

  #cancel(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    if (this.#immediate !== undefined) clearImmediate(this.#immediate);
    this.#timer = undefined;
    this.#immediate = undefined;
  }
}

/** How late recent slots fired (`firedAt - scheduledAt`, ms): the last `size` of them. */
export class LateSamples {
  readonly #ring: Float64Array;
  #count = 0;

  constructor(size = 4096) {
    this.#ring = new Float64Array(size);
  }

  add(lateMs: number): void {
    this.#ring[this.#count++ % this.#ring.length] = lateMs;
  }

  stats(): { lateP50: number | null; lateP99: number | null; lateMax: number | null } {
    const n = Math.min(this.#count, this.#ring.length);
    if (n === 0) return { lateP50: null, lateP99: null, lateMax: null };
    const sorted = this.#ring.slice(0, n).sort();
    return { lateP50: nearestRank(sorted, 50), lateP99: nearestRank(sorted, 99), lateMax: sorted[n - 1]! };
  }
}
