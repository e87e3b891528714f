/**
 * Server-side encoders: the bytes FreeSWITCH writes, for the simulator and the
 * tests. Pure; every function returns a Buffer.
 *
 * Sources followed (FreeSWITCH 1.10/1.11):
 * - mod_event_socket.c: outer frames. Replies are `Content-Type` first; api
 *   responses, log data and disconnect notices put `Content-Length` right after
 *   `Content-Type`; events are `Content-Length: N\nContent-Type: text/event-X\n\n`.
 * - switch_event.c switch_event_serialize(): event-plain, values through
 *   switch_url_encode(), an empty value written as `_undef_`, the body as
 *   `Content-Length: N\n\n<body>`, otherwise one closing `\n`.
 * - switch_event.c switch_event_serialize_json() + cJSON_PrintUnformatted():
 *   event-json, raw values, `Content-Length` and `_body` when there is a body,
 *   array headers as JSON arrays.
 * - switch_event.c switch_event_xmlize() + switch_xml.c switch_xml_toxml_r()
 *   and switch_xml_ampencode(): event-xml with its two-space indentation.
 */
import { InvalidArgumentError } from '../errors.js';
import { ContentType, type EventFormat, Header } from './names.js';
import { fsUrlEncode } from './percent.js';

const ARRAY_PREFIX = 'ARRAY::';
const ARRAY_SEPARATOR = '|:';

/**
 * One outer frame. Headers are written in the caller's order; when there is a
 * body, `Content-Length` (in bytes) is written where the caller put a
 * `Content-Length` key (its value is replaced), else right after
 * `Content-Type`, else first. CR or LF in a header, or `:` in a name, is refused.
 */
export function serializeFrame(headers: Record<string, string>, body?: string | Uint8Array): Buffer {
  const bodyBytes = body === undefined ? undefined : typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  const entries = Object.entries(headers);
  let head = '';
  let lengthWritten = bodyBytes === undefined;
  const lengthLine = bodyBytes === undefined ? '' : `${Header.ContentLength}: ${bodyBytes.byteLength}\n`;
  if (!lengthWritten && !(Header.ContentLength in headers) && !(Header.ContentType in headers)) {
    head += lengthLine;
    lengthWritten = true;
  }
  for (const [name, value] of entries) {
    checkHeader(name, value);
    if (name === Header.ContentLength) {
      if (!lengthWritten) {
        head += lengthLine;
        lengthWritten = true;
      }
      continue;
    }
    head += `${name}: ${value}\n`;
    if (name === Header.ContentType && !lengthWritten && !(Header.ContentLength in headers)) {
      head += lengthLine;
      lengthWritten = true;
    }
  }
  head += '\n';
  if (bodyBytes === undefined) return Buffer.from(head, 'utf8');
  const headBytes = Buffer.from(head, 'utf8');
  const out = Buffer.allocUnsafe(headBytes.length + bodyBytes.byteLength);
  headBytes.copy(out, 0);
  out.set(bodyBytes, headBytes.length);
  return out;
}

/**
 * One whole event frame as mod_event_socket writes it for a listener in
 * `format`. `headers` are the event's decoded headers in order (an array value
 * is given as FreeSWITCH shows it in plain, `ARRAY::a|:b`); `body` is the
 * event body, if any.
 */
export function serializeEvent(
  format: EventFormat,
  headers: ReadonlyArray<readonly [string, string]>,
  body?: string,
): Buffer {
  const inner = serializeEventBody(format, headers, body);
  const contentType =
    format === 'plain' ? ContentType.EventPlain : format === 'json' ? ContentType.EventJson : ContentType.EventXml;
  const head = Buffer.from(`${Header.ContentLength}: ${inner.length}\n${Header.ContentType}: ${contentType}\n\n`, 'latin1');
  return Buffer.concat([head, inner], head.length + inner.length);
}

/** The inner part of an event frame only (what its outer Content-Length counts). */
export function serializeEventBody(
  format: EventFormat,
  headers: ReadonlyArray<readonly [string, string]>,
  body?: string,
): Buffer {
  for (const [name, value] of headers) checkHeader(name, value, true);
  switch (format) {
    case 'plain':
      return serializePlain(headers, body);
    case 'json':
      return serializeJson(headers, body);
    case 'xml':
      return serializeXml(headers, body);
    default:
      throw new InvalidArgumentError(`unknown event format: ${String(format)}`);
  }
}

function serializePlain(headers: ReadonlyArray<readonly [string, string]>, body: string | undefined): Buffer {
  let out = '';
  for (const [name, value] of headers) {
    const encoded = fsUrlEncode(value);
    out += `${name}: ${encoded === '' ? '_undef_' : encoded}\n`;
  }
  // switch_event_serialize counts the body with strlen(): bytes.
  const blen = body === undefined ? 0 : Buffer.byteLength(body, 'utf8');
  out += blen > 0 ? `${Header.ContentLength}: ${blen}\n\n${body}` : '\n';
  return Buffer.from(out, 'utf8');
}

function serializeJson(headers: ReadonlyArray<readonly [string, string]>, body: string | undefined): Buffer {
  const parts: string[] = [];
  for (const [name, value] of headers) {
    const v = value.startsWith(ARRAY_PREFIX)
      ? `[${splitArray(value).map(cjsonString).join(',')}]`
      : cjsonString(value);
    parts.push(`${cjsonString(name)}:${v}`);
  }
  if (body !== undefined) {
    parts.push(`"${Header.ContentLength}":"${Buffer.byteLength(body, 'utf8')}"`);
    parts.push(`"_body":${cjsonString(body)}`);
  }
  return Buffer.from(`{${parts.join(',')}}`, 'utf8');
}

function serializeXml(headers: ReadonlyArray<readonly [string, string]>, body: string | undefined): Buffer {
  let out = '<event>\n  <headers>';
  let afterText = false;
  for (const [name, value] of headers) {
    // switch_event_xmlize writes one element per array item.
    const items = value.startsWith(ARRAY_PREFIX) ? splitArray(value) : [value];
    for (const item of items) {
      out += `${afterText ? '' : '\n'}    <${name}>${fsUrlEncode(item)}</${name}>\n`;
      afterText = true;
    }
  }
  out += afterText ? '  </headers>\n' : '</headers>\n';
  const blen = body === undefined ? 0 : Buffer.byteLength(body, 'utf8');
  if (body !== undefined && blen > 0) {
    const text = xmlText(body);
    // switch_xml_toxml_r indents a closing tag only when the text ends in '\n'.
    out += `  <${Header.ContentLength}>${blen}</${Header.ContentLength}>\n  <body>${text}${text.endsWith('\n') ? '  ' : ''}</body>\n`;
  }
  out += '</event>\n';
  return Buffer.from(out, 'utf8');
}

/** `ARRAY::a|:b` -> ['a', 'b'] (switch_event_add_array). */
export function splitArray(value: string): string[] {
  return value.slice(ARRAY_PREFIX.length).split(ARRAY_SEPARATOR);
}

/** cJSON's print_string_ptr: `"` `\` and control characters escaped, the rest raw. */
function cjsonString(s: string): string {
  let out = '"';
  let runStart = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c > 31 && c !== 0x22 && c !== 0x5c) continue;
    out += s.slice(runStart, i);
    runStart = i + 1;
    switch (c) {
      case 0x22:
        out += '\\"';
        break;
      case 0x5c:
        out += '\\\\';
        break;
      case 0x08:
        out += '\\b';
        break;
      case 0x0c:
        out += '\\f';
        break;
      case 0x0a:
        out += '\\n';
        break;
      case 0x0d:
        out += '\\r';
        break;
      case 0x09:
        out += '\\t';
        break;
      default:
        out += `\\u${c.toString(16).padStart(4, '0')}`;
    }
  }
  return `${out}${s.slice(runStart)}"`;
}

/**
 * switch_xml_ampencode() for element text, with USE_UTF_8_ENCODING: `& < >`
 * and CR escaped, every non-ASCII character as `&#xHEX;`, and after `<!` the
 * rest copied raw (FreeSWITCH's "immune" mode for CDATA and comments).
 */
function xmlText(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s.codePointAt(i)!;
    if (c === 0) break;
    if (c === 0x3c && s.charCodeAt(i + 1) === 0x21) return out + s.slice(i);
    if (c === 0x26) out += '&amp;';
    else if (c === 0x3c) out += '&lt;';
    else if (c === 0x3e) out += '&gt;';
    else if (c === 0x0d) out += '&#xD;';
    else if (c < 0x80) out += s[i];
    else {
      // A lone surrogate is written to the wire as U+FFFD by the UTF-8 encoder.
      const cp = c >= 0xd800 && c <= 0xdfff ? 0xfffd : c;
      out += `&#x${cp.toString(16).toUpperCase()};`;
      if (c > 0xffff) i++;
    }
  }
  return out;
}

function checkHeader(name: string, value: string, valueMayHoldNewlines = false): void {
  if (name === '' || /[\r\n:]/.test(name)) {
    throw new InvalidArgumentError(`header name ${JSON.stringify(name)} must be non-empty without ':', CR or LF`);
  }
  // Event values are encoded (plain, xml) or escaped (json); outer values go raw.
  if (!valueMayHoldNewlines && /[\r\n]/.test(value)) {
    throw new InvalidArgumentError(`header ${name}: value must not contain CR or LF`);
  }
}
