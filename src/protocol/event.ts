/**
 * EslEvent: one FreeSWITCH event, read lazily from a `text/event-plain`,
 * `text/event-json` or `text/event-xml` frame (the three serializers of
 * switch_event.c; see event-plain.ts, event-json.ts and event-xml.ts).
 *
 * Header names match case-insensitively, as switch_event_get_header() does;
 * an exact-case name is the fast path: names are compared with the raw bytes
 * (a native search for the rarest byte of the name as it is written: `\nName: `
 * in event-plain, a key in json, a tag in xml; see nextMatch() in
 * header-reader.ts), with no index of every header. Values are decoded only
 * when asked: reading `Event-Name` and `Unique-ID` of a 200-header event
 * decodes those two values and nothing else. fromFrame checks the framing and
 * that there is an Event-Name; the rest of a json or xml structure, like a
 * malformed event-plain line or a blank line amid event-plain headers, is
 * checked (ProtocolError) when all headers are listed by headers() or
 * entries(), or the body is read.
 * Values come back as FreeSWITCH sent them once decoded: `_undef_` stays
 * `_undef_`, arrays stay `ARRAY::a|:b` (see getArray()). When a name repeats,
 * the last occurrence wins (FreeSWITCH appends: an event fired again as
 * PRIVATE_COMMAND carries its old Event-Name first and the current one last);
 * an exact-case match is preferred to a case-insensitive one.
 */
import { InvalidArgumentError, ProtocolError } from '../errors.js';
import { JsonReader } from './event-json.js';
import { PlainReader } from './event-plain.js';
import { XmlReader } from './event-xml.js';
import type { Frame } from './frame.js';
import type { HeaderReader } from './header-reader.js';
import { ContentType, type EventFormat, Header } from './names.js';

const ARRAY_PREFIX = 'ARRAY::';
const ARRAY_SEPARATOR = '|:';

/** An event built in memory: its headers are already strings. */
class ListReader implements HeaderReader {
  readonly #names: string[];
  readonly #values: string[];
  readonly #body: string | undefined;
  constructor(headers: Record<string, string>, body: string | undefined) {
    this.#names = Object.keys(headers);
    this.#values = this.#names.map((n) => headers[n]!);
    this.#body = body;
  }
  get count(): number {
    return this.#names.length;
  }
  find(name: string, folded: boolean): number {
    if (!folded) return this.#names.lastIndexOf(name);
    const lower = name.toLowerCase();
    return this.#names.findLastIndex((n) => n.toLowerCase() === lower);
  }
  nameAt(i: number): string {
    return this.#names[i]!;
  }
  valueAt(i: number): string {
    return this.#values[i]!;
  }
  lookup(name: string): string | undefined {
    let i = this.find(name, false);
    if (i < 0) i = this.find(name, true);
    return i < 0 ? undefined : this.#values[i];
  }
  validate(): void {}
  body(): string | undefined {
    return this.#body;
  }
}

export class EslEvent {
  /** The wire format the event came in (`plain` for events built in memory). */
  readonly format: EventFormat;
  /** Event-Name (`CUSTOM` for custom events, see `subclass`). */
  readonly name: string;
  readonly #reader: HeaderReader;
  /** Decoded values by header position, once all are listed (single get()s decode afresh: cheaper than a cache). */
  #values: string[] | undefined;
  #bodyRead = false;
  #body: string | undefined;

  private constructor(format: EventFormat, reader: HeaderReader) {
    this.format = format;
    this.#reader = reader;
    const name = this.get(Header.EventName);
    if (name === undefined) {
      // A body that is not an event at all says so first.
      reader.validate();
      throw new ProtocolError(`${format} event without Event-Name`);
    }
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
        return new EslEvent('plain', new PlainReader(buf));
      case ContentType.EventJson:
        return new EslEvent('json', new JsonReader(buf));
      case ContentType.EventXml:
        return new EslEvent('xml', new XmlReader(buf));
      default:
        throw new ProtocolError(`not an event frame: Content-Type ${JSON.stringify(frame.contentType)}`);
    }
  }

  /** An event built in memory (tests, resync from `show channels`); values as given. */
  static fromHeaders(headers: Record<string, string>, body?: string): EslEvent {
    if (headers[Header.EventName] === undefined) {
      throw new InvalidArgumentError('EslEvent.fromHeaders needs an Event-Name header');
    }
    return new EslEvent('plain', new ListReader(headers, body));
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
    if (!this.#bodyRead) {
      this.#body = this.#reader.body();
      this.#bodyRead = true;
    }
    return this.#body;
  }

  /** One header's decoded value; the name matches case-insensitively. */
  get(header: string): string | undefined {
    if (this.#values === undefined) return this.#reader.lookup(header);
    let i = this.#reader.find(header, false);
    if (i < 0) i = this.#reader.find(header, true);
    if (i < 0) return undefined;
    return this.#values[i];
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
    const values = this.#allValues();
    for (let i = 0; i < values.length; i++) {
      const name = this.#reader.nameAt(i);
      // A header called __proto__ must stay data, not replace the prototype.
      if (name === '__proto__') {
        Object.defineProperty(out, name, { value: values[i], enumerable: true, writable: true, configurable: true });
      } else {
        out[name] = values[i]!;
      }
    }
    return out;
  }

  /** All headers in wire order, repeated names kept, decoded. */
  entries(): Array<[string, string]> {
    const values = this.#allValues();
    return values.map((v, i) => [this.#reader.nameAt(i), v]);
  }

  #allValues(): string[] {
    if (this.#values === undefined) {
      const reader = this.#reader;
      reader.validate();
      const values: string[] = [];
      for (let i = 0; i < reader.count; i++) values.push(reader.valueAt(i));
      this.#values = values;
    }
    return this.#values;
  }
}
