/**
 * Reading `text/event-plain` bodies as switch_event_serialize() (switch_event.c)
 * writes them: `Name: url-encoded-value\n` lines, then either one `\n`, or
 * `Content-Length: N\n\n` and N bytes of event body. Values never hold a raw
 * LF (FreeSWITCH encodes it as %0A), so a line is a header.
 *
 * Nothing is decoded eagerly, and most events are never indexed line by line.
 * The framing is found with two native searches (the `Content-Length` line
 * that announces a body, else the blank line ending the buffer); a lookup
 * searches the raw bytes for `\nName: ` (the rarest byte of it natively, see
 * nextMatch) and only the value asked for is percent-decoded. FreeSWITCH
 * writes Event-Name first (switch_event_create), but an event fired again
 * (COMMAND -> PRIVATE_COMMAND) or sent by a client carries more than one, so
 * the whole header block is still searched: the last occurrence wins. The
 * index of every line start (one memchr per line) is built only when all
 * headers are listed, and it checks the framing found by the fast path.
 */
import { ProtocolError } from '../errors.js';
import {
  type HeaderReader,
  indexIn,
  knownText,
  lastMatchFolded,
  matchesAt,
  matchesAtFolded,
  makeNeedle,
  type Needle,
  nameBytes,
  nextMatch,
} from './header-reader.js';
import { percentDecodeBytes } from './percent.js';

const LF = 0x0a;
const COLON = 0x3a;
const SPACE = 0x20;
const PERCENT = 0x25;
/** Values up to this many bytes are walked in JS rather than searched natively. */
const SHORT_VALUE = 64;
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

/** Where each line starts, up to the blank line (returned: the index of its LF). Scratch, reused. */
const scratch: number[] = [];

function scanLines(buf: Buffer): { blank: number; count: number } {
  let count = 0;
  let start = 0;
  for (;;) {
    const end = buf.indexOf(LF, start);
    if (end < 0) throw new ProtocolError('event-plain body has no terminating blank line');
    if (end === start) return { blank: end, count };
    scratch[count++] = start;
    start = end + 1;
  }
}

const LENGTH_LINE = makeNeedle(Buffer.from('\nContent-Length: ', 'latin1'), 1);
/** Needles `\nName: ` by name, bounded like nameBytes' cache. */
const lineNeedles = new Map<string, Needle>();
const MAX_NEEDLES = 4096;

function lineNeedle(name: string): Needle {
  let needle = lineNeedles.get(name);
  if (needle === undefined) {
    const bytes = nameBytes(name);
    const line = Buffer.allocUnsafe(bytes.length + 3);
    line[0] = LF;
    bytes.copy(line, 1);
    line[bytes.length + 1] = COLON;
    line[bytes.length + 2] = SPACE;
    needle = makeNeedle(line, 1);
    if (lineNeedles.size >= MAX_NEEDLES) lineNeedles.clear();
    lineNeedles.set(name, needle);
  }
  return needle;
}

/** The buffer starts with `line` after its leading LF (ignoring ASCII case when `folded`). */
function startsLine(buf: Buffer, line: Buffer, folded: boolean): boolean {
  const n = line.length - 1;
  if (n > buf.length) return false;
  for (let k = 0; k < n; k++) {
    const a = buf[k]!;
    const b = line[k + 1]!;
    if (a !== b && (!folded || (a | 0x20) !== (b | 0x20) || !isLetter(a))) return false;
  }
  return true;
}

const isLetter = (b: number): boolean => (b >= 0x41 && b <= 0x5a) || (b >= 0x61 && b <= 0x7a);

/** The two lines every dispatcher reads, spared the cache lookup. */
const EVENT_NAME_LINE = lineNeedle('Event-Name');
const UNIQUE_ID_LINE = lineNeedle('Unique-ID');
const anywhere = (): boolean => true;

export class PlainReader implements HeaderReader {
  readonly #buf: Buffer;
  /** Header lines end here: at the body's own Content-Length line, or at the blank line's LF. */
  #headersEnd = 0;
  #bodyStart = 0;
  /** Where the fast framing put the body (-1: the index framed it). */
  #framedBodyStart = -1;
  /** Start of each header line, once indexed; line i ends (LF) at lines[i + 1] - 1. */
  #lines: number[] | undefined;
  #valueStarts: number[] | undefined;
  /** The line last found by find() and where its value starts: valueAt() decodes it next. */
  #hitLine = -1;
  #hitStart = 0;

  constructor(buf: Buffer) {
    this.#buf = buf;
    // Anything the two searches cannot frame takes the full scan, which reports what is wrong.
    if (!this.#frame()) this.#index();
  }

  /**
   * The framing switch_event_serialize writes: a body is announced by the
   * last header line, `Content-Length: N`, then the blank line; without one,
   * the buffer ends with the last header's LF and the blank line. Returns
   * false for anything else. A blank line inside the headers is not looked
   * for here (FreeSWITCH never writes one): the index, built when all headers
   * are listed, checks it.
   */
  #frame(): boolean {
    const buf = this.#buf;
    const n = buf.length;
    const at = nextMatch(buf, LENGTH_LINE, 0);
    if (at >= 0) {
      const digits = at + LENGTH_LINE.bytes.length;
      let i = digits;
      let length = 0;
      for (; i < n && i - digits < 9; i++) {
        const d = buf[i]! - 0x30;
        if (d < 0 || d > 9) break;
        length = length * 10 + d;
      }
      if (i === digits || buf[i] !== LF || buf[i + 1] !== LF || length !== n - i - 2) return false;
      this.#headersEnd = at + 1;
      this.#bodyStart = i + 2;
      this.#framedBodyStart = this.#bodyStart;
      return true;
    }
    if (n < 2 || buf[n - 1] !== LF || buf[n - 2] !== LF) return false;
    this.#headersEnd = n - 1;
    this.#bodyStart = n;
    this.#framedBodyStart = n;
    return true;
  }

  /** Every line start, checking the whole framing (the errors of a malformed event come from here). */
  #index(): number[] {
    if (this.#lines !== undefined) return this.#lines;
    const buf = this.#buf;
    const scan = scanLines(buf);
    let count = scan.count;
    let headersEnd = scan.blank;
    const bodyStart = scan.blank + 1;
    if (bodyStart < buf.length) {
      // A body is announced by a last header line `Content-Length: N` (N in bytes).
      const last = count > 0 ? scratch[--count] : undefined;
      const line = last === undefined ? '' : buf.toString('latin1', last, scan.blank - 1);
      const declared = line.slice(CONTENT_LENGTH_PREFIX.length);
      if (line.slice(0, CONTENT_LENGTH_PREFIX.length).toLowerCase() !== CONTENT_LENGTH_PREFIX || !/^\d+$/.test(declared)) {
        throw new ProtocolError('event-plain body without a Content-Length line before it');
      }
      if (Number(declared) !== buf.length - bodyStart) {
        throw new ProtocolError(`event-plain Content-Length ${declared} but ${buf.length - bodyStart} body bytes`);
      }
      headersEnd = last!;
    }
    if (this.#framedBodyStart >= 0 && this.#framedBodyStart !== bodyStart) throw new ProtocolError('event-plain headers hold a blank line');
    this.#headersEnd = headersEnd;
    this.#bodyStart = bodyStart;
    this.#lines = scratch.slice(0, count);
    return this.#lines;
  }

  /**
   * Where the value of the last line named `name` starts (exactly, else
   * ignoring case), or -1: a search of the header block for `\nName: `, and
   * a look at the first line, which has no LF before it.
   */
  #lastValue(name: string): number {
    const buf = this.#buf;
    const needle = name === 'Event-Name' ? EVENT_NAME_LINE : name === 'Unique-ID' ? UNIQUE_ID_LINE : lineNeedle(name);
    const bytes = needle.bytes;
    const end = this.#headersEnd - 1;
    let found = -1;
    for (let at = nextMatch(buf, needle, 0); at >= 0 && at < end; at = nextMatch(buf, needle, at + 1)) found = at + 1;
    if (found < 0 && end >= 0 && startsLine(buf, bytes, false)) found = 0;
    if (found < 0) {
      const at = lastMatchFolded(buf, needle, 0, end, anywhere);
      if (at >= 0) found = at + 1;
      else if (end >= 0 && startsLine(buf, bytes, true)) found = 0;
    }
    return found < 0 ? -1 : found + bytes.length - 1;
  }

  lookup(name: string): string | undefined {
    // A name holding a LF could span lines in the raw bytes: the index reads it line by line.
    if (name !== 'Event-Name' && name !== 'Unique-ID' && name.includes('\n')) {
      let i = this.find(name, false);
      if (i < 0) i = this.find(name, true);
      return i < 0 ? undefined : this.valueAt(i);
    }
    const start = this.#lastValue(name);
    if (start < 0) return undefined;
    return this.#valueFrom(start);
  }

  /**
   * The value from `start` to its LF. Short values (a uuid, a name) are
   * walked once in place, which also tells whether there is a `%` to decode;
   * long ones take native searches.
   */
  #valueFrom(start: number): string {
    const buf = this.#buf;
    const limit = Math.min(start + SHORT_VALUE, this.#headersEnd);
    let plain = true;
    for (let i = start; i < limit; i++) {
      const b = buf[i]!;
      if (b === LF) {
        if (!plain) return decodePlainValue(buf, start, i);
        decodedValues++;
        return knownText(buf, start, i);
      }
      if (b === PERCENT) plain = false;
    }
    return decodePlainValue(buf, start, indexIn(buf, LF, limit, this.#headersEnd));
  }

  get count(): number {
    return this.#index().length;
  }

  #lineEnd(i: number): number {
    const lines = this.#lines!;
    return (i + 1 < lines.length ? lines[i + 1]! : this.#headersEnd) - 1;
  }

  find(name: string, folded: boolean): number {
    const lines = this.#index();
    const needle = nameBytes(name);
    const buf = this.#buf;
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
    const start = this.#index()[i]!;
    return this.#buf.toString('utf8', start, this.#valueStart(i) - 2);
  }

  valueAt(i: number): string {
    this.#index();
    return decodePlainValue(this.#buf, this.#valueStart(i), this.#lineEnd(i));
  }

  /** After the first ": " of the line (a name may hold a ':' not followed by a space). */
  #valueStart(i: number): number {
    if (i === this.#hitLine) return this.#hitStart;
    const lines = this.#lines!;
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
    const n = this.#index().length;
    for (let i = 0; i < n; i++) this.#valueStart(i);
  }

  /** The body, once the index has checked where the headers end. */
  body(): string | undefined {
    this.#index();
    return this.#buf.length > this.#bodyStart ? this.#buf.toString('utf8', this.#bodyStart, this.#buf.length) : undefined;
  }
}
