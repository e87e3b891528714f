/**
 * EslParser: bytes from FreeSWITCH's event socket -> frames, incrementally.
 *
 * The wire format is mod_event_socket.c's: a header block of `Name: value\n`
 * lines ended by an empty line, then, when the block has a `Content-Length`,
 * exactly that many bytes of body. No separator follows a body (an api
 * response without a trailing newline runs straight into the next
 * `Content-Type:`), and FreeSWITCH never sends an empty line between frames, so
 * a stray one is a ProtocolError. The limits are FreeSWITCH's own: a 10 MB
 * header block, a 16 MB body.
 *
 * A byte state machine pushing frames into a sink, in the manner of nats.js's
 * parser and node-redis's RESP decoder:
 *
 *   HEAD --(\n\n found, no Content-Length)--------------> emit, HEAD
 *   HEAD --(\n\n found, Content-Length N)--> BODY(N) --(N bytes)--> emit, HEAD
 *
 * Linear time: each byte is looked at once by a native search (`indexOf`);
 * the pieces of a header block split across chunks are joined once, when its
 * end is found. A body inside one chunk is a zero-copy `subarray` of it (so
 * the parser and the frames keep references to the chunks given to write():
 * do not reuse their memory); a body spread over chunks is copied once into a
 * buffer of exactly Content-Length bytes.
 *
 * After a ProtocolError the stream cannot be trusted: write() keeps throwing
 * until reset() is called (e.g. on a new connection).
 */
import { ProtocolError } from '../errors.js';
import type { Frame } from './frame.js';
import { Header } from './names.js';

/** FreeSWITCH's limits on one frame. */
export const MAX_HEADER_BYTES = 10 * 1024 * 1024;
export const MAX_BODY_BYTES = 16 * 1024 * 1024;

const LF = 0x0a;
const COLON_SPACE = Buffer.from(': ', 'latin1');
const EMPTY = Buffer.alloc(0);

/** Parser states (numbers, for a monomorphic field). */
const State = { Head: 0, Body: 1, Failed: 2 } as const;
type State = (typeof State)[keyof typeof State];

export class EslParser {
  readonly #onFrame: (frame: Frame) => void;
  #state: State = State.Head;
  /** Pieces of a header block not yet ended, and their total length. */
  #headParts: Buffer[] = [];
  #headLength = 0;
  /** The headers of the frame whose body is being read. */
  #pendingHeaders: Record<string, string> | undefined;
  #pendingType = '';
  /** The body being filled when it spans chunks. */
  #body: Buffer = EMPTY;
  #bodyFilled = 0;
  /** What remained of a chunk when the sink threw; parsed first by the next write(). */
  #backlog: Buffer[] = [];

  constructor(onFrame: (frame: Frame) => void) {
    this.#onFrame = onFrame;
  }

  /**
   * Feed bytes; calls onFrame for every frame completed, in order. Throws
   * ProtocolError on malformed or oversized input (then reset() is required).
   * If onFrame throws, the exception propagates and the rest of the chunk is
   * kept for the next write().
   */
  write(chunk: Uint8Array): void {
    if (this.#state === State.Failed) {
      throw new ProtocolError('parser is in a failed state after a protocol error: call reset() before reuse');
    }
    const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    if (this.#backlog.length > 0) {
      const backlog = this.#backlog;
      this.#backlog = [];
      for (let i = 0; i < backlog.length; i++) {
        this.#consumeGuarded(backlog[i]!, backlog.slice(i + 1).concat(buf));
      }
    }
    this.#consumeGuarded(buf, []);
  }

  /** Forget everything buffered and any failure: ready for a new stream. */
  reset(): void {
    this.#state = State.Head;
    this.#headParts = [];
    this.#headLength = 0;
    this.#pendingHeaders = undefined;
    this.#pendingType = '';
    this.#body = EMPTY;
    this.#bodyFilled = 0;
    this.#backlog = [];
  }

  #consumeGuarded(buf: Buffer, later: Buffer[]): void {
    let pos = 0;
    const emitAt = (frame: Frame, next: number): void => {
      pos = next;
      try {
        this.#onFrame(frame);
      } catch (err) {
        if (pos < buf.length) later.unshift(buf.subarray(pos));
        this.#backlog = later;
        throw err;
      }
    };
    try {
      while (pos < buf.length) {
        pos = this.#state === State.Head ? this.#readHead(buf, pos, emitAt) : this.#readBody(buf, pos, emitAt);
      }
    } catch (err) {
      if (err instanceof ProtocolError) this.#fail();
      throw err;
    }
  }

  #fail(): void {
    this.reset();
    this.#state = State.Failed;
  }

  /** Looks for the end of the header block from `pos`; returns the next position. */
  #readHead(buf: Buffer, pos: number, emit: (frame: Frame, next: number) => void): number {
    let end: number; // index of the second LF of the blank line
    if (this.#headLength === 0) {
      if (buf[pos] === LF) throw new ProtocolError('unexpected empty line between frames');
      end = buf.indexOf('\n\n', pos, 'latin1');
      if (end >= 0) end += 1;
    } else if (buf[pos] === LF && this.#headEndsWithLF()) {
      end = pos;
    } else {
      end = buf.indexOf('\n\n', pos, 'latin1');
      if (end >= 0) end += 1;
    }
    if (end < 0) {
      const size = this.#headLength + buf.length - pos;
      if (size > MAX_HEADER_BYTES) throw new ProtocolError(`header block exceeds ${MAX_HEADER_BYTES} bytes`);
      this.#headParts.push(buf.subarray(pos));
      this.#headLength = size;
      return buf.length;
    }
    let block: Buffer;
    if (this.#headLength === 0) {
      block = buf.subarray(pos, end);
    } else {
      this.#headParts.push(buf.subarray(pos, end));
      block = Buffer.concat(this.#headParts, this.#headLength + end - pos);
      this.#headParts = [];
      this.#headLength = 0;
    }
    // `block` ends with the first LF of the blank line; its lines end with LF.
    if (block.length > MAX_HEADER_BYTES) throw new ProtocolError(`header block exceeds ${MAX_HEADER_BYTES} bytes`);
    const headers = parseHeaderBlock(block);
    const contentType = headers[Header.ContentType] ?? '';
    const lengthText = headers[Header.ContentLength];
    const next = end + 1;
    if (lengthText === undefined) {
      emit({ contentType, headers, body: undefined }, next);
      return next;
    }
    const length = parseContentLength(lengthText);
    if (buf.length - next >= length) {
      emit({ contentType, headers, body: buf.subarray(next, next + length) }, next + length);
      return next + length;
    }
    this.#state = State.Body;
    this.#pendingHeaders = headers;
    this.#pendingType = contentType;
    this.#body = Buffer.allocUnsafe(length);
    this.#bodyFilled = buf.copy(this.#body, 0, next);
    return buf.length;
  }

  #readBody(buf: Buffer, pos: number, emit: (frame: Frame, next: number) => void): number {
    const need = this.#body.length - this.#bodyFilled;
    const take = Math.min(need, buf.length - pos);
    this.#bodyFilled += buf.copy(this.#body, this.#bodyFilled, pos, pos + take);
    if (take < need) return buf.length;
    const frame: Frame = { contentType: this.#pendingType, headers: this.#pendingHeaders!, body: this.#body };
    this.#state = State.Head;
    this.#pendingHeaders = undefined;
    this.#body = EMPTY;
    this.#bodyFilled = 0;
    emit(frame, pos + take);
    return pos + take;
  }

  #headEndsWithLF(): boolean {
    const last = this.#headParts[this.#headParts.length - 1];
    return last !== undefined && last[last.length - 1] === LF;
  }
}

/**
 * `Name: value\n` lines -> a plain object; values verbatim (decoded as UTF-8).
 * A later duplicate replaces an earlier one.
 */
function parseHeaderBlock(block: Buffer): Record<string, string> {
  const headers: Record<string, string> = {};
  const end = block.length;
  let start = 0;
  while (start < end) {
    const lineEnd = block.indexOf(LF, start);
    const sep = block.indexOf(COLON_SPACE, start);
    if (sep < 0 || sep > lineEnd || sep === start) {
      throw new ProtocolError(`malformed header line: ${JSON.stringify(block.toString('utf8', start, Math.min(lineEnd, start + 200)))}`);
    }
    const name = block.toString('utf8', start, sep);
    const value = block.toString('utf8', sep + 2, lineEnd);
    if (name === '__proto__') {
      Object.defineProperty(headers, name, { value, enumerable: true, writable: true, configurable: true });
    } else {
      headers[name] = value;
    }
    start = lineEnd + 1;
  }
  return headers;
}

function parseContentLength(text: string): number {
  let n = 0;
  if (text.length === 0 || text.length > 9) {
    throw new ProtocolError(`invalid Content-Length: ${JSON.stringify(text.slice(0, 40))}`);
  }
  for (let i = 0; i < text.length; i++) {
    const d = text.charCodeAt(i) - 0x30;
    if (d < 0 || d > 9) throw new ProtocolError(`invalid Content-Length: ${JSON.stringify(text)}`);
    n = n * 10 + d;
  }
  if (n > MAX_BODY_BYTES) throw new ProtocolError(`Content-Length ${n} exceeds ${MAX_BODY_BYTES} bytes`);
  return n;
}

/** Percent-decoding for the outer headers that need it (outbound `connect` reply); see percent.ts. */
export { decodeHeaderValue } from './percent.js';
