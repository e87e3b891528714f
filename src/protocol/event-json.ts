/**
 * Reading `text/event-json` bodies as switch_event_serialize_json()
 * (switch_event.c, printed by cJSON) writes them: one flat object whose values
 * are strings, or arrays of strings for array headers, in header order, with
 * `Content-Length` and `_body` last when the event has a body. Values are not
 * percent-encoded.
 *
 * JSON.parse would lose repeated keys (FreeSWITCH repeats some, e.g. two
 * `Channel-Write-Codec-Name` in CODEC events) and decode every value, so this
 * scans the object once for ranges and decodes a value only when asked.
 */
import { ProtocolError } from '../errors.js';
import type { HeaderIndex } from './event-plain.js';

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const ARRAY_PREFIX = 'ARRAY::';
const ARRAY_SEPARATOR = '|:';

export interface JsonLayout extends HeaderIndex {
  /** Range of the `_body` string token (quotes included), or -1. */
  readonly bodyStart: number;
  readonly bodyEnd: number;
}

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
  const slash = buf.indexOf(BACKSLASH, start);
  if (slash < 0 || slash >= end) {
    return buf.toString('utf8', start + 1, end - 1);
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

export function indexJson(buf: Buffer): JsonLayout {
  const names: string[] = [];
  const starts: number[] = [];
  const ends: number[] = [];
  let bodyStart = -1;
  let bodyEnd = -1;
  let pos = skipSpace(buf, 0);
  if (buf[pos] !== 0x7b) fail("expected '{'", pos);
  pos = skipSpace(buf, pos + 1);
  if (buf[pos] === 0x7d) pos++;
  else {
    for (;;) {
      if (buf[pos] !== QUOTE) fail('expected a key', pos);
      const keyEnd = stringEnd(buf, pos);
      const name = decodeJsonString(buf, pos, keyEnd);
      pos = skipSpace(buf, keyEnd);
      if (buf[pos] !== 0x3a) fail("expected ':'", pos);
      const vStart = skipSpace(buf, pos + 1);
      let vEnd: number;
      if (buf[vStart] === QUOTE) vEnd = stringEnd(buf, vStart);
      else if (buf[vStart] === 0x5b) vEnd = arrayEnd(buf, vStart);
      else fail('expected a string or an array of strings', vStart);
      if (name === '_body' && buf[vStart] === QUOTE) {
        bodyStart = vStart;
        bodyEnd = vEnd;
        // The Content-Length FreeSWITCH adds just before _body is framing, not a header.
        if (names[names.length - 1] === 'Content-Length') {
          names.pop();
          starts.pop();
          ends.pop();
        }
      } else {
        names.push(name);
        starts.push(vStart);
        ends.push(vEnd);
      }
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
  return { names, starts, ends, bodyStart, bodyEnd };
}
