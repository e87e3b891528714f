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
import { knownText, matchesAt } from './header-reader.js';
import { ContentType, Header } from './names.js';

/** FreeSWITCH's limits on one frame. */
export const MAX_HEADER_BYTES = 10 * 1024 * 1024;
export const MAX_BODY_BYTES = 16 * 1024 * 1024;

const LF = 0x0a;
const COLON = 0x3a;
const SPACE = 0x20;
const LENGTH_PREFIX = Buffer.from('Content-Length: ', 'latin1');
const EVENT_TYPE_PREFIX = Buffer.from('Content-Type: text/event-', 'latin1');
const PLAIN_END = Buffer.from('plain\n\n', 'latin1');
const JSON_END = Buffer.from('json\n\n', 'latin1');
const XML_END = Buffer.from('xml\n\n', 'latin1');
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
    if (this.#headLength === 0) {
      // Common case: the whole block is in this chunk. Parse its lines while
      // looking for the blank line, one native byte search (memchr) per line.
      if (buf[pos] === LF) throw new ProtocolError('unexpected empty line between frames');
      const next = this.#eventHead(buf, pos, emit);
      if (next >= 0) return next;
      const headers: Record<string, string> = {};
      let start = pos;
      for (;;) {
        const lineEnd = buf.indexOf(LF, start);
        if (lineEnd < 0) break;
        if (lineEnd === start) return this.#headDone(buf, lineEnd + 1, headers, emit);
        if (lineEnd - pos > MAX_HEADER_BYTES) throw new ProtocolError(`header block exceeds ${MAX_HEADER_BYTES} bytes`);
        addHeaderLine(headers, buf, start, lineEnd);
        start = lineEnd + 1;
      }
      // The block continues in the next chunk: keep this piece (the partial
      // parse is dropped; these bytes are parsed once more, when joined).
      return this.#keepHeadPiece(buf, pos);
    }
    let end = -1; // index of the LF that makes the blank line
    if (buf[pos] === LF && this.#headEndsWithLF()) {
      end = pos;
    } else {
      let start = pos;
      for (;;) {
        const lineEnd = buf.indexOf(LF, start);
        if (lineEnd < 0) break;
        if (lineEnd === start && start !== pos) {
          end = lineEnd;
          break;
        }
        start = lineEnd + 1;
      }
    }
    if (end < 0) return this.#keepHeadPiece(buf, pos);
    const size = this.#headLength + end - pos;
    if (size > MAX_HEADER_BYTES) throw new ProtocolError(`header block exceeds ${MAX_HEADER_BYTES} bytes`);
    this.#headParts.push(buf.subarray(pos, end));
    const block = Buffer.concat(this.#headParts, size);
    this.#headParts = [];
    this.#headLength = 0;
    // `block` ends with the first LF of the blank line; its lines end with LF.
    const headers: Record<string, string> = {};
    let start = 0;
    while (start < block.length) {
      const lineEnd = block.indexOf(LF, start);
      addHeaderLine(headers, block, start, lineEnd);
      start = lineEnd + 1;
    }
    return this.#headDone(buf, end + 1, headers, emit);
  }

  /**
   * Fast path for the block mod_event_socket writes before every event,
   * `Content-Length: N\nContent-Type: text/event-FORMAT\n\n`, matched byte for
   * byte with no search; returns -1 when the block is anything else.
   */
  #eventHead(buf: Buffer, pos: number, emit: (frame: Frame, next: number) => void): number {
    if (!matchesAt(buf, pos, LENGTH_PREFIX)) return -1;
    const digitsStart = pos + LENGTH_PREFIX.length;
    let i = digitsStart;
    let length = 0;
    for (; i < buf.length && i - digitsStart < 9; i++) {
      const d = buf[i]! - 0x30;
      if (d < 0 || d > 9) break;
      length = length * 10 + d;
    }
    // Leading zeros (never sent) and oversized bodies take the general path, which keeps the text or fails.
    if (i === digitsStart || buf[i] !== LF || (buf[digitsStart] === 0x30 && i - digitsStart > 1)) return -1;
    if (length > MAX_BODY_BYTES || !matchesAt(buf, i + 1, EVENT_TYPE_PREFIX)) return -1;
    const tail = i + 1 + EVENT_TYPE_PREFIX.length;
    let contentType: string;
    let next: number;
    if (matchesAt(buf, tail, PLAIN_END)) {
      contentType = ContentType.EventPlain;
      next = tail + PLAIN_END.length;
    } else if (matchesAt(buf, tail, JSON_END)) {
      contentType = ContentType.EventJson;
      next = tail + JSON_END.length;
    } else if (matchesAt(buf, tail, XML_END)) {
      contentType = ContentType.EventXml;
      next = tail + XML_END.length;
    } else {
      return -1;
    }
    // Literal keys (not computed ones) give every event frame's headers one hidden class;
    // the digits, without leading zeros, are the number's own text (no call into a native decoder).
    const headers: Record<string, string> = { 'Content-Length': String(length), 'Content-Type': contentType };
    return this.#bodyOf(buf, next, headers, contentType, length, emit);
  }

  #keepHeadPiece(buf: Buffer, pos: number): number {
    const size = this.#headLength + buf.length - pos;
    if (size > MAX_HEADER_BYTES) throw new ProtocolError(`header block exceeds ${MAX_HEADER_BYTES} bytes`);
    this.#headParts.push(buf.subarray(pos));
    this.#headLength = size;
    return buf.length;
  }

  /** The header block is complete; `next` is the first byte after it. */
  #headDone(buf: Buffer, next: number, headers: Record<string, string>, emit: (frame: Frame, next: number) => void): number {
    const contentType = headers[Header.ContentType] ?? '';
    const lengthText = headers[Header.ContentLength];
    if (lengthText === undefined) {
      emit({ contentType, headers, body: undefined }, next);
      return next;
    }
    return this.#bodyOf(buf, next, headers, contentType, parseContentLength(lengthText), emit);
  }

  /** The header block says `length` body bytes follow from `next`. */
  #bodyOf(
    buf: Buffer,
    next: number,
    headers: Record<string, string>,
    contentType: string,
    length: number,
    emit: (frame: Frame, next: number) => void,
  ): number {
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
 * One `Name: value` line (bytes [start, end)) into `headers`; the value is kept
 * verbatim (read as UTF-8). A later duplicate replaces an earlier one.
 */
function addHeaderLine(headers: Record<string, string>, buf: Buffer, start: number, end: number): void {
  // The separator is the first ": " (a name may hold a ':' not followed by a space).
  let sep = buf.indexOf(COLON, start);
  while (sep >= 0 && sep < end && buf[sep + 1] !== SPACE) sep = buf.indexOf(COLON, sep + 1);
  if (sep < 0 || sep >= end || sep === start) {
    throw new ProtocolError(`malformed header line: ${JSON.stringify(buf.toString('utf8', start, Math.min(end, start + 200)))}`);
  }
  const name = knownText(buf, start, sep);
  const value = knownText(buf, sep + 2, end);
  if (name === '__proto__') {
    Object.defineProperty(headers, name, { value, enumerable: true, writable: true, configurable: true });
  } else {
    headers[name] = value;
  }
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
