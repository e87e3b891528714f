/**
 * Reading `text/event-plain` bodies as switch_event_serialize() (switch_event.c)
 * writes them: `Name: url-encoded-value\n` lines, then either one `\n`, or
 * `Content-Length: N\n\n` and N bytes of event body. Values never hold a raw
 * LF (FreeSWITCH encodes it as %0A), so a line is a header.
 *
 * Nothing here decodes eagerly: `layoutPlain` finds the header/body boundary,
 * `findPlainValue` finds one header by an exact-case native search, and
 * `indexPlain` (only for case-insensitive lookups and full listings) indexes
 * every line and decodes the names, never the values.
 */
import { ProtocolError } from '../errors.js';
import { percentDecodeBytes } from './percent.js';

const LF = 0x0a;
const COLON_SPACE = Buffer.from(': ', 'latin1');
const BLANK_LINE = Buffer.from('\n\n', 'latin1');
const CONTENT_LENGTH_PREFIX = 'content-length: ';

export interface PlainLayout {
  /** Header lines occupy [0, headersEnd); each ends with LF. */
  readonly headersEnd: number;
  /** The event body's bytes; empty (start === end) when the event has none. */
  readonly bodyStart: number;
  readonly bodyEnd: number;
}

export interface HeaderIndex {
  readonly names: string[];
  readonly starts: number[];
  readonly ends: number[];
}

export function layoutPlain(buf: Buffer): PlainLayout {
  const blank = buf.indexOf(BLANK_LINE);
  if (blank < 0) throw new ProtocolError('event-plain body has no terminating blank line');
  const bodyStart = blank + 2;
  if (bodyStart === buf.length) return { headersEnd: blank + 1, bodyStart, bodyEnd: bodyStart };
  // A body is announced by a last header line `Content-Length: N` (N in bytes).
  const lineStart = blank === 0 ? 0 : buf.lastIndexOf(LF, blank - 1) + 1;
  const line = buf.toString('latin1', lineStart, blank);
  const declared = line.slice(CONTENT_LENGTH_PREFIX.length);
  if (line.slice(0, CONTENT_LENGTH_PREFIX.length).toLowerCase() !== CONTENT_LENGTH_PREFIX || !/^\d+$/.test(declared)) {
    throw new ProtocolError('event-plain body without a Content-Length line before it');
  }
  if (Number(declared) !== buf.length - bodyStart) {
    throw new ProtocolError(`event-plain Content-Length ${declared} but ${buf.length - bodyStart} body bytes`);
  }
  return { headersEnd: lineStart, bodyStart, bodyEnd: buf.length };
}

/** Needles `\nName: ` by header name; bounded so odd names cannot grow it forever. */
const needles = new Map<string, Buffer>();
const MAX_NEEDLES = 4096;

function needleFor(name: string): Buffer {
  let needle = needles.get(name);
  if (needle === undefined) {
    needle = Buffer.from(`\n${name}: `, 'utf8');
    if (needles.size >= MAX_NEEDLES) needles.clear();
    needles.set(name, needle);
  }
  return needle;
}

/**
 * Where the value of the LAST header named exactly `name` starts, or -1 (its
 * end is the next LF). A repeated name means FreeSWITCH appended newer values
 * (switch_event_prep_for_delivery() adds a second Event-Name, Event-Sequence...
 * when an event is fired again as PRIVATE_COMMAND), so the last one is current.
 * One native backward search.
 */
export function findPlainValue(buf: Buffer, headersEnd: number, name: string): number {
  const needle = needleFor(name);
  const n = needle.length;
  if (headersEnd >= 2) {
    const at = buf.lastIndexOf(needle, headersEnd - 2);
    if (at >= 0) return at + n;
  }
  // The first line has no LF before it.
  if (n - 1 <= headersEnd && buf.compare(needle, 1, n, 0, n - 1) === 0) return n - 1;
  return -1;
}

/** End of the value starting at `start` (the LF ending its line). */
export function valueEnd(buf: Buffer, start: number): number {
  return buf.indexOf(LF, start);
}

/** Every header line's name and value range, in wire order. */
export function indexPlain(buf: Buffer, headersEnd: number): HeaderIndex {
  const names: string[] = [];
  const starts: number[] = [];
  const ends: number[] = [];
  let start = 0;
  while (start < headersEnd) {
    const lineEnd = buf.indexOf(LF, start);
    const sep = buf.indexOf(COLON_SPACE, start);
    if (sep < 0 || sep > lineEnd || sep === start) {
      throw new ProtocolError(
        `malformed event-plain header line: ${JSON.stringify(buf.toString('utf8', start, Math.min(lineEnd, start + 200)))}`,
      );
    }
    names.push(buf.toString('utf8', start, sep));
    starts.push(sep + 2);
    ends.push(lineEnd);
    start = lineEnd + 1;
  }
  return { names, starts, ends };
}

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
