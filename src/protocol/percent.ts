/**
 * FreeSWITCH's percent-encoding of event-plain (and event-xml) header values,
 * and its lenient inverse.
 *
 * Encoding follows switch_url_encode() in switch_utils.c (called by
 * switch_event_serialize() in switch_event.c): every byte below 0x20, above
 * 0x7e (so every byte of a multi-byte UTF-8 character) or in SWITCH_URL_UNSAFE
 * becomes `%XX` with upper-case hex, except a `%` that already starts a `%XX`
 * with upper-case hex digits, which is kept (FreeSWITCH does not double-encode).
 *
 * Decoding is the client's side: `%XX` (either case) becomes the byte, the
 * bytes are then read as UTF-8 with invalid sequences replaced by U+FFFD. A lone
 * `%`, or `%` not followed by two hex digits, stays literal; `+` is never a
 * space. Never `decodeURIComponent`, which throws on the first stray `%`.
 */

import { indexIn, knownText } from './header-reader.js';

/** switch_utils.h: SWITCH_URL_UNSAFE = "\r\n #%&+:;<=>?@[\\]^`{|}\"" */
const UNSAFE = '\r\n #%&+:;<=>?@[\\]^`{|}"';
const UPPER_HEX = '0123456789ABCDEF';
const PERCENT = 0x25;

/** 1 where the byte must be escaped (before the `%XX` exception). */
const ESCAPE = new Uint8Array(256);
for (let b = 0; b < 256; b++) {
  ESCAPE[b] = b < 0x20 || b > 0x7e || UNSAFE.includes(String.fromCharCode(b)) ? 1 : 0;
}

/** Hex digit value, or -1. */
const HEX_VALUE = new Int8Array(256).fill(-1);
for (let i = 0; i < 16; i++) {
  HEX_VALUE['0123456789abcdef'.charCodeAt(i)] = i;
  HEX_VALUE[UPPER_HEX.charCodeAt(i)] = i;
}
const isUpperHex = (b: number | undefined): boolean =>
  b !== undefined && ((b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x46));

/**
 * Encode a value exactly as switch_url_encode() does. Empty stays empty (the
 * caller writes FreeSWITCH's `_undef_` for it).
 */
export function fsUrlEncode(value: string): string {
  const bytes = Buffer.from(value, 'utf8');
  let out = '';
  let runStart = 0;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    if (ESCAPE[b] === 0) continue;
    if (b === PERCENT && isUpperHex(bytes[i + 1]) && isUpperHex(bytes[i + 2])) continue;
    out += bytes.toString('latin1', runStart, i);
    out += `%${UPPER_HEX[b >> 4]}${UPPER_HEX[b & 15]}`;
    runStart = i + 1;
  }
  return runStart === 0 ? value : out + bytes.toString('latin1', runStart);
}

/**
 * Percent-decode `buf[start, end)` to bytes, then UTF-8 with U+FFFD for invalid
 * sequences. The common value has no `%` and costs one native search.
 */
export function percentDecodeBytes(buf: Uint8Array, start: number, end: number): string {
  const b = Buffer.isBuffer(buf) ? buf : Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  let pct = indexIn(b, PERCENT, start, end);
  if (pct < 0) return knownText(b, start, end);
  // Decoded bytes are never more than the encoded ones.
  const out = Buffer.allocUnsafe(end - start);
  let o = 0;
  let from = start;
  while (pct >= 0) {
    const hi = pct + 2 < end ? HEX_VALUE[b[pct + 1]!]! : -1;
    const lo = hi >= 0 ? HEX_VALUE[b[pct + 2]!]! : -1;
    if (lo >= 0) {
      o += b.copy(out, o, from, pct);
      out[o++] = (hi << 4) | lo;
      from = pct + 3;
      pct = indexIn(b, PERCENT, from, end);
    } else {
      pct = indexIn(b, PERCENT, pct + 1, end);
    }
  }
  o += b.copy(out, o, from, end);
  return out.toString('utf8', 0, o);
}

/**
 * Percent-decode a header value that is already a string (the outer headers of
 * an outbound `connect` reply carry the channel data percent-encoded, and a
 * `Reply-Text` of `%2BOK%0A`). Same rules as event-plain values.
 */
export function decodeHeaderValue(value: string): string {
  if (!value.includes('%')) return value;
  const bytes = Buffer.from(value, 'utf8');
  return percentDecodeBytes(bytes, 0, bytes.length);
}
