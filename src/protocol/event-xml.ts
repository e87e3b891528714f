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
 * A lookup finds its element in the raw bytes before `</headers>` and decodes
 * that text only; the structure is walked once (and so checked), keeping byte
 * ranges, only when all headers or the body are needed.
 */
import { ProtocolError } from '../errors.js';
import {
  type HeaderReader,
  indexIn,
  lastMatchFolded,
  makeNeedle,
  lastIndexedName,
  type Needle,
  nextMatch,
} from './header-reader.js';
import { percentDecodeBytes } from './percent.js';

const LT = 0x3c;
const GT = 0x3e;
const AMP = 0x26;

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

/** `<Name` ends at `at`: the tag name is whole (`>` or `/>` follows), not the start of a longer one. */
function isTagEnd(buf: Buffer, at: number): boolean {
  return buf[at] === GT || (buf[at] === 0x2f && buf[at + 1] === GT);
}

/** Where buf[0, end) ends once trailing spaces are dropped. */
function trimEnd(buf: Buffer, end: number): number {
  let e = end;
  for (let b = buf[e - 1]; b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09; b = buf[e - 1]) e--;
  return e;
}

function endsWith(buf: Buffer, end: number, text: string): boolean {
  return end >= text.length && startsWith(buf, end - text.length, text);
}

/** Index just past `</name>` when it follows `at` (spaces allowed before it), else a ProtocolError. */
function closeTag(buf: Buffer, at: number, nameStart: number, nameEnd: number): number {
  const n = nameEnd - nameStart;
  if (buf[at] !== LT || buf[at + 1] !== 0x2f || buf[at + 2 + n] !== GT) fail('expected a closing tag', at);
  for (let k = 0; k < n; k++) if (buf[at + 2 + k] !== buf[nameStart + k]) fail('mismatched closing tag', at);
  return at + n + 3;
}

const HEADERS_CLOSE = makeNeedle(Buffer.from('</headers>', 'latin1'), 2);

/** `<Name` to search for, bounded so odd names cannot grow it forever; null when it cannot be an element of <headers>. */
const tagNeedles = new Map<string, Needle | null>();
const MAX_NEEDLES = 4096;

function tagNeedle(name: string): Needle | null {
  let needle = tagNeedles.get(name);
  if (needle === undefined) {
    // <event> and <headers> are the wrapper, not headers; a name with markup or space is no tag name.
    needle =
      name === 'event' || name === 'headers' || !/^[^<>/&\s]+$/.test(name) ? null : makeNeedle(Buffer.from(`<${name}`, 'utf8'), 1);
    if (tagNeedles.size >= MAX_NEEDLES) tagNeedles.clear();
    tagNeedles.set(name, needle);
  }
  return needle;
}

export class XmlReader implements HeaderReader {
  readonly #buf: Buffer;
  readonly #nameStart: number[] = [];
  readonly #nameEnd: number[] = [];
  readonly #valueStart: number[] = [];
  readonly #valueEnd: number[] = [];
  #bodyStart = -1;
  #bodyEnd = -1;
  /** The `<Content-Length>` element's value, or -1. */
  #bodyLength = -1;

  /** Whether the document was indexed (and so checked) yet. */
  #indexed = false;
  /** Where `</headers>` starts (header values are url-encoded: the first one is it), or -1; found on first need. */
  #headersEnd = -2;

  constructor(buf: Buffer) {
    this.#buf = buf;
  }

  /**
   * A header by its element `<Name>text</Name>` (or `<Name/>`) before
   * `</headers>`, the last one winning: the name's bytes are searched forward
   * (Node's search skips on their first byte; `<` is everywhere), and only
   * that element's text is decoded. Other cases go through the index.
   */
  lookup(name: string): string | undefined {
    const needle = tagNeedle(name);
    if (needle !== null && !this.#indexed) {
      const buf = this.#buf;
      const end = this.#headersClose();
      const n = needle.bytes.length;
      let found = -1;
      for (let at = end < 0 ? -1 : nextMatch(buf, needle, 0); at >= 0 && at < end; at = nextMatch(buf, needle, at + 1)) {
        if (isTagEnd(buf, at + n)) found = at;
      }
      // Not there in this case: in another, or absent (the answer without indexing every element).
      if (found < 0 && end >= 0) found = lastMatchFolded(buf, needle, 0, end, (at) => isTagEnd(buf, at + n));
      if (found >= 0) {
        const open = found + n;
        if (buf[open] !== GT) return '';
        const textEnd = buf.indexOf(LT, open + 1);
        closeTag(buf, textEnd, found + 1, open);
        return decodeXmlValue(buf, open + 1, textEnd);
      }
      if (end >= 0) return undefined;
    }
    let i = this.find(name, false);
    if (i < 0) i = this.find(name, true);
    return i < 0 ? undefined : this.valueAt(i);
  }

  /**
   * Without a body the document ends `</headers>\n</event>\n`, and in valid
   * XML no `</headers>` comes before that one: read at the end, no search.
   */
  #headersClose(): number {
    if (this.#headersEnd === -2) {
      const buf = this.#buf;
      let end = trimEnd(buf, buf.length);
      if (endsWith(buf, end, '</event>')) end = trimEnd(buf, end - 8);
      this.#headersEnd = endsWith(buf, end, '</headers>') ? end - 10 : nextMatch(buf, HEADERS_CLOSE, 0);
    }
    return this.#headersEnd;
  }

  /** Ranges of every header, checking the whole document; once, on first need. */
  #index(): void {
    if (this.#indexed) return;
    this.#indexed = true;
    const buf = this.#buf;
    let pos = expect(buf, 0, '<event>');
    pos = skipSpace(buf, pos);
    if (startsWith(buf, pos, '<headers/>')) pos += 10;
    else {
      pos = expect(buf, pos, '<headers>');
      for (;;) {
        pos = skipSpace(buf, pos);
        if (buf[pos] !== LT) fail('expected an element', pos);
        if (buf[pos + 1] === 0x2f) {
          pos = expect(buf, pos, '</headers>');
          break;
        }
        pos = this.#element(pos, true);
      }
    }
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
        this.#bodyStart = pos + 6;
        this.#bodyEnd = end;
        pos = end + 7;
        continue;
      }
      pos = this.#element(pos, false);
    }
    if (skipSpace(buf, pos) !== buf.length) fail('trailing bytes after </event>', pos);
  }

  /** One `<name>text</name>` or `<name/>` at `pos` (a `<`); a header, or an element beside <headers>. */
  #element(pos: number, isHeader: boolean): number {
    const buf = this.#buf;
    const close = buf.indexOf(GT, pos);
    if (close < 0) fail('unterminated tag', pos);
    const selfClosing = buf[close - 1] === 0x2f;
    const nameStart = pos + 1;
    const nameEnd = selfClosing ? close - 1 : close;
    if (nameEnd <= nameStart || buf[nameStart] === 0x2f) fail('expected an element', pos);
    let textEnd = close + 1;
    let next = close + 1;
    if (!selfClosing) {
      textEnd = buf.indexOf(LT, close + 1);
      if (textEnd < 0) fail('unterminated element', pos);
      next = closeTag(buf, textEnd, nameStart, nameEnd);
    }
    if (isHeader) {
      this.#nameStart.push(nameStart);
      this.#nameEnd.push(nameEnd);
      this.#valueStart.push(close + 1);
      this.#valueEnd.push(textEnd);
    } else if (nameEnd - nameStart === 14 && buf.toString('latin1', nameStart, nameEnd) === 'Content-Length') {
      const text = buf.toString('latin1', close + 1, textEnd);
      if (!/^\d+$/.test(text)) fail('invalid Content-Length', close + 1);
      this.#bodyLength = Number(text);
    }
    return next;
  }

  get count(): number {
    this.#index();
    return this.#nameStart.length;
  }

  find(name: string, folded: boolean): number {
    this.#index();
    return lastIndexedName(this.#buf, this.#nameStart, this.#nameEnd, name, folded);
  }

  nameAt(i: number): string {
    this.#index();
    return this.#buf.toString('utf8', this.#nameStart[i]!, this.#nameEnd[i]!);
  }

  valueAt(i: number): string {
    this.#index();
    return decodeXmlValue(this.#buf, this.#valueStart[i]!, this.#valueEnd[i]!);
  }

  /** Indexing checks the whole document. */
  validate(): void {
    this.#index();
  }

  /**
   * The body text. switch_xml_toxml_r adds a two-space indent before `</body>`
   * when the text ends in LF; `<Content-Length>` (bytes) tells it apart from a
   * body that really ends in `\n  `.
   */
  body(): string | undefined {
    this.#index();
    if (this.#bodyStart < 0) return undefined;
    const raw = this.#buf.toString('utf8', this.#bodyStart, this.#bodyEnd);
    // switch_xml_ampencode stops escaping at `<!`: what follows is verbatim.
    const immune = raw.indexOf('<!');
    const text = immune < 0 ? xmlUnescape(raw) : xmlUnescape(raw.slice(0, immune)) + raw.slice(immune);
    if (text.endsWith('\n  ')) {
      const trimmed = text.slice(0, -2);
      if (this.#bodyLength < 0 || Buffer.byteLength(trimmed, 'utf8') === this.#bodyLength) return trimmed;
    }
    return text;
  }
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
  if (indexIn(buf, AMP, start, end) < 0) return percentDecodeBytes(buf, start, end);
  const unescaped = Buffer.from(xmlUnescape(buf.toString('utf8', start, end)), 'utf8');
  return percentDecodeBytes(unescaped, 0, unescaped.length);
}
