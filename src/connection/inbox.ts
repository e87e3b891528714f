/**
 * Frames parsed off the socket, waiting to be dispatched.
 *
 * FreeSWITCH drops a listener whose event queue overflows (mod_event_socket.c
 * event_handler: a failed switch_queue_trypush counts a lost event, and too
 * many lost events kill the listener without a notice). So the socket must be
 * read as fast as it delivers, whatever user callbacks cost.
 *
 * The data handler parses each chunk into here and calls `flush()`, which
 * dispatches right away while handlers keep up: frames die young (cheap for
 * the GC) and nothing waits a turn. But dispatch gets one time slice per
 * event-loop turn, shared by every chunk read in that turn: once it is spent,
 * later chunks are only parsed and queued, and the rest is dispatched from
 * setImmediate, after the poll phase has read what the socket holds. So a slow
 * handler makes the backlog grow here (and `lagging` fire) instead of in
 * FreeSWITCH, and reading goes on. (Dispatching each chunk before reading the
 * next would pace reads to the handlers; a fixed count per turn would fall
 * behind a fast stream, since libuv reads many chunks per poll.) Frames keep
 * wire order, replies included, so a reply is never seen before an event
 * FreeSWITCH sent ahead of it.
 *
 * The queue is a power-of-two ring buffer: pushing and taking allocate nothing.
 */

import type { Frame } from '../protocol/frame.js';

const SHRINK_ABOVE = 65_536;

export interface InboxOptions {
  /** Called once per frame, in wire order. Must not throw. */
  readonly dispatch: (frame: Frame) => void;
  /** Dispatch time per event-loop turn, in flush() and again in setImmediate. Default 10 ms. */
  readonly sliceMs?: number;
  /** Frames dispatched between two reads of the clock. Default 32. */
  readonly batchSize?: number;
  /** Backlog that triggers `onLagging`; re-armed when the backlog falls below half. */
  readonly lagThreshold: number;
  readonly onLagging: (backlog: number) => void;
  readonly now?: () => number;
}

export class Inbox {
  #ring: (Frame | undefined)[] = new Array(1024);
  #mask = 1023;
  #head = 0;
  #length = 0;
  #scheduled = false;
  #draining = false;
  /** End of this event-loop turn's dispatch slice; undefined until the turn's first flush. */
  #turnDeadline: number | undefined;
  #lagging = false;
  #closed = false;
  #whenEmpty: (() => void) | undefined;
  #peak = 0;
  readonly #dispatch: (frame: Frame) => void;
  readonly #sliceMs: number;
  readonly #batchSize: number;
  readonly #lagThreshold: number;
  readonly #onLagging: (backlog: number) => void;
  readonly #now: () => number;

  constructor(options: InboxOptions) {
    this.#dispatch = options.dispatch;
    this.#sliceMs = options.sliceMs ?? 10;
    this.#batchSize = Math.max(1, options.batchSize ?? 32);
    this.#lagThreshold = options.lagThreshold;
    this.#onLagging = options.onLagging;
    this.#now = options.now ?? performance.now.bind(performance);
  }

  get backlog(): number {
    return this.#length;
  }

  /** Largest backlog seen since the last `resetPeak()`. */
  get peak(): number {
    return this.#peak;
  }

  resetPeak(): void {
    this.#peak = this.#length;
  }

  /** Queues a frame; it is dispatched by the next `flush()` or event-loop turn. */
  push(frame: Frame): void {
    if (this.#closed) return;
    if (this.#length > this.#mask) this.#grow();
    this.#ring[(this.#head + this.#length) & this.#mask] = frame;
    this.#length++;
    if (this.#length > this.#peak) this.#peak = this.#length;
    if (!this.#lagging && this.#length >= this.#lagThreshold) {
      this.#lagging = true;
      this.#onLagging(this.#length);
    }
    this.#schedule();
  }

  /** Dispatches now, within what is left of this turn's time slice; the rest waits a turn. */
  flush(): void {
    if (this.#length === 0 || this.#draining || this.#closed) return;
    const now = this.#now();
    if (this.#turnDeadline === undefined) {
      this.#turnDeadline = now + this.#sliceMs;
      this.#schedule(); // the turn ends at the check phase, which opens a fresh slice
    }
    if (now < this.#turnDeadline) this.#drain(this.#turnDeadline);
  }

  /**
   * Runs `callback` once every frame pushed so far has been dispatched: used
   * to act on a lost link only after the frames that arrived before it.
   */
  whenEmpty(callback: () => void): void {
    if (this.#length === 0) {
      callback();
      return;
    }
    this.#whenEmpty = callback;
  }

  /** Drops whatever is left and accepts nothing more. */
  close(): void {
    this.#closed = true;
    this.#ring.fill(undefined);
    this.#length = 0;
    this.#whenEmpty = undefined;
  }

  #schedule(): void {
    if (this.#scheduled) return;
    this.#scheduled = true;
    setImmediate(this.#onTurn);
  }

  readonly #onTurn = (): void => {
    this.#scheduled = false;
    this.#turnDeadline = undefined;
    if (!this.#draining && this.#length > 0) this.#drain(this.#now() + this.#sliceMs);
  };

  #drain(deadline: number): void {
    this.#draining = true;
    let sinceClock = 0;
    while (this.#length > 0 && !this.#closed) {
      const frame = this.#ring[this.#head]!;
      this.#ring[this.#head] = undefined;
      this.#head = (this.#head + 1) & this.#mask;
      this.#length--;
      this.#dispatch(frame);
      if (++sinceClock === this.#batchSize) {
        sinceClock = 0;
        if (this.#now() >= deadline) break;
      }
    }
    this.#draining = false;
    if (this.#lagging && this.#length < this.#lagThreshold / 2) this.#lagging = false;
    if (this.#length > 0) {
      if (!this.#closed) this.#schedule();
      return;
    }
    // a burst may have grown the ring a lot: give the memory back once it is drained
    if (this.#ring.length > SHRINK_ABOVE) this.#ring = new Array(1024);
    this.#mask = this.#ring.length - 1;
    this.#head = 0;
    const callback = this.#whenEmpty;
    if (callback !== undefined) {
      this.#whenEmpty = undefined;
      callback();
    }
  }

  #grow(): void {
    const size = this.#ring.length;
    const next = new Array<Frame | undefined>(size * 2);
    for (let i = 0; i < this.#length; i++) next[i] = this.#ring[(this.#head + i) & this.#mask];
    this.#ring = next;
    this.#mask = size * 2 - 1;
    this.#head = 0;
  }
}
