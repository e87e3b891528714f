/**
 * How a Connection gets its byte stream. An interface so tests can inject an
 * in-memory duplex or a fault-injecting proxy; the default is node:net TCP.
 *
 * The default TCP transport reads with node:net's `onread` option: the kernel
 * writes straight into buffers we hand out, and the chunks go to the reader
 * registered with readChunks() without the Readable stream machinery (its
 * per-chunk buffering, events and flowing-mode bookkeeping cost about a fifth
 * of the client's CPU at event-firehose rates). 'end', 'close' and 'error'
 * still fire as usual (node:net lib/internal/stream_base_commons.js
 * onStreamRead pushes EOF and errors through the stream either way).
 */

import { connect as netConnect, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';

export interface Transport {
  /**
   * Opens a stream to host:port. Resolves once bytes can flow; rejects if the
   * peer cannot be reached. Must give up (reject) when `signal` aborts.
   */
  connect(host: string, port: number, signal: AbortSignal): Promise<Duplex>;
}

export interface TcpTransportOptions {
  /** Idle time before the first TCP keepalive probe. Default 15 s. */
  readonly keepAliveDelayMs?: number;
  /**
   * Read into preallocated buffers and deliver chunks only through
   * readChunks() (no 'data' events). Default true; false gives a plain socket
   * whose bytes arrive as 'data' events.
   */
  readonly directReads?: boolean;
}

/**
 * Sockets read with `onread` produce no 'data' events, so their chunks are
 * handed over through this side table instead of a property on the socket.
 */
const directSockets = new WeakMap<Duplex, DirectReads>();

/**
 * Registers `reader` for the chunks of a stream opened by tcpTransport() with
 * direct reads. Returns false for any other stream: read its 'data' events.
 * Chunks that arrived before the reader are delivered on the next tick (as a
 * Readable does once a 'data' listener is added), never from inside this call.
 */
export function readChunks(stream: Duplex, reader: (chunk: Buffer) => void): boolean {
  const direct = directSockets.get(stream);
  if (direct === undefined) return false;
  direct.attach(reader);
  return true;
}

/** Kernel reads land here; big enough for a burst of events per syscall. */
const POOL_BYTES = 256 * 1024;
/** Below this much room left, start a new pool rather than read in small pieces. */
const MIN_READ_BYTES = 64 * 1024;

/**
 * Hands out read buffers and passes the bytes read on. The parser's frames
 * keep zero-copy references into the chunks they came from (parser.ts), so
 * bytes once delivered are never handed out again: each read gets the unused
 * tail of the current pool, and a used-up pool is left to the garbage
 * collector (alive only while some frame still points into it).
 */
class DirectReads {
  #pool = Buffer.allocUnsafe(POOL_BYTES);
  #used = 0;
  #reader: ((chunk: Buffer) => void) | undefined;
  #pending: Buffer[] = [];

  readonly nextBuffer = (): Buffer => {
    if (this.#pool.length - this.#used < MIN_READ_BYTES) {
      this.#pool = Buffer.allocUnsafe(POOL_BYTES);
      this.#used = 0;
    }
    return this.#pool.subarray(this.#used);
  };

  /**
   * node:net calls nextBuffer() for the next read only after this returns.
   * Always true (keep reading): like the 'data' path, the Link never pauses
   * the socket; its inbox absorbs bursts and reports lagging.
   */
  readonly onRead = (bytes: number, buffer: Uint8Array): boolean => {
    this.#used += bytes;
    const chunk = (buffer as Buffer).subarray(0, bytes);
    if (this.#reader !== undefined && this.#pending.length === 0) this.#reader(chunk);
    else this.#pending.push(chunk);
    return true;
  };

  attach(reader: (chunk: Buffer) => void): void {
    this.#reader = reader;
    if (this.#pending.length > 0) process.nextTick(this.#drain);
  }

  readonly #drain = (): void => {
    const pending = this.#pending;
    this.#pending = [];
    for (const chunk of pending) this.#reader?.(chunk);
  };
}

/** node:net TCP with Nagle off (commands are small and latency-bound) and keepalive on. */
export function tcpTransport(options: TcpTransportOptions = {}): Transport {
  const keepAliveDelayMs = options.keepAliveDelayMs ?? 15_000;
  const directReads = options.directReads ?? true;
  return {
    connect(host, port, signal) {
      return new Promise<Duplex>((resolve, reject) => {
        if (signal.aborted) {
          reject(signal.reason);
          return;
        }
        const direct = directReads ? new DirectReads() : undefined;
        const socket: Socket = netConnect({
          host,
          port,
          noDelay: true,
          keepAlive: true,
          keepAliveInitialDelay: keepAliveDelayMs,
          ...(direct === undefined ? {} : { onread: { buffer: direct.nextBuffer, callback: direct.onRead } }),
        });
        if (direct !== undefined) directSockets.set(socket, direct);
        const onAbort = (): void => {
          socket.destroy();
          reject(signal.reason);
        };
        const onError = (error: Error): void => {
          signal.removeEventListener('abort', onAbort);
          reject(error);
        };
        socket.once('error', onError);
        signal.addEventListener('abort', onAbort, { once: true });
        socket.once('connect', () => {
          socket.removeListener('error', onError);
          signal.removeEventListener('abort', onAbort);
          resolve(socket);
        });
      });
    },
  };
}
