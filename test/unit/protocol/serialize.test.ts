import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../../../src/errors.js';
import { EslEvent } from '../../../src/protocol/event.js';
import type { Frame } from '../../../src/protocol/frame.js';
import { fsUrlEncode } from '../../../src/protocol/percent.js';
import { serializeEvent, serializeEventBody, serializeFrame } from '../../../src/protocol/serialize.js';
import { listCaptures, readCapture } from '../../support/captures.js';
import { parseSplit } from './frames.js';

/** The bytes of one frame as it was on the wire. */
function wireBytes(frame: Frame): Buffer {
  const head = Object.entries(frame.headers)
    .map(([k, v]) => `${k}: ${v}\n`)
    .join('');
  return Buffer.concat([Buffer.from(`${head}\n`), frame.body ?? Buffer.alloc(0)]);
}

describe('serializeEvent reproduces FreeSWITCH byte for byte', () => {
  // Every event frame of every capture: parse it, then write the decoded
  // headers and body back. No frame in the captures needs an exception. In
  // general one cannot be exact: FreeSWITCH does not double-encode, so a value
  // that already held `%2F` goes out as `%2F` and reads back as `/`, which
  // FreeSWITCH would have written raw (see the test below).
  const perFormat: Record<string, number> = {};
  for (const name of listCaptures()) {
    for (const frame of parseSplit(readCapture(name).in)) {
      if (!frame.contentType.startsWith('text/event-')) continue;
      const ev = EslEvent.fromFrame(frame);
      perFormat[ev.format] = (perFormat[ev.format] ?? 0) + 1;
    }
  }

  it('covers every event frame of the captures', () => {
    expect(perFormat).toEqual({ plain: 1111, json: 56, xml: 56 });
  });

  it.each(listCaptures())('%s: every event frame', (name) => {
    let checked = 0;
    for (const frame of parseSplit(readCapture(name).in)) {
      if (!frame.contentType.startsWith('text/event-')) continue;
      const ev = EslEvent.fromFrame(frame);
      const again = serializeEvent(ev.format, ev.entries(), ev.body);
      expect(again.equals(wireBytes(frame)), `${name} ${ev.name} #${checked}`).toBe(true);
      checked++;
    }
    expect(checked).toBe(parseSplit(readCapture(name).in).filter((f) => f.contentType.startsWith('text/event-')).length);
  });

  it('cannot be exact for a value FreeSWITCH sent already percent-encoded', () => {
    const wire = 'Event-Name: X\nPath: a%2Fb\n\n';
    const ev = EslEvent.fromFrame({ contentType: 'text/event-plain', headers: {}, body: Buffer.from(wire) });
    expect(ev.get('Path')).toBe('a/b');
    expect(serializeEventBody('plain', ev.entries()).toString()).toBe('Event-Name: X\nPath: a/b\n\n');
  });
});

describe('switch_url_encode rules', () => {
  it.each([
    ['fd00::2', 'fd00%3A%3A2'],
    ['2026-11-23 22:23:30', '2026-11-23%2022%3A23%3A30'],
    ['{a=b,c}x &park()', '%7Ba%3Db,c%7Dx%20%26park()'],
    ['tone_stream://%(300,0,440)', 'tone_stream%3A//%25(300,0,440)'],
    ['line1%0Aline2', 'line1%0Aline2'],
    ['lower %0a stays? no', 'lower%20%250a%20stays%3F%20no'],
    ['end %A', 'end%20%25A'],
    ['Zo\u00eb \u260e', 'Zo%C3%AB%20%E2%98%8E'],
    ['tab\there\r\n', 'tab%09here%0D%0A'],
    ['"quote" \\ ^ ` | ~ \x7f', '%22quote%22%20%5C%20%5E%20%60%20%7C%20~%20%7F'],
    ["safe-_.!*'()/,$", "safe-_.!*'()/,$"],
  ])('%j -> %j', (raw, encoded) => {
    expect(fsUrlEncode(raw)).toBe(encoded);
  });
});

describe('serializeEvent formats', () => {
  const headers: Array<[string, string]> = [
    ['Event-Name', 'CUSTOM'],
    ['Event-Subclass', 'x::y'],
    ['Empty', ''],
    ['Multi', 'ARRAY::a|:b c'],
    ['Text', 'say "hi" & <go>\n'],
  ];

  it('plain: url-encoded values, _undef_ for empty, the body after its Content-Length', () => {
    expect(serializeEvent('plain', headers, 'r\u00e9sum\u00e9\n').toString()).toBe(
      'Content-Length: 159\nContent-Type: text/event-plain\n\n' +
        'Event-Name: CUSTOM\nEvent-Subclass: x%3A%3Ay\nEmpty: _undef_\nMulti: ARRAY%3A%3Aa%7C%3Ab%20c\n' +
        'Text: say%20%22hi%22%20%26%20%3Cgo%3E%0A\nContent-Length: 9\n\nr\u00e9sum\u00e9\n',
    );
    expect(serializeEvent('plain', [['Event-Name', 'HEARTBEAT']], '').toString()).toBe(
      'Content-Length: 23\nContent-Type: text/event-plain\n\nEvent-Name: HEARTBEAT\n\n',
    );
  });

  it('json: raw values, arrays as arrays, cJSON escapes, Content-Length and _body last', () => {
    expect(serializeEventBody('json', headers, 'b\u00e9\u0001').toString()).toBe(
      '{"Event-Name":"CUSTOM","Event-Subclass":"x::y","Empty":"","Multi":["a","b c"],' +
        '"Text":"say \\"hi\\" & <go>\\n","Content-Length":"4","_body":"b\u00e9\\u0001"}',
    );
  });

  it('xml: two-space indentation, one element per array item, escaped body', () => {
    expect(serializeEventBody('xml', headers, 'a<b & \u00e9\n').toString()).toBe(
      '<event>\n  <headers>\n    <Event-Name>CUSTOM</Event-Name>\n    <Event-Subclass>x%3A%3Ay</Event-Subclass>\n' +
        '    <Empty></Empty>\n    <Multi>a</Multi>\n    <Multi>b%20c</Multi>\n' +
        '    <Text>say%20%22hi%22%20%26%20%3Cgo%3E%0A</Text>\n  </headers>\n' +
        '  <Content-Length>9</Content-Length>\n  <body>a&lt;b &amp; &#xE9;\n  </body>\n</event>\n',
    );
    expect(serializeEventBody('xml', [['Event-Name', 'X']]).toString()).toBe(
      '<event>\n  <headers>\n    <Event-Name>X</Event-Name>\n  </headers>\n</event>\n',
    );
  });

  it('refuses header names that would break the framing', () => {
    for (const name of ['', 'A:B', 'A\nB', 'A\rB']) {
      expect(() => serializeEvent('plain', [[name, 'v']])).toThrow(InvalidArgumentError);
    }
  });
});

describe('serializeFrame', () => {
  it('writes replies Content-Type first and adds Content-Length after it', () => {
    expect(serializeFrame({ 'Content-Type': 'command/reply', 'Reply-Text': '+OK accepted' }).toString()).toBe(
      'Content-Type: command/reply\nReply-Text: +OK accepted\n\n',
    );
    expect(serializeFrame({ 'Content-Type': 'api/response' }, '+OK \u2713\n').toString()).toBe(
      'Content-Type: api/response\nContent-Length: 8\n\n+OK \u2713\n',
    );
    expect(serializeFrame({ 'Content-Type': 'api/response' }, new Uint8Array([0x76, 0x6d]))).toEqual(
      Buffer.from('Content-Type: api/response\nContent-Length: 2\n\nvm'),
    );
  });

  it('puts Content-Length where the caller placed it (outbound disconnect notice) with the real length', () => {
    const bytes = serializeFrame(
      {
        'Content-Type': 'text/disconnect-notice',
        'Controlled-Session-UUID': 'u',
        'Content-Disposition': 'linger',
        'Content-Length': 'ignored',
      },
      '',
    );
    expect(bytes.toString()).toBe(
      'Content-Type: text/disconnect-notice\nControlled-Session-UUID: u\nContent-Disposition: linger\nContent-Length: 0\n\n',
    );
  });

  it('reproduces every non-event frame of the captures', () => {
    let checked = 0;
    for (const name of listCaptures()) {
      for (const frame of parseSplit(readCapture(name).in)) {
        if (frame.contentType.startsWith('text/event-')) continue;
        expect(serializeFrame({ ...frame.headers }, frame.body).equals(wireBytes(frame))).toBe(true);
        checked++;
      }
    }
    expect(checked).toBe(143);
  });

  it('refuses CR or LF in headers and ":" in names', () => {
    expect(() => serializeFrame({ 'Reply-Text': '+OK\nContent-Type: x' })).toThrow(InvalidArgumentError);
    expect(() => serializeFrame({ 'Reply-Text': '+OK\r' })).toThrow(InvalidArgumentError);
    expect(() => serializeFrame({ 'A:B': 'x' })).toThrow(InvalidArgumentError);
  });
});
