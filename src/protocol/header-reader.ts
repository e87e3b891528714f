/**
 * What EslEvent needs from each event format's reader (event-plain.ts,
 * event-json.ts, event-xml.ts), and the byte comparisons they share: header
 * names are matched against the raw bytes, so looking one up decodes nothing.
 */

export interface HeaderReader {
  /** Number of headers, repeats included. */
  readonly count: number;
  /**
   * The decoded value of the last header named exactly `name`, else of the
   * last one named so ignoring ASCII case; undefined when none. The fast path
   * of EslEvent.get(): a reader may answer it without indexing every header.
   */
  lookup(name: string): string | undefined;
  /** The LAST header whose name equals `name` (ASCII case folded when `folded`), or -1. */
  find(name: string, folded: boolean): number;
  nameAt(i: number): string;
  /** The decoded value of header i. */
  valueAt(i: number): string;
  /** Throws ProtocolError if some header is malformed (checked when all are listed). */
  validate(): void;
  body(): string | undefined;
}

/** UTF-8 bytes of header names, bounded so odd names cannot grow it forever. */
const cache = new Map<string, Buffer>();
const MAX_CACHED = 4096;

export function nameBytes(name: string): Buffer {
  let bytes = cache.get(name);
  if (bytes === undefined) {
    bytes = Buffer.from(name, 'utf8');
    if (cache.size >= MAX_CACHED) cache.clear();
    cache.set(name, bytes);
  }
  return bytes;
}

/** buf[at, at + needle.length) equals needle. */
export function matchesAt(buf: Uint8Array, at: number, needle: Uint8Array): boolean {
  const n = needle.length;
  if (at + n > buf.length) return false;
  for (let k = 0; k < n; k++) if (buf[at + k] !== needle[k]) return false;
  return true;
}

const fold = (b: number): number => (b >= 0x41 && b <= 0x5a ? b | 0x20 : b);

/** The same, ignoring ASCII case (as switch_event_get_header's strcasecmp). */
export function matchesAtFolded(buf: Uint8Array, at: number, needle: Uint8Array): boolean {
  const n = needle.length;
  if (at + n > buf.length) return false;
  for (let k = 0; k < n; k++) if (fold(buf[at + k]!) !== fold(needle[k]!)) return false;
  return true;
}

/**
 * The last indexed name equal to `name` (exact, or ignoring ASCII case), given
 * the names' byte ranges; -1 when none. Later occurrences win, as FreeSWITCH's
 * repeated headers (a re-fired event's Event-Name) mean the latest.
 */
export function lastIndexedName(
  buf: Uint8Array,
  nameStart: readonly number[],
  nameEnd: readonly number[],
  name: string,
  folded: boolean,
): number {
  const needle = nameBytes(name);
  for (let i = nameStart.length - 1; i >= 0; i--) {
    const start = nameStart[i]!;
    if (nameEnd[i]! - start !== needle.length) continue;
    if (folded ? matchesAtFolded(buf, start, needle) : matchesAt(buf, start, needle)) return i;
  }
  return -1;
}

/**
 * Index of `byte` in buf[start, end), or -1. A native search runs on until it
 * finds the byte, maybe far past `end`; short ranges (header values) are
 * checked in place instead.
 */
export function indexIn(buf: Uint8Array, byte: number, start: number, end: number): number {
  if (end - start <= 64) {
    for (let i = start; i < end; i++) if (buf[i] === byte) return i;
    return -1;
  }
  const at = (buf as Buffer).indexOf(byte, start);
  return at >= 0 && at < end ? at : -1;
}

/**
 * Bytes from most to least frequent in FreeSWITCH event text (measured on
 * the captures; headers like `Caller-Caller-ID-Number`, url-encoded values;
 * XML's markup first); bytes not listed are rarer still.
 */
const BY_FREQUENCY = '<>/eal-rni0t":_Cc2o \nd1bs3m4vuph%D97,I6fNTA58.gESPHwRULkWFyMO';
const RANK = new Uint8Array(256);
for (let i = 0; i < BY_FREQUENCY.length; i++) RANK[BY_FREQUENCY.charCodeAt(i)] = BY_FREQUENCY.length - i;

/** A byte string to search for, with the byte of it that is rarest in events (its pivot). */
export interface Needle {
  readonly bytes: Buffer;
  readonly pivot: number;
  readonly pivotByte: number;
}

/** `markup` bytes at the start (e.g. `<`, everywhere in XML) are never the pivot. */
export function makeNeedle(bytes: Buffer, markup = 0): Needle {
  let pivot = markup;
  for (let k = markup + 1; k < bytes.length; k++) if (RANK[bytes[k]!]! < RANK[bytes[pivot]!]!) pivot = k;
  return { bytes, pivot, pivotByte: bytes[pivot]! };
}

/**
 * The first occurrence of the needle starting at or after `from`, or -1. A
 * native search for one byte (memchr) runs several times faster than Node's
 * search for a byte string, which rebuilds its skip tables on every call and
 * stalls on frequent first bytes; so the rarest byte is searched and the rest
 * compared in place.
 */
export function nextMatch(buf: Buffer, needle: Needle, from: number): number {
  const { bytes, pivot, pivotByte } = needle;
  let p = from + pivot;
  for (;;) {
    const hit = buf.indexOf(pivotByte, p);
    if (hit < 0) return -1;
    if (matchesAt(buf, hit - pivot, bytes)) return hit - pivot;
    p = hit + 1;
  }
}

/**
 * The last match of the needle ignoring ASCII case, at or after `from` and
 * before `end`, that `accept` takes; -1 if none. The pivot byte is searched
 * in both cases.
 */
export function lastMatchFolded(
  buf: Buffer,
  needle: Needle,
  from: number,
  end: number,
  accept: (at: number) => boolean,
): number {
  const { bytes, pivot } = needle;
  const lower = fold(needle.pivotByte);
  const upper = lower >= 0x61 && lower <= 0x7a ? lower - 0x20 : lower;
  let found = -1;
  for (const byte of lower === upper ? [lower] : [lower, upper]) {
    for (let hit = buf.indexOf(byte, from + pivot); hit >= 0 && hit - pivot < end; hit = buf.indexOf(byte, hit + 1)) {
      const at = hit - pivot;
      if (at > found && matchesAtFolded(buf, at, bytes) && accept(at)) found = at;
    }
  }
  return found;
}

/**
 * Short texts seen so far, direct-mapped by length and first and last byte:
 * the same header names and many values recur (Content-Type: command/reply,
 * Reply-Text: +OK accepted, Event-Name: CHANNEL_CREATE), so most are a byte
 * compare instead of a decode. Only texts decoded to as many chars as bytes
 * are kept: each char is then its byte (ASCII) or U+FFFD (which equals no
 * byte), so the compare is exact.
 */
const knownTexts = new Map<number, string>();
const MAX_KNOWN_TEXTS = 1024;
export const MAX_KNOWN_LENGTH = 32;

/** buf[start, end) read as UTF-8 (lenient). */
export function knownText(buf: Buffer, start: number, end: number): string {
  const length = end - start;
  if (length > MAX_KNOWN_LENGTH || length === 0) return buf.toString('utf8', start, end);
  const key = (length << 16) | (buf[start]! << 8) | buf[end - 1]!;
  const known = knownTexts.get(key);
  if (known !== undefined) {
    let k = 0;
    while (k < length && known.charCodeAt(k) === buf[start + k]) k++;
    if (k === length) return known;
  }
  const text = buf.toString('utf8', start, end);
  if (text.length === length) {
    if (knownTexts.size >= MAX_KNOWN_TEXTS) knownTexts.clear();
    knownTexts.set(key, text);
  }
  return text;
}
