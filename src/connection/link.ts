/**
 * One socket's worth of a Connection: the stream, its parser and its inbox.
 * A reconnect makes a new Link, so late callbacks from a dead socket can be
 * recognised (they carry the old Link) and ignored.
 *
 * The data handler notes the time, counts frames and parses; the frames are
 * then dispatched from the inbox, at once or in later turns when handlers fall
 * behind (see inbox.ts for why).
 */

import type { Duplex } from 'node:stream';
import type { DisconnectReason } from '../errors.js';
import type { Frame } from '../protocol/frame.js';
import { EslParser } from '../protocol/parser.js';
import { Inbox } from './inbox.js';
import { readChunks } from './transport.js';

export interface LinkHooks {
  /** A frame, in wire order, from the inbox. Must not throw. */
  readonly frame: (link: Link, frame: Frame) => void;
  /** The link is gone; called once, after every frame read before the loss was dispatched. */
  readonly lost: (link: Link, reason: DisconnectReason, cause: Error | undefined) => void;
  /** Bytes arrived at `now` (one clock read per chunk). */
  readonly bytes: (now: number) => void;
  readonly lagging: (link: Link, backlog: number) => void;
}

export interface LinkOptions {
  /** Undispatched frames that trigger `lagging`. */
  readonly lagThreshold: number;
  /** Dispatch time per event-loop turn (see inbox.ts). Default 10 ms. */
  readonly sliceMs?: number;
  /** Frames dispatched between two reads of the clock. Default 32. */
  readonly batchSize?: number;
}

export type LinkPhase = 'greeting' | 'authenticating' | 'ready';

const RATE_WINDOW_MS = 1000;

export class Link {
  phase: LinkPhase = 'greeting';
  /** Authenticated and announced as connected (restore done after a reconnect). */
  established = false;
  /** Settles when authentication succeeds or fails. */
  readonly authenticated: Promise<void>;
  /** Settles when the subscriptions sent after authentication are answered. */
  restored: Promise<void> = Promise.resolve();
  /** Settles (never rejects) when the link is lost. */
  readonly gone: Promise<void>;
  lossReason: DisconnectReason | undefined;

  readonly #socket: Duplex;
  readonly #parser: EslParser;
  readonly #inbox: Inbox;
  readonly #hooks: LinkHooks;
  #settleAuth: { resolve: () => void; reject: (e: Error) => void } | undefined;
  #markGone!: () => void;
  #ending = false;
  #socketError: Error | undefined;
  #windowStart = Date.now();
  #windowFrames = 0;
  #lastRate = 0;

  constructor(socket: Duplex, hooks: LinkHooks, options: LinkOptions) {
    this.#socket = socket;
    this.#hooks = hooks;
    this.authenticated = new Promise<void>((resolve, reject) => {
      this.#settleAuth = { resolve, reject };
    });
    // Nobody may be waiting when a link dies before authenticating.
    this.authenticated.catch(() => undefined);
    this.gone = new Promise<void>((resolve) => {
      this.#markGone = resolve;
    });
    this.#inbox = new Inbox({
      dispatch: (frame) => hooks.frame(this, frame),
      lagThreshold: options.lagThreshold,
      onLagging: (backlog) => hooks.lagging(this, backlog),
      ...(options.sliceMs === undefined ? {} : { sliceMs: options.sliceMs }),
      ...(options.batchSize === undefined ? {} : { batchSize: options.batchSize }),
    });
    this.#parser = new EslParser(this.#onFrame);
    // The default TCP transport bypasses 'data' events (transport.ts).
    if (!readChunks(socket, this.#onData)) socket.on('data', this.#onData);
    socket.on('error', this.#onError);
    socket.on('end', this.#onClose);
    socket.on('close', this.#onClose);
  }

  get lost(): boolean {
    return this.lossReason !== undefined;
  }

  get backlog(): number {
    return this.#inbox.backlog;
  }

  /** Frames per second over the last full second, or the current partial one if busier. */
  get frameRate(): number {
    const elapsed = Date.now() - this.#windowStart;
    const current = elapsed > 0 ? (this.#windowFrames * RATE_WINDOW_MS) / elapsed : 0;
    return Math.max(this.#lastRate, elapsed >= 50 ? current : 0);
  }

  authSucceeded(): void {
    this.#settleAuth?.resolve();
    this.#settleAuth = undefined;
  }

  authFailed(error: Error): void {
    this.#settleAuth?.reject(error);
    this.#settleAuth = undefined;
  }

  write(bytes: Buffer): void {
    if (!this.#ending) this.#socket.write(bytes);
  }

  /** Batch several writes into one segment. */
  cork(): void {
    this.#socket.cork();
  }

  uncork(): void {
    this.#socket.uncork();
  }

  /** Stop reading; report the loss after the frames already read are dispatched. */
  end(reason: DisconnectReason, cause?: Error): void {
    if (this.#ending) return;
    this.#ending = true;
    this.#socket.destroy();
    this.#inbox.whenEmpty(() => this.#reportLoss(reason, cause));
  }

  /** Stop now: frames not yet dispatched are dropped. */
  abort(reason: DisconnectReason, cause?: Error): void {
    this.#ending = true;
    this.#socket.destroy();
    this.#inbox.close();
    this.#reportLoss(reason, cause);
  }

  #reportLoss(reason: DisconnectReason, cause: Error | undefined): void {
    if (this.lossReason !== undefined) return;
    this.lossReason = reason;
    this.#inbox.close();
    this.authFailed(cause ?? new Error(`link lost (${reason})`));
    this.#hooks.lost(this, reason, cause);
    this.#markGone();
  }

  readonly #onFrame = (frame: Frame): void => {
    this.#windowFrames++;
    this.#inbox.push(frame);
  };

  readonly #onData = (chunk: Buffer): void => {
    if (this.#ending) return;
    const now = Date.now();
    this.#hooks.bytes(now);
    if (now - this.#windowStart >= RATE_WINDOW_MS) {
      this.#lastRate = (this.#windowFrames * RATE_WINDOW_MS) / (now - this.#windowStart);
      this.#windowStart = now;
      this.#windowFrames = 0;
    }
    try {
      this.#parser.write(chunk);
    } catch (error) {
      // Frames parsed before the bad bytes are still dispatched, then the link goes.
      this.end('protocol', error as Error);
      return;
    }
    this.#inbox.flush();
  };

  readonly #onError = (error: Error): void => {
    this.#socketError = error;
  };

  readonly #onClose = (): void => {
    this.end('socket', this.#socketError);
  };
}
