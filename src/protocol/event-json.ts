/**
 * Reading `text/event-json` bodies as switch_event_serialize_json()
 * (switch_event.c, printed by cJSON) writes them: one flat object whose values
 * are strings, or arrays of strings for array headers, in header order, with
 * `Content-Length` and `_body` last when the event has a body. Values are not
 * percent-encoded.
 *
 * JSON.parse would lose repeated keys (FreeSWITCH repeats some, e.g. two
 * `Channel-Write-Codec-Name` in CODEC events) and decode every value. Here a
 * lookup finds its key in the raw bytes (checking that the match is a key,
 * keeping the last) and decodes that value only; the object is walked once
 * for the ranges of every key and value (and so checked) only when all
 * headers, the body, or a key spelled with escapes are needed.
 */
import { ProtocolError } from '../errors.js';
import {
  type HeaderReader,
  indexIn,
  knownText,
  lastMatchFolded,
  makeNeedle,
  lastIndexedName,
  type Needle,
  nextMatch,
} from './header-reader.js';

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const ARRAY_PREFIX = 'ARRAY::';
const ARRAY_SEPARATOR = '|:';

function isSpace(b: number | undefined): boolean {
  return b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09;
}

function skipSpace(buf: Buffer, pos: number): number {
  while (isSpace(buf[pos])) pos++;
  return pos;
}

function fail(what: string, pos: number): never {
  throw new ProtocolError(`malformed event-json body: ${what} at byte ${pos}`);
}

/** Index just past the string token starting at the quote `q`. */
function stringEnd(buf: Buffer, q: number): number {
  let i = q + 1;
  for (;;) {
    const close = buf.indexOf(QUOTE, i);
    if (close < 0) fail('unterminated string', q);
    let slashes = 0;
    while (buf[close - 1 - slashes] === BACKSLASH) slashes++;
    if (slashes % 2 === 0) return close + 1;
    i = close + 1;
  }
}

/** Index just past the array of strings starting at `[`. */
function arrayEnd(buf: Buffer, open: number): number {
  let pos = skipSpace(buf, open + 1);
  if (buf[pos] === 0x5d) return pos + 1;
  for (;;) {
    if (buf[pos] !== QUOTE) fail('expected a string in an array', pos);
    pos = skipSpace(buf, stringEnd(buf, pos));
    if (buf[pos] === 0x5d) return pos + 1;
    if (buf[pos] !== 0x2c) fail("expected ',' or ']'", pos);
    pos = skipSpace(buf, pos + 1);
  }
}

/** Decode one string token (quotes included). */
export function decodeJsonString(buf: Buffer, start: number, end: number): string {
  if (indexIn(buf, BACKSLASH, start, end) < 0) {
    return knownText(buf, start + 1, end - 1);
  }
  try {
    return JSON.parse(buf.toString('utf8', start, end)) as string;
  } catch (err) {
    throw new ProtocolError('malformed event-json string', { cause: err });
  }
}

/** A value token: a string, or an array shown as FreeSWITCH shows it in plain (`ARRAY::a|:b`). */
export function decodeJsonValue(buf: Buffer, start: number, end: number): string {
  if (buf[start] === QUOTE) return decodeJsonString(buf, start, end);
  const items: string[] = [];
  let pos = skipSpace(buf, start + 1);
  while (buf[pos] === QUOTE) {
    const e = stringEnd(buf, pos);
    items.push(decodeJsonString(buf, pos, e));
    pos = skipSpace(buf, e);
    if (buf[pos] === 0x2c) pos = skipSpace(buf, pos + 1);
  }
  return ARRAY_PREFIX + items.join(ARRAY_SEPARATOR);
}

/** `"Name"` to search for, bounded so odd names cannot grow it forever; null when a name needs escaping in JSON. */
const keyNeedles = new Map<string, Needle | null>();
const MAX_NEEDLES = 4096;

function keyNeedle(name: string): Needle | null {
  let needle = keyNeedles.get(name);
  if (needle === undefined) {
    // Framing keys are indexed (a Content-Length before _body is not a header).
    needle = name.length === 0 || name === '_body' || name === 'Content-Length' || /["\\\u0000-\u001f]/.test(name)
      ? null
      : makeNeedle(Buffer.from(`"${name}"`, 'utf8'));
    if (keyNeedles.size >= MAX_NEEDLES) keyNeedles.clear();
    keyNeedles.set(name, needle);
  }
  return needle;
}

/**
 * A search runs through `_body` too: past this size (a large api result in a
 * BACKGROUND_JOB) the object is indexed once, which skips a string in one
 * native search, and lookups go through the index.
 */
const SEARCH_LIMIT = 64 * 1024;

function isKeyStart(buf: Buffer, quote: number): boolean {
  let i = quote - 1;
  while (isSpace(buf[i])) i--;
  return buf[i] === 0x7b || buf[i] === 0x2c;
}

export class JsonReader implements HeaderReader {
  readonly #buf: Buffer;
  /** Per header: the key's bytes between its quotes, and the value token. */
  readonly #nameStart: number[] = [];
  readonly #nameEnd: number[] = [];
  readonly #valueStart: number[] = [];
  readonly #valueEnd: number[] = [];
  /** Whether some key holds a JSON escape (then its raw bytes are not its name). */
  #escapedKeys = false;
  #bodyStart = -1;
  #bodyEnd = -1;

  /** Whether the object was indexed (and so checked) yet. */
  #indexed = false;

  constructor(buf: Buffer) {
    this.#buf = buf;
  }

  /**
   * A key that names the header: `"Name"` whose opening quote is a string
   * token's own (in valid JSON a quote inside a string is escaped, so the
   * byte before it is a backslash, never the `{` or `,` a key follows), then
   * `:`. Every match is checked so that the last key wins.
   */
  lookup(name: string): string | undefined {
    const needle = this.#indexed || this.#buf.length > SEARCH_LIMIT ? null : keyNeedle(name);
    if (needle !== null) {
      const buf = this.#buf;
      const n = needle.bytes.length;
      let found = -1;
      for (let at = nextMatch(buf, needle, 1); at >= 0; at = nextMatch(buf, needle, at + 1)) {
        const colon = skipSpace(buf, at + n);
        if (buf[colon] === 0x3a && isKeyStart(buf, at)) found = colon;
      }
      if (found >= 0) return this.#valueAfterColon(found);
    }
    // Not there as cJSON writes keys: another case, an escaped spelling, or absent.
    const folded = needle === null ? null : this.#foldedLookup(name);
    if (folded !== null) return folded === -1 ? undefined : this.#valueAfterColon(folded);
    let i = this.find(name, false);
    if (i < 0) i = this.find(name, true);
    return i < 0 ? undefined : this.valueAt(i);
  }

  #valueAfterColon(colon: number): string {
    const buf = this.#buf;
    const vStart = skipSpace(buf, colon + 1);
    if (buf[vStart] === QUOTE) return decodeJsonString(buf, vStart, stringEnd(buf, vStart));
    if (buf[vStart] === 0x5b) return decodeJsonValue(buf, vStart, arrayEnd(buf, vStart));
    fail('expected a string or an array of strings', vStart);
  }

  /**
   * The colon after the last key equal to `name` ignoring ASCII case, -1 when
   * there is none, or null when this cannot tell: a body holding a backslash
   * may spell a key with escapes, which only the index decodes, and the
   * framing keys are told apart by the index. Spares the index (a walk over
   * every token) for the common lookup of an absent header.
   */
  #foldedLookup(name: string): number | null {
    const buf = this.#buf;
    const needle = keyNeedle(name);
    const lower = name.toLowerCase();
    if (needle === null || lower === 'content-length' || lower === '_body' || buf.indexOf(BACKSLASH) >= 0) return null;
    const n = needle.bytes.length;
    const isKey = (quote: number): boolean => buf[skipSpace(buf, quote + n)] === 0x3a && isKeyStart(buf, quote);
    const at = lastMatchFolded(buf, needle, 1, buf.length, isKey);
    return at < 0 ? -1 : skipSpace(buf, at + n);
  }

  /** Ranges of every key and value, checking the whole object; once, on first need. */
  #index(): void {
    if (this.#indexed) return;
    this.#indexed = true;
    const buf = this.#buf;
    let pos = skipSpace(buf, 0);
    if (buf[pos] !== 0x7b) fail("expected '{'", pos);
    pos = skipSpace(buf, pos + 1);
    if (buf[pos] === 0x7d) pos++;
    else {
      for (;;) {
        if (buf[pos] !== QUOTE) fail('expected a key', pos);
        const keyStart = pos + 1;
        const keyEnd = stringEnd(buf, pos) - 1;
        pos = skipSpace(buf, keyEnd + 1);
        if (buf[pos] !== 0x3a) fail("expected ':'", pos);
        const vStart = skipSpace(buf, pos + 1);
        let vEnd: number;
        if (buf[vStart] === QUOTE) vEnd = stringEnd(buf, vStart);
        else if (buf[vStart] === 0x5b) vEnd = arrayEnd(buf, vStart);
        else fail('expected a string or an array of strings', vStart);
        this.#add(keyStart, keyEnd, vStart, vEnd);
        pos = skipSpace(buf, vEnd);
        if (buf[pos] === 0x7d) {
          pos++;
          break;
        }
        if (buf[pos] !== 0x2c) fail("expected ',' or '}'", pos);
        pos = skipSpace(buf, pos + 1);
      }
    }
    if (skipSpace(buf, pos) !== buf.length) fail('trailing bytes after the object', pos);
  }

  #keyIs(start: number, end: number, key: string): boolean {
    return end - start === key.length && this.#buf.toString('latin1', start, end) === key;
  }

  #add(keyStart: number, keyEnd: number, vStart: number, vEnd: number): void {
    const buf = this.#buf;
    if (indexIn(buf, BACKSLASH, keyStart, keyEnd) >= 0) this.#escapedKeys = true;
    if (buf[vStart] === QUOTE && this.#keyIs(keyStart, keyEnd, '_body')) {
      this.#bodyStart = vStart;
      this.#bodyEnd = vEnd;
      // The Content-Length FreeSWITCH adds just before _body is framing, not a header.
      const last = this.#nameStart.length - 1;
      if (last >= 0 && this.#keyIs(this.#nameStart[last]!, this.#nameEnd[last]!, 'Content-Length')) {
        this.#nameStart.pop();
        this.#nameEnd.pop();
        this.#valueStart.pop();
        this.#valueEnd.pop();
      }
      return;
    }
    this.#nameStart.push(keyStart);
    this.#nameEnd.push(keyEnd);
    this.#valueStart.push(vStart);
    this.#valueEnd.push(vEnd);
  }

  get count(): number {
    this.#index();
    return this.#nameStart.length;
  }

  find(name: string, folded: boolean): number {
    this.#index();
    const hit = lastIndexedName(this.#buf, this.#nameStart, this.#nameEnd, name, folded);
    if (hit >= 0) return hit;
    if (!this.#escapedKeys) return -1;
    const wanted = folded ? name.toLowerCase() : name;
    for (let i = this.#nameStart.length - 1; i >= 0; i--) {
      const n = this.nameAt(i);
      if ((folded ? n.toLowerCase() : n) === wanted) return i;
    }
    return -1;
  }

  nameAt(i: number): string {
    this.#index();
    return decodeJsonString(this.#buf, this.#nameStart[i]! - 1, this.#nameEnd[i]! + 1);
  }

  valueAt(i: number): string {
    this.#index();
    return decodeJsonValue(this.#buf, this.#valueStart[i]!, this.#valueEnd[i]!);
  }

  /** Indexing checks the whole object. */
  validate(): void {
    this.#index();
  }

  body(): string | undefined {
    this.#index();
    return this.#bodyStart >= 0 ? decodeJsonString(this.#buf, this.#bodyStart, this.#bodyEnd) : undefined;
  }
}
