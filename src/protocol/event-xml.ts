/**
 * Reading `text/event-xml` bodies as switch_event_xmlize() (switch_event.c)
 * and switch_xml_toxml_r() (switch_xml.c) write them:
 *
 *   <event>
 *     <headers>
 *       <Name>url-encoded value</Name>      (one element per array item)
 *     </headers>
 *     <Content-Length>N</Content-Length>   (only with a non-empty body)
 *     <body>xml-escaped body</body>        (`\n  </body>` when the body ends in LF)
 *   </event>
 *
 * Header values go through switch_url_encode() first, so they never hold
 * `<`, `>` or `&`; the body is only XML-escaped (switch_xml_ampencode: `&amp;
 * &lt; &gt; &#xD;`, non-ASCII as `&#xHEX;`, and after a `<!` the rest raw).
 * Header values are decoded lazily; the structure is checked when indexed.
 */
import { ProtocolError } from '../errors.js';
import type { HeaderIndex } from './event-plain.js';
import { percentDecodeBytes } from './percent.js';

const LT = 0x3c;
const GT = 0x3e;
const AMP = 0x26;

export interface XmlLayout extends HeaderIndex {
  /** The raw (escaped) body text range, or -1. */
  readonly bodyStart: number;
  readonly bodyEnd: number;
  /** The `<Content-Length>` element's value, or -1. */
  readonly bodyLength: number;
}

function fail(what: string, pos: number): never {
  throw new ProtocolError(`malformed event-xml body: ${what} at byte ${pos}`);
}

function skipSpace(buf: Buffer, pos: number): number {
  for (;;) {
    const b = buf[pos];
    if (b !== 0x20 && b !== 0x0a && b !== 0x0d && b !== 0x09) return pos;
    pos++;
  }
}

function expect(buf: Buffer, pos: number, text: string): number {
  const at = skipSpace(buf, pos);
  if (buf.toString('latin1', at, at + text.length) !== text) fail(`expected ${text}`, at);
  return at + text.length;
}

function startsWith(buf: Buffer, pos: number, text: string): boolean {
  return buf.toString('latin1', pos, pos + text.length) === text;
}

/** One `<name>text</name>` or `<name/>` at `pos` (a `<`). */
function element(buf: Buffer, pos: number): { name: string; start: number; end: number; next: number } {
  const close = buf.indexOf(GT, pos);
  if (close < 0) fail('unterminated tag', pos);
  if (buf[close - 1] === 0x2f) {
    const name = buf.toString('utf8', pos + 1, close - 1);
    return { name, start: close + 1, end: close + 1, next: close + 1 };
  }
  const name = buf.toString('utf8', pos + 1, close);
  if (name === '' || name.startsWith('/')) fail('expected an element', pos);
  const textEnd = buf.indexOf(LT, close + 1);
  if (textEnd < 0) fail(`unterminated <${name}>`, pos);
  const next = expect(buf, textEnd, `</${name}>`);
  return { name, start: close + 1, end: textEnd, next };
}

export function indexXml(buf: Buffer): XmlLayout {
  const names: string[] = [];
  const starts: number[] = [];
  const ends: number[] = [];
  let pos = expect(buf, 0, '<event>');
  pos = skipSpace(buf, pos);
  if (startsWith(buf, pos, '<headers/>')) pos += 10;
  else {
    pos = expect(buf, pos, '<headers>');
    for (;;) {
      pos = skipSpace(buf, pos);
      if (buf[pos] !== LT) fail('expected an element', pos);
      if (startsWith(buf, pos, '</headers>')) {
        pos += 10;
        break;
      }
      const el = element(buf, pos);
      names.push(el.name);
      starts.push(el.start);
      ends.push(el.end);
      pos = el.next;
    }
  }
  let bodyStart = -1;
  let bodyEnd = -1;
  let bodyLength = -1;
  for (;;) {
    pos = skipSpace(buf, pos);
    if (startsWith(buf, pos, '</event>')) {
      pos += 8;
      break;
    }
    if (buf[pos] !== LT) fail('expected an element', pos);
    if (startsWith(buf, pos, '<body>')) {
      // After `<!` FreeSWITCH copies the body raw, so only the last </body> is sure.
      const end = buf.lastIndexOf('</body>');
      if (end < pos) fail('unterminated <body>', pos);
      bodyStart = pos + 6;
      bodyEnd = end;
      pos = end + 7;
      continue;
    }
    const el = element(buf, pos);
    if (el.name === 'Content-Length') {
      const text = buf.toString('latin1', el.start, el.end);
      if (!/^\d+$/.test(text)) fail('invalid Content-Length', el.start);
      bodyLength = Number(text);
    }
    pos = el.next;
  }
  if (skipSpace(buf, pos) !== buf.length) fail('trailing bytes after </event>', pos);
  return { names, starts, ends, bodyStart, bodyEnd, bodyLength };
}

const NAMED: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

/** Replace XML character and entity references; unknown ones stay literal. */
export function xmlUnescape(s: string): string {
  if (!s.includes('&')) return s;
  return s.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[a-z]+);/g, (whole, ref: string) => {
    if (ref.startsWith('#')) {
      const cp = ref[1] === 'x' ? Number.parseInt(ref.slice(2), 16) : Number.parseInt(ref.slice(1), 10);
      return cp <= 0x10ffff ? String.fromCodePoint(cp) : whole;
    }
    return NAMED[ref] ?? whole;
  });
}

/** A header value: XML references (none from FreeSWITCH, but legal XML), then percent-decoding. */
export function decodeXmlValue(buf: Buffer, start: number, end: number): string {
  const amp = buf.indexOf(AMP, start);
  if (amp < 0 || amp >= end) return percentDecodeBytes(buf, start, end);
  const unescaped = Buffer.from(xmlUnescape(buf.toString('utf8', start, end)), 'utf8');
  return percentDecodeBytes(unescaped, 0, unescaped.length);
}

/**
 * The body text. switch_xml_toxml_r adds a two-space indent before `</body>`
 * when the text ends in LF; `<Content-Length>` (bytes) tells it apart from a
 * body that really ends in `\n  `.
 */
export function decodeXmlBody(buf: Buffer, layout: XmlLayout): string {
  const raw = buf.toString('utf8', layout.bodyStart, layout.bodyEnd);
  // switch_xml_ampencode stops escaping at `<!`: what follows is verbatim.
  const immune = raw.indexOf('<!');
  const text = immune < 0 ? xmlUnescape(raw) : xmlUnescape(raw.slice(0, immune)) + raw.slice(immune);
  if (text.endsWith('\n  ')) {
    const trimmed = text.slice(0, -2);
    if (layout.bodyLength < 0 || Buffer.byteLength(trimmed, 'utf8') === layout.bodyLength) return trimmed;
  }
  return text;
}
