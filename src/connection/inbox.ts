/**
 * Frames parsed off the socket, waiting to be dispatched.
 *
 * FreeSWITCH drops a listener whose event queue overflows (mod_event_socket.c
 * event_handler: a failed switch_queue_trypush counts a lost event, and too
 * many lost events kill the listener without a notice). So the socket must be
 * read as fast as it delivers, whatever user callbacks cost: the data handler
 * only parses and pushes here, and frames are handed to `dispatch` in bounded
 * batches from setImmediate, which lets the event loop poll the socket again
 * between batches. Frames keep wire order (replies included), so a reply is
 * never seen before an event FreeSWITCH sent ahead of it.
 *
 * The queue is a power-of-two ring buffer: pushing and taking allocate nothing.
 */

import type { Frame } from '../protocol/frame.js';

const SHRINK_ABOVE = 65_536;

export interface InboxOptions {
  /** Called once per frame, in wire order. Exceptions are the caller's to catch. */
  readonly dispatch: (frame: Frame) => void;
  /** Frames dispatched per turn of the event loop. */
  readonly batchSize: number;
  /** Backlog that triggers `onLagging`; re-armed when the backlog falls below half. */
  readonly lagThreshold: number;
  readonly onLagging: (backlog: number) => void;
}

export class Inbox {
  #ring: (Frame | undefined)[] = new Array(1024);
  #mask = 1023;
  #head = 0;
  #length = 0;
  #scheduled = false;
  #lagging = false;
  #closed = false;
  #whenEmpty: (() => void) | undefined;
  #peak = 0;
  readonly #options: InboxOptions;

  constructor(options: InboxOptions) {
    this.#options = options;
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

  push(frame: Frame): void {
    if (this.#closed) return;
    if (this.#length > this.#mask) this.#grow();
    this.#ring[(this.#head + this.#length) & this.#mask] = frame;
    this.#length++;
    if (this.#length > this.#peak) this.#peak = this.#length;
    if (!this.#lagging && this.#length >= this.#options.lagThreshold) {
      this.#lagging = true;
      this.#options.onLagging(this.#length);
    }
    this.#schedule();
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
    setImmediate(this.#drain);
  }

  readonly #drain = (): void => {
    this.#scheduled = false;
    const { dispatch, batchSize, lagThreshold } = this.#options;
    let budget = batchSize;
    while (this.#length > 0 && budget-- > 0 && !this.#closed) {
      const frame = this.#ring[this.#head]!;
      this.#ring[this.#head] = undefined;
      this.#head = (this.#head + 1) & this.#mask;
      this.#length--;
      dispatch(frame);
    }
    if (this.#lagging && this.#length < lagThreshold / 2) this.#lagging = false;
    if (this.#length > 0) {
      this.#schedule();
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
  };

  #grow(): void {
    const size = this.#ring.length;
    const next = new Array<Frame | undefined>(size * 2);
    for (let i = 0; i < this.#length; i++) next[i] = this.#ring[(this.#head + i) & this.#mask];
    this.#ring = next;
    this.#mask = size * 2 - 1;
    this.#head = 0;
  }
}
