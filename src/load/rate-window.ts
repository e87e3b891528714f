/**
 * The rate of recent events over a sliding window (the achieved originate
 * rate a live view shows): timestamps in a ring buffer that grows to the
 * most events ever inside one window, pruned as time moves on.
 */

import { InvalidArgumentError } from '../errors.js';

export class SlidingRate {
  readonly windowMs: number;
  #ring = new Float64Array(256);
  #head = 0;
  #size = 0;

  constructor(windowMs = 1000) {
    if (!(Number.isFinite(windowMs) && windowMs > 0)) {
      throw new InvalidArgumentError(`the rate window must be a positive number of ms, got ${windowMs}`);
    }
    this.windowMs = windowMs;
  }

  /** Records one event at `at` (ms; calls come in time order). */
  add(at: number): void {
    this.#prune(at);
    if (this.#size === this.#ring.length) this.#grow();
    this.#ring[(this.#head + this.#size) % this.#ring.length] = at;
    this.#size++;
  }

  /** Events in (now - window, now]. */
  count(now: number): number {
    this.#prune(now);
    return this.#size;
  }

  /**
   * Events per second over the window ending at `now`; over `now - since`
   * instead while less than a window has passed since `since` (the start).
   */
  rate(now: number, since?: number): number {
    const span = since === undefined ? this.windowMs : Math.min(this.windowMs, now - since);
    if (!(span > 0)) return 0;
    return (this.count(now) * 1000) / span;
  }

  clear(): void {
    this.#head = 0;
    this.#size = 0;
  }

  #prune(now: number): void {
    const limit = now - this.windowMs;
    while (this.#size > 0 && this.#ring[this.#head]! <= limit) {
      this.#head = (this.#head + 1) % this.#ring.length;
      this.#size--;
    }
  }

  #grow(): void {
    const next = new Float64Array(this.#ring.length * 2);
    for (let i = 0; i < this.#size; i++) next[i] = this.#ring[(this.#head + i) % this.#ring.length]!;
    this.#ring = next;
    this.#head = 0;
  }
}
