/**
 * Reading `text/event-plain` bodies as switch_event_serialize() (switch_event.c)
 * writes them: `Name: url-encoded-value\n` lines, then either one `\n`, or
 * `Content-Length: N\n\n` and N bytes of event body. Values never hold a raw
 * LF (FreeSWITCH encodes it as %0A), so a line is a header.
 *
 * Nothing is decoded eagerly: the layout is the start of every line (one
 * native memchr per line), a lookup compares the wanted name with the bytes
 * at line starts, and only the value asked for is percent-decoded.
 */
import { ProtocolError } from '../errors.js';
import { type HeaderReader, matchesAt, matchesAtFolded, nameBytes } from './header-reader.js';
import { percentDecodeBytes } from './percent.js';

const LF = 0x0a;
const COLON = 0x3a;
const SPACE = 0x20;
const CONTENT_LENGTH_PREFIX = 'content-length: ';

let decodedValues = 0;

/** One value, percent-decoded then read as lenient UTF-8. */
export function decodePlainValue(buf: Buffer, start: number, end: number): string {
  decodedValues++;
  return percentDecodeBytes(buf, start, end);
}

/**
 * Internal (not exported from the package): how many event-plain values have
 * been decoded so far, so tests can observe that decoding is lazy.
 */
export function plainValuesDecoded(): number {
  return decodedValues;
}

/**
 * The line scan's results. One scratch state, reused: readers keep an
 * exact-size copy of the line starts.
 */
const scan = {
  // A plain array: copying ~100 small integers out of it is far cheaper than allocating a typed array.
  lines: [] as number[],
  count: 0,
  /** Last line named exactly / case-insensitively Event-Name and Unique-ID (-1: none). */
  eventName: -1,
  eventNameFolded: -1,
  uniqueId: -1,
  uniqueIdFolded: -1,
};
const EVENT_NAME = Buffer.from('Event-Name: ', 'latin1');
const UNIQUE_ID = Buffer.from('Unique-ID: ', 'latin1');

/**
 * Record where every line starts, up to the blank line (returned: the index
 * of its LF). Every dispatcher reads Event-Name and Unique-ID, so the scan,
 * which visits each line anyway, notes where they are.
 */
function scanLines(buf: Buffer): number {
  const lines = scan.lines;
  let count = 0;
  let start = 0;
  let eventName = -1;
  let eventNameFolded = -1;
  let uniqueId = -1;
  let uniqueIdFolded = -1;
  for (;;) {
    const end = buf.indexOf(LF, start);
    if (end < 0) throw new ProtocolError('event-plain body has no terminating blank line');
    if (end === start) break;
    const first = buf[start]! | 0x20;
    if (first === 0x65 /* e */ && matchesAtFolded(buf, start, EVENT_NAME)) {
      eventNameFolded = count;
      if (matchesAt(buf, start, EVENT_NAME)) eventName = count;
    } else if (first === 0x75 /* u */ && matchesAtFolded(buf, start, UNIQUE_ID)) {
      uniqueIdFolded = count;
      if (matchesAt(buf, start, UNIQUE_ID)) uniqueId = count;
    }
    lines[count++] = start;
    start = end + 1;
  }
  scan.count = count;
  scan.eventName = eventName;
  scan.eventNameFolded = eventNameFolded;
  scan.uniqueId = uniqueId;
  scan.uniqueIdFolded = uniqueIdFolded;
  return start;
}

export class PlainReader implements HeaderReader {
  readonly #buf: Buffer;
  /** Start of each header line; line i ends (LF) at lines[i + 1] - 1. */
  readonly #lines: number[];
  /** Header lines end here (the body's own Content-Length line excluded). */
  readonly #headersEnd: number;
  readonly bodyStart: number;
  readonly bodyEnd: number;
  readonly #eventName: number;
  readonly #eventNameFolded: number;
  readonly #uniqueId: number;
  readonly #uniqueIdFolded: number;
  #valueStarts: number[] | undefined;
  /** The line last found by find() and where its value starts: get() decodes it next. */
  #hitLine = -1;
  #hitStart = 0;

  constructor(buf: Buffer) {
    this.#buf = buf;
    const blank = scanLines(buf);
    let count = scan.count;
    this.bodyStart = blank + 1;
    this.bodyEnd = buf.length;
    this.#headersEnd = blank;
    if (this.bodyStart < buf.length) {
      // A body is announced by a last header line `Content-Length: N` (N in bytes).
      const last = count > 0 ? scan.lines[--count] : undefined;
      const line = last === undefined ? '' : buf.toString('latin1', last, blank - 1);
      const declared = line.slice(CONTENT_LENGTH_PREFIX.length);
      if (line.slice(0, CONTENT_LENGTH_PREFIX.length).toLowerCase() !== CONTENT_LENGTH_PREFIX || !/^\d+$/.test(declared)) {
        throw new ProtocolError('event-plain body without a Content-Length line before it');
      }
      if (Number(declared) !== buf.length - this.bodyStart) {
        throw new ProtocolError(`event-plain Content-Length ${declared} but ${buf.length - this.bodyStart} body bytes`);
      }
      this.#headersEnd = last!;
    }
    this.#lines = scan.lines.slice(0, count);
    this.#eventName = scan.eventName;
    this.#eventNameFolded = scan.eventNameFolded;
    this.#uniqueId = scan.uniqueId;
    this.#uniqueIdFolded = scan.uniqueIdFolded;
  }

  get count(): number {
    return this.#lines.length;
  }

  #lineEnd(i: number): number {
    return (i + 1 < this.#lines.length ? this.#lines[i + 1]! : this.#headersEnd) - 1;
  }

  find(name: string, folded: boolean): number {
    if (name === 'Event-Name') return this.#hit(folded ? this.#eventNameFolded : this.#eventName, 12);
    if (name === 'Unique-ID') return this.#hit(folded ? this.#uniqueIdFolded : this.#uniqueId, 11);
    const needle = nameBytes(name);
    const buf = this.#buf;
    const lines = this.#lines;
    const n = needle.length;
    const first = needle[0];
    for (let i = lines.length - 1; i >= 0; i--) {
      const start = lines[i]!;
      // Cheapest tests first: the separator right after the name, then the first byte.
      if (buf[start + n] !== COLON || buf[start + n + 1] !== SPACE) continue;
      if (!folded && buf[start] !== first) continue;
      if (start + n + 1 >= this.#lineEnd(i)) continue;
      if (folded ? matchesAtFolded(buf, start, needle) : matchesAt(buf, start, needle)) {
        this.#hitLine = i;
        this.#hitStart = start + n + 2;
        return i;
      }
    }
    return -1;
  }

  /** A line found by the scan (the name and ": " take `prefix` bytes). */
  #hit(i: number, prefix: number): number {
    if (i >= 0) {
      this.#hitLine = i;
      this.#hitStart = this.#lines[i]! + prefix;
    }
    return i;
  }

  nameAt(i: number): string {
    const start = this.#lines[i]!;
    return this.#buf.toString('utf8', start, this.#valueStart(i) - 2);
  }

  valueAt(i: number): string {
    return decodePlainValue(this.#buf, this.#valueStart(i), this.#lineEnd(i));
  }

  /** After the first ": " of the line (a name may hold a ':' not followed by a space). */
  #valueStart(i: number): number {
    if (i === this.#hitLine) return this.#hitStart;
    if (this.#valueStarts === undefined) this.#valueStarts = new Array<number>(this.#lines.length).fill(-1);
    const starts = this.#valueStarts;
    if (starts[i]! >= 0) return starts[i]!;
    const buf = this.#buf;
    const start = this.#lines[i]!;
    const end = this.#lineEnd(i);
    let sep = buf.indexOf(COLON, start);
    while (sep >= 0 && sep < end && buf[sep + 1] !== SPACE) sep = buf.indexOf(COLON, sep + 1);
    if (sep < 0 || sep >= end || sep === start) {
      throw new ProtocolError(
        `malformed event-plain header line: ${JSON.stringify(buf.toString('utf8', start, Math.min(end, start + 200)))}`,
      );
    }
    starts[i] = sep + 2;
    return sep + 2;
  }

  /** Every line must be a header: checked when all headers are listed. */
  validate(): void {
    for (let i = 0; i < this.#lines.length; i++) this.#valueStart(i);
  }

  body(): string | undefined {
    return this.bodyEnd > this.bodyStart ? this.#buf.toString('utf8', this.bodyStart, this.bodyEnd) : undefined;
  }
}
