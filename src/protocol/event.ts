/**
 * EslEvent: one FreeSWITCH event, read lazily from a `text/event-plain`,
 * `text/event-json` or `text/event-xml` frame (the three serializers of
 * switch_event.c; see event-plain.ts, event-json.ts and event-xml.ts).
 *
 * Header names match case-insensitively, as switch_event_get_header() does;
 * an exact-case name is the fast path (for event-plain, one native search of
 * the bytes). Values are decoded only when asked: reading `Event-Name` and
 * `Unique-ID` of a 200-header event decodes those two values and nothing else.
 * Values come back as FreeSWITCH sent them once decoded: `_undef_` stays
 * `_undef_`, arrays stay `ARRAY::a|:b` (see getArray()). When a name repeats,
 * the last occurrence wins (FreeSWITCH appends: an event fired again as
 * PRIVATE_COMMAND carries its old Event-Name first and the current one last);
 * an exact-case match is preferred to a case-insensitive one.
 */
import { InvalidArgumentError, ProtocolError } from '../errors.js';
import type { Frame } from './frame.js';
import { decodeJsonString, decodeJsonValue, indexJson } from './event-json.js';
import {
  decodePlainValue,
  findPlainValue,
  type HeaderIndex,
  indexPlain,
  layoutPlain,
  valueEnd,
} from './event-plain.js';
import { decodeXmlBody, decodeXmlValue, indexXml, type XmlLayout } from './event-xml.js';
import { ContentType, type EventFormat, Header } from './names.js';

const ARRAY_PREFIX = 'ARRAY::';
const ARRAY_SEPARATOR = '|:';

type Decoder = (buf: Buffer, start: number, end: number) => string;

export class EslEvent {
  /** The wire format the event came in (`plain` for events built in memory). */
  readonly format: EventFormat;
  /** Event-Name (`CUSTOM` for custom events, see `subclass`). */
  readonly name: string;
  readonly #buf: Buffer;
  readonly #decode: Decoder;
  /** event-plain: header lines end here (the body's Content-Length line excluded). */
  readonly #headersEnd: number;
  #index: HeaderIndex | undefined;
  #values: Array<string | undefined> | undefined;
  #bodyText: (() => string | undefined) | undefined;
  #body: string | undefined;

  private constructor(
    format: EventFormat,
    buf: Buffer,
    decode: Decoder,
    headersEnd: number,
    index: HeaderIndex | undefined,
    values: Array<string | undefined> | undefined,
    bodyText: (() => string | undefined) | undefined,
  ) {
    this.format = format;
    this.#buf = buf;
    this.#decode = decode;
    this.#headersEnd = headersEnd;
    this.#index = index;
    this.#values = values;
    this.#bodyText = bodyText;
    this.#body = undefined;
    const name = this.get(Header.EventName);
    if (name === undefined) throw new ProtocolError(`${format} event without Event-Name`);
    this.name = name;
  }

  /** The event carried by a `text/event-plain|json|xml` frame; anything else is a ProtocolError. */
  static fromFrame(frame: Frame): EslEvent {
    const buf = frame.body;
    if (buf === undefined || buf.length === 0) {
      throw new ProtocolError(`${frame.contentType || 'frame'} without an event body`);
    }
    switch (frame.contentType) {
      case ContentType.EventPlain:
        return EslEvent.#fromPlain(buf);
      case ContentType.EventJson:
        return EslEvent.#fromJson(buf);
      case ContentType.EventXml:
        return EslEvent.#fromXml(buf);
      default:
        throw new ProtocolError(`not an event frame: Content-Type ${JSON.stringify(frame.contentType)}`);
    }
  }

  /** An event built in memory (tests, resync from `show channels`); values as given. */
  static fromHeaders(headers: Record<string, string>, body?: string): EslEvent {
    if (headers[Header.EventName] === undefined) {
      throw new InvalidArgumentError('EslEvent.fromHeaders needs an Event-Name header');
    }
    const names = Object.keys(headers);
    const values = names.map((n) => headers[n]);
    const index: HeaderIndex = { names, starts: [], ends: [] };
    return new EslEvent('plain', Buffer.alloc(0), decodePlainValue, 0, index, values, () => body);
  }

  static #fromPlain(buf: Buffer): EslEvent {
    const layout = layoutPlain(buf);
    const bodyText =
      layout.bodyEnd > layout.bodyStart ? () => buf.toString('utf8', layout.bodyStart, layout.bodyEnd) : undefined;
    return new EslEvent('plain', buf, decodePlainValue, layout.headersEnd, undefined, undefined, bodyText);
  }

  static #fromJson(buf: Buffer): EslEvent {
    const layout = indexJson(buf);
    const bodyText = layout.bodyStart >= 0 ? () => decodeJsonString(buf, layout.bodyStart, layout.bodyEnd) : undefined;
    return new EslEvent('json', buf, decodeJsonValue, 0, layout, new Array(layout.names.length), bodyText);
  }

  static #fromXml(buf: Buffer): EslEvent {
    const layout: XmlLayout = indexXml(buf);
    const bodyText = layout.bodyStart >= 0 ? () => decodeXmlBody(buf, layout) : undefined;
    return new EslEvent('xml', buf, decodeXmlValue, 0, layout, new Array(layout.names.length), bodyText);
  }

  /** Event-Subclass (e.g. `sofia::register` for CUSTOM events), if any. */
  get subclass(): string | undefined {
    return this.get(Header.EventSubclass);
  }

  /** Unique-ID: the channel the event is about, if any. */
  get uuid(): string | undefined {
    return this.get(Header.UniqueId);
  }

  /** Job-UUID (BACKGROUND_JOB events), if any. */
  get jobUuid(): string | undefined {
    return this.get(Header.JobUuid);
  }

  /** The event's own body (e.g. a BACKGROUND_JOB result), without its Content-Length framing. */
  get body(): string | undefined {
    if (this.#bodyText !== undefined) {
      this.#body = this.#bodyText();
      this.#bodyText = undefined;
    }
    return this.#body;
  }

  /** One header's decoded value; the name matches case-insensitively. */
  get(header: string): string | undefined {
    if (this.#index === undefined) {
      // event-plain before any case-insensitive lookup: search the bytes.
      const start = findPlainValue(this.#buf, this.#headersEnd, header);
      if (start >= 0) return this.#decode(this.#buf, start, valueEnd(this.#buf, start));
    }
    const index = this.#ensureIndex();
    let i = index.names.lastIndexOf(header);
    if (i < 0) {
      const lower = header.toLowerCase();
      i = index.names.findLastIndex((n) => n.toLowerCase() === lower);
      if (i < 0) return undefined;
    }
    return this.#valueAt(i);
  }

  /** An array header's items (`ARRAY::a|:b` -> ['a', 'b']); [value] for a plain one, [] when absent. */
  getArray(header: string): string[] {
    const value = this.get(header);
    if (value === undefined) return [];
    return value.startsWith(ARRAY_PREFIX) ? value.slice(ARRAY_PREFIX.length).split(ARRAY_SEPARATOR) : [value];
  }

  /** All headers, decoded; for a repeated name the last occurrence (in the place of the first). */
  headers(): Record<string, string> {
    const out: Record<string, string> = {};
    const { names } = this.#ensureIndex();
    for (let i = 0; i < names.length; i++) {
      const name = names[i]!;
      const value = this.#valueAt(i);
      // A header called __proto__ must stay data, not replace the prototype.
      if (name === '__proto__') {
        Object.defineProperty(out, name, { value, enumerable: true, writable: true, configurable: true });
      } else {
        out[name] = value;
      }
    }
    return out;
  }

  /** All headers in wire order, repeated names kept, decoded. */
  entries(): Array<[string, string]> {
    const { names } = this.#ensureIndex();
    return names.map((name, i) => [name, this.#valueAt(i)]);
  }

  #ensureIndex(): HeaderIndex {
    if (this.#index === undefined) {
      this.#index = indexPlain(this.#buf, this.#headersEnd);
      this.#values = new Array(this.#index.names.length);
    }
    return this.#index;
  }

  #valueAt(i: number): string {
    const values = this.#values!;
    let v = values[i];
    if (v === undefined) {
      const index = this.#index!;
      v = this.#decode(this.#buf, index.starts[i]!, index.ends[i]!);
      values[i] = v;
    }
    return v;
  }
}
