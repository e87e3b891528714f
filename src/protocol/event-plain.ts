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
  /** Last line named exactly Event-Name / Unique-ID (-1: none). */
  eventName: -1,
  uniqueId: -1,
};
const EVENT_NAME = Buffer.from('Event-Name: ', 'latin1');
const UNIQUE_ID = Buffer.from('Unique-ID: ', 'latin1');

/**
 * Record where every line starts, up to the blank line (returned: the index
 * of its LF). Every dispatcher reads Event-Name and Unique-ID, so the scan,
 * which visits each line anyway, notes where they are: two byte loads per
 * line (the ": " after a name of that length) rule out all but a few lines.
 */
function scanLines(buf: Buffer): number {
  const lines = scan.lines;
  let count = 0;
  let start = 0;
  let eventName = -1;
  let uniqueId = -1;
  for (;;) {
    const end = buf.indexOf(LF, start);
    if (end < 0) throw new ProtocolError('event-plain body has no terminating blank line');
    if (end === start) break;
    if (buf[start + 10] === COLON && buf[start + 11] === SPACE) {
      if (end - start > 11 && matchesAt(buf, start, EVENT_NAME)) eventName = count;
    } else if (buf[start + 9] === COLON && buf[start + 10] === SPACE) {
      if (end - start > 10 && matchesAt(buf, start, UNIQUE_ID)) uniqueId = count;
    }
    lines[count++] = start;
    start = end + 1;
  }
  scan.count = count;
  scan.eventName = eventName;
  scan.uniqueId = uniqueId;
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
  readonly #uniqueId: number;
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
    this.#eventName = scan.eventName;
    this.#uniqueId = scan.uniqueId;
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
      if (this.#eventName === count) this.#eventName = -1;
      if (this.#uniqueId === count) this.#uniqueId = -1;
    }
    this.#lines = scan.lines.slice(0, count);
  }

  /** The exact-case line noted by the scan, else the lines searched (exactly, then ignoring case). */
  lookup(name: string): string | undefined {
    let i = name === 'Event-Name' ? this.#eventName : name === 'Unique-ID' ? this.#uniqueId : this.find(name, false);
    if (i < 0) i = this.find(name, true);
    return i < 0 ? undefined : this.valueAt(i);
  }

  get count(): number {
    return this.#lines.length;
  }

  #lineEnd(i: number): number {
    const lines = this.#lines;
    return (i + 1 < lines.length ? lines[i + 1]! : this.#headersEnd) - 1;
  }

  find(name: string, folded: boolean): number {
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

  nameAt(i: number): string {
    const start = this.#lines[i]!;
    return this.#buf.toString('utf8', start, this.#valueStart(i) - 2);
  }

  valueAt(i: number): string {
    return decodePlainValue(this.#buf, this.#valueStart(i), this.#lineEnd(i));
  }

  /** After the first ": " of the line (a name may hold a ':' not followed by a space). */
  #valueStart(i: number): number {
    // The lines found by name: the value follows the name and ": ".
    if (i === this.#eventName) return this.#lines[i]! + EVENT_NAME.length;
    if (i === this.#uniqueId) return this.#lines[i]! + UNIQUE_ID.length;
    if (i === this.#hitLine) return this.#hitStart;
    const lines = this.#lines;
    if (this.#valueStarts === undefined) this.#valueStarts = new Array<number>(lines.length).fill(-1);
    const starts = this.#valueStarts;
    if (starts[i]! >= 0) return starts[i]!;
    const buf = this.#buf;
    const start = lines[i]!;
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
    const n = this.#lines.length;
    for (let i = 0; i < n; i++) this.#valueStart(i);
  }

  body(): string | undefined {
    return this.bodyEnd > this.bodyStart ? this.#buf.toString('utf8', this.bodyStart, this.bodyEnd) : undefined;
  }
}
