/**
 * The readers' fast lookups (a search for the name's bytes, Event-Name and
 * Unique-ID spotted during the line scan) must answer exactly what the full
 * header index answers (exact case first, then case-insensitive; the last
 * occurrence wins) — for every header name of every recorded event, in every
 * case, and for hand-made traps: keys quoted inside values, escaped keys,
 * repeated keys, nested bodies.
 */
import { describe, expect, it } from 'vitest';
import { JsonReader } from '../../../src/protocol/event-json.js';
import { PlainReader } from '../../../src/protocol/event-plain.js';
import { XmlReader } from '../../../src/protocol/event-xml.js';
import { EslParser } from '../../../src/protocol/parser.js';
import { listCaptures, readCapture } from '../../support/captures.js';

const J = 'text/event-json';
const X = 'text/event-xml';
const P = 'text/event-plain';

function reader(contentType: string, body: Buffer): JsonReader | XmlReader | PlainReader {
  if (contentType === J) return new JsonReader(body);
  if (contentType === X) return new XmlReader(body);
  return new PlainReader(body);
}

function outcome(f: () => string | undefined): string | undefined {
  try {
    return f();
  } catch (error) {
    return `ERR ${(error as Error).message}`;
  }
}

/** Each name whose fast lookup differs from the index, with both answers. */
function mismatches(contentType: string, body: Buffer, names: Iterable<string>): string[] {
  const out: string[] = [];
  for (const name of names) {
    const fast = outcome(() => reader(contentType, body).lookup(name));
    const indexed = outcome(() => {
      const r = reader(contentType, body);
      let i = r.find(name, false);
      if (i < 0) i = r.find(name, true);
      return i < 0 ? undefined : r.valueAt(i);
    });
    if (fast !== indexed) out.push(`${contentType} ${JSON.stringify(name)}: ${JSON.stringify(fast)} != ${JSON.stringify(indexed)}`);
  }
  return out;
}

const PROBES = ['Event-Name', 'Unique-ID', 'event-name', 'UNIQUE-ID', 'Content-Length', 'content-length', '_body', 'Nope', 'Job-UUID', 'variable_', ''];

describe('fast header lookups agree with the full index', () => {
  it('on every header name of every recorded event, in every case', () => {
    let lookups = 0;
    let events = 0;
    const bad: string[] = [];
    for (const name of listCaptures()) {
      new EslParser((frame) => {
        if (!frame.contentType.startsWith('text/event-') || frame.body === undefined) return;
        events++;
        const r = reader(frame.contentType, frame.body);
        const names = new Set(PROBES);
        for (let i = 0; i < r.count; i++) {
          const n = r.nameAt(i);
          names.add(n).add(n.toLowerCase()).add(n.toUpperCase()).add(n.slice(1));
        }
        lookups += names.size;
        bad.push(...mismatches(frame.contentType, frame.body, names));
      }).write(readCapture(name).in);
    }
    expect(bad).toEqual([]);
    expect(events).toBeGreaterThan(1000);
    expect(lookups).toBeGreaterThan(100_000);
  });

  it('on hand-made JSON: keys inside values, escaped and repeated keys, spacing, a body, a 70 KB value', () => {
    const bodies = [
      '{"Event-Name":"A","x":"\\"Event-Name\\":\\"B\\"","Event-Name" : "C"}',
      '{"Event-Name":"A","x":"a,\\"Event-Name\\":\\"B\\""}',
      '{"k":"Event-Name","Event-Name":"X","v":["Event-Name"]}',
      '{"Event\\u002DName":"E","Event-Name":"A"}',
      '{"Event-Name":"A","Event\\u002DName":"E"}',
      '{"event-name":"a","EVENT-NAME":"b"}',
      '{"event-name":"a","x":"\\\\","EVENT-NAME":"b"}',
      '{"Event-Name":"A","Unique-ID":["u","v"],"Content-Length":"3","_body":"x\\"Unique-ID\\":\\"z\\""}',
      '{"Event-Name":"A","Content-Length":"3","_body":"abc"}',
      '{ "Event-Name" :\t"A\\u00e9\\n" ,"Unique-ID":"x"}',
      '{"Event-Name":"A","Unique-ID":"a\\"b"}',
      `{"Event-Name":"A","x":"${'E'.repeat(70_000)}","Event-Name":"B","Unique-ID":"u","_body":"${'q'.repeat(1000)}"}`,
    ];
    const names = ['Event-Name', 'event-name', 'Unique-ID', 'unique-id', 'Content-Length', 'content-length', '_body', 'x', 'k', 'v', 'nope'];
    expect(bodies.flatMap((b) => mismatches(J, Buffer.from(b), names))).toEqual([]);
    expect(new JsonReader(Buffer.from(bodies[0]!)).lookup('Event-Name')).toBe('C');
    expect(new JsonReader(Buffer.from(bodies[1]!)).lookup('Event-Name')).toBe('A');
  });

  it('on hand-made XML and plain events: self-closing tags, escaped markup in the body, repeats, nested bodies', () => {
    const xml = [
      '<event>\n  <headers>\n    <Event-Name>A</Event-Name>\n    <Event-Name/>\n  </headers>\n</event>',
      '<event>\n  <headers>\n    <Event-Name>A</Event-Name>\n    <Event-Names>B</Event-Names>\n    <event-name>c</event-name>\n  </headers>\n  <body>&lt;Event-Name&gt;Q&lt;/Event-Name&gt;<!<Event-Name>Z</Event-Name></body>\n</event>',
      '<event><headers><Unique-ID>u%20v</Unique-ID><Event-Name>A</Event-Name></headers><Content-Length>3</Content-Length><body>abc</body></event>',
    ];
    const xmlNames = ['Event-Name', 'event-name', 'Event-Names', 'Unique-ID', 'unique-id', 'Content-Length', 'body'];
    expect(xml.flatMap((b) => mismatches(X, Buffer.from(b), xmlNames))).toEqual([]);
    const plain = [
      'Event-Name: A\nx: Event-Name: B\nEvent-Name: C\n\n',
      'event-name: a\nEVENT-NAME: b\n\n',
      'Event-Name: A\nContent-Length: 15\n\nEvent-Name: B\n\n',
      'Event-Name: A\nUnique-ID: %41b\nUnique-ID: z\nContent-Length: 3\n\nabc',
    ];
    const plainNames = ['Event-Name', 'event-name', 'Unique-ID', 'x', 'Content-Length'];
    expect(plain.flatMap((b) => mismatches(P, Buffer.from(b), plainNames))).toEqual([]);
    expect(new PlainReader(Buffer.from(plain[0]!)).lookup('Event-Name')).toBe('C');
    expect(new PlainReader(Buffer.from(plain[2]!)).lookup('Event-Name')).toBe('A');
    expect(new PlainReader(Buffer.from(plain[3]!)).lookup('Unique-ID')).toBe('z');
  });
});
