import { describe, expect, it } from 'vitest';
import { InvalidArgumentError, ProtocolError } from '../../../src/errors.js';
import { EslEvent } from '../../../src/protocol/event.js';
import { plainValuesDecoded } from '../../../src/protocol/event-plain.js';
import type { Frame } from '../../../src/protocol/frame.js';
import { serializeEvent } from '../../../src/protocol/serialize.js';
import { readCapture } from '../../support/captures.js';
import { parseSplit } from './frames.js';

function events(name: string): EslEvent[] {
  return parseSplit(readCapture(name).in)
    .filter((f) => f.contentType.startsWith('text/event-'))
    .map((f) => EslEvent.fromFrame(f));
}

function plainFrame(body: string | Buffer): Frame {
  return { contentType: 'text/event-plain', headers: {}, body: Buffer.isBuffer(body) ? body : Buffer.from(body, 'utf8') };
}

function only(list: EslEvent[], pred: (e: EslEvent) => boolean): EslEvent {
  const found = list.filter(pred);
  expect(found).toHaveLength(1);
  return found[0]!;
}

describe('EslEvent on utf8-and-bodies (event-plain)', () => {
  const list = events('utf8-and-bodies');
  const a = '9c3e055e-ef97-48d4-892a-a9eebaa332df';

  it('decodes multi-byte caller id and variables from percent-encoded UTF-8', () => {
    const names = list.map((e) => e.get('Caller-Caller-ID-Name')).filter((v) => v !== undefined && v !== 'Outbound Call');
    expect(names).toEqual(Array(27).fill('Zo\u00eb \u65e5\u672c \u260e'));
    const multi = list.map((e) => e.get('variable_switchyard_multi')).filter((v) => v !== undefined);
    expect(multi).toEqual(Array(22).fill('na\u00efve caf\u00e9 \u2615'));
    const park = list.find((e) => e.name === 'CHANNEL_PARK' && e.uuid === a)!;
    expect(park.get('variable_origination_caller_id_name')).toBe('Zo\u00eb \u65e5\u672c \u260e');
  });

  it('decodes the variable holding a newline', () => {
    const withLines = list.filter((e) => e.get('variable_switchyard_lines') !== undefined);
    expect(withLines).toHaveLength(7);
    for (const e of withLines) expect(e.get('variable_switchyard_lines')).toBe('line1\nline2');
  });

  it('reads the CUSTOM event: subclass, its own lower-case content-length header, and its body', () => {
    const custom = only(list, (e) => e.name === 'CUSTOM');
    expect(custom.subclass).toBe('switchyard::note');
    expect(custom.get('Note')).toBe('\u00fcn\u00efcode header');
    expect(custom.get('content-type')).toBe('text/plain');
    expect(custom.get('content-length')).toBe('13');
    expect(custom.get('Command')).toBe('sendevent CUSTOM');
    expect(custom.body).toBe('body \u2713 text');
    expect(Buffer.byteLength(custom.body!)).toBe(13);
    // The framing Content-Length line is not a header of the event.
    expect(custom.entries().filter(([n]) => n.toLowerCase() === 'content-length')).toEqual([['content-length', '13']]);
  });

  it('reads the body of the sendmsg PRIVATE_COMMAND', () => {
    const cmd = only(list, (e) => e.name === 'PRIVATE_COMMAND' && e.get('execute-app-name') === 'set');
    expect(cmd.body).toBe('switchyard_body=from body \u2713');
    expect(cmd.get('call-command')).toBe('execute');
    expect(cmd.get('Command')).toBe(`sendmsg ${a}`);
  });
});

describe('EslEvent bodies and headers', () => {
  it('gives BACKGROUND_JOB results as bodies (bgapi)', () => {
    const jobs = events('bgapi');
    expect(jobs.map((e) => [e.name, e.jobUuid, e.get('Job-Command'), e.get('Job-Command-Arg')])).toEqual([
      ['BACKGROUND_JOB', 'f36cf314-5708-4cfe-ab06-c2b132feb25f', 'status', undefined],
      ['BACKGROUND_JOB', '52195a4f-4453-4869-abf2-d445fe0f6fea', 'originate', 'error/USER_BUSY &park()'],
      ['BACKGROUND_JOB', '117faf03-3bc5-4636-a605-89c8e8a9b82a', 'no_such_command', undefined],
    ]);
    expect(jobs[0]!.body).toMatch(/^UP 0 years, 0 days, 0 hours, 12 minutes, 42 seconds, 275 milliseconds/);
    expect(jobs[1]!.body).toBe('-ERR USER_BUSY\n');
    expect(jobs[2]!.body).toBe('-ERR no_such_command Command not found!\n');
  });

  it.each(['loopback-plain', 'loopback-json', 'loopback-xml'])('reads the originate result in %s', (name) => {
    const job = only(events(name), (e) => e.name === 'BACKGROUND_JOB');
    expect(job.format).toBe(name.slice('loopback-'.length));
    expect(job.body).toMatch(/^\+OK [0-9a-f-]{36}\n$/);
    expect(job.get('Job-Command')).toBe('originate');
    expect(job.get('Job-Command-Arg')).toMatch(/^\{origination_uuid=[0-9a-f-]{36},origination_caller_id_name=switchyard,/);
    expect(job.get('FreeSWITCH-IPv6')).toBe('fd00::2');
    expect(job.get('Content-Length')).toBeUndefined();
    expect(job.get('_body')).toBeUndefined();
  });

  it.each(['loopback-plain', 'loopback-json', 'loopback-xml'])(
    'takes the last of repeated headers: the re-fired PRIVATE_COMMAND in %s',
    (name) => {
      const cmd = only(events(name), (e) => e.get('execute-app-name') === 'playback' && e.name === 'PRIVATE_COMMAND');
      expect(cmd.getArray('Event-Name')).toEqual(['PRIVATE_COMMAND']);
      expect(cmd.entries().filter(([n]) => n === 'Event-Name')).toEqual([
        ['Event-Name', 'COMMAND'],
        ['Event-Name', 'PRIVATE_COMMAND'],
      ]);
      expect(cmd.headers()['Event-Calling-Function']).toBe('switch_ivr_parse_next_event');
      expect(cmd.get('execute-app-arg')).toBe('tone_stream://%(300,0,440)');
    },
  );

  it('matches names case-insensitively, preferring an exact-case match', () => {
    const ev = EslEvent.fromFrame(plainFrame('Event-Name: X\nchannel-read-codec-name: a\nChannel-Read-Codec-Name: b\n\n'));
    expect(ev.get('Channel-Read-Codec-Name')).toBe('b');
    expect(ev.get('channel-read-codec-name')).toBe('a');
    expect(ev.get('CHANNEL-READ-CODEC-NAME')).toBe('b');
    expect(ev.get('event-name')).toBe('X');
    expect(ev.get('Missing')).toBeUndefined();
  });

  it('decodes plain values leniently, never as a URI and never + as space', () => {
    const body = [
      'Event-Name: CUSTOM',
      'Lone: 100%',
      'Bad-Hex: %zz%4',
      'Plus: a+b',
      'Lower-Hex: %c3%a9',
      'Broken-UTF8: %C3%28x',
      'Raw-UTF8: caf\u00e9',
      'Empty: _undef_',
      'Arr: ARRAY::a|:b%7C:c|:',
      'Colon: a: b',
      '',
      '',
    ].join('\n');
    const ev = EslEvent.fromFrame(plainFrame(body));
    expect(ev.get('Lone')).toBe('100%');
    expect(ev.get('Bad-Hex')).toBe('%zz%4');
    expect(ev.get('Plus')).toBe('a+b');
    expect(ev.get('Lower-Hex')).toBe('\u00e9');
    expect(ev.get('Broken-UTF8')).toBe('\ufffd(x');
    expect(ev.get('Raw-UTF8')).toBe('caf\u00e9');
    expect(ev.get('Empty')).toBe('_undef_');
    expect(ev.get('Arr')).toBe('ARRAY::a|:b|:c|:');
    expect(ev.getArray('Arr')).toEqual(['a', 'b', 'c', '']);
    expect(ev.getArray('Plus')).toEqual(['a+b']);
    expect(ev.getArray('Missing')).toEqual([]);
    expect(ev.get('Colon')).toBe('a: b');
    expect(ev.subclass).toBeUndefined();
  });

  it('turns json arrays into ARRAY:: values', () => {
    const json = '{"Event-Name":"CUSTOM","Event-Subclass":"x::y","Multi":["a","b|c","d\\u00e9"],"Esc":"q\\"\\\\\\n"}';
    const ev = EslEvent.fromFrame({ contentType: 'text/event-json', headers: {}, body: Buffer.from(json) });
    expect(ev.get('Multi')).toBe('ARRAY::a|:b|c|:d\u00e9');
    expect(ev.getArray('Multi')).toEqual(['a', 'b|c', 'd\u00e9']);
    expect(ev.get('Esc')).toBe('q"\\\n');
    expect(ev.subclass).toBe('x::y');
    expect(ev.body).toBeUndefined();
  });

  it('reads xml bodies with escapes, non-ASCII references and a body really ending in "\\n  "', () => {
    const frame = (body: string): Frame => ({
      contentType: 'text/event-xml',
      headers: {},
      body: serializeEvent('xml', [['Event-Name', 'CUSTOM']], body).subarray(
        serializeEvent('xml', [['Event-Name', 'CUSTOM']], body).indexOf('\n\n') + 2,
      ),
    });
    for (const body of ['a < b && c > d\r\n', 'caf\u00e9 \u260e\n', 'ends with indent\n  ', '<![CDATA[ & ]]> &amp;']) {
      expect(EslEvent.fromFrame(frame(body)).body).toBe(body);
    }
  });

  it('builds events in memory with fromHeaders', () => {
    const ev = EslEvent.fromHeaders({ 'Event-Name': 'CHANNEL_ANSWER', 'Unique-ID': 'u1', 'Job-UUID': 'j1' }, 'text');
    expect([ev.name, ev.uuid, ev.jobUuid, ev.body, ev.format]).toEqual(['CHANNEL_ANSWER', 'u1', 'j1', 'text', 'plain']);
    expect(ev.get('unique-id')).toBe('u1');
    expect(ev.headers()).toEqual({ 'Event-Name': 'CHANNEL_ANSWER', 'Unique-ID': 'u1', 'Job-UUID': 'j1' });
    expect(() => EslEvent.fromHeaders({ 'Unique-ID': 'u1' })).toThrow(InvalidArgumentError);
  });

  it('headers() keeps a header named __proto__ as data', () => {
    const ev = EslEvent.fromFrame(plainFrame('Event-Name: X\n__proto__: p\n\n'));
    const all = ev.headers();
    expect(Object.getPrototypeOf(all)).toBe(Object.prototype);
    expect(Object.keys(all)).toEqual(['Event-Name', '__proto__']);
  });
});

describe('EslEvent decodes lazily', () => {
  it('reading Event-Name and Unique-ID of the largest event (139 headers) decodes exactly those two values', () => {
    const frame = parseSplit(readCapture('utf8-and-bodies').in)
      .filter((f) => f.contentType === 'text/event-plain')
      .reduce((a, b) => (b.body!.length > a.body!.length ? b : a));
    const before = plainValuesDecoded();
    const ev = EslEvent.fromFrame(frame);
    expect(ev.name).toBe('CHANNEL_HANGUP_COMPLETE');
    expect(ev.uuid).toMatch(/^[0-9a-f-]{36}$/);
    expect(plainValuesDecoded() - before).toBe(2);
    const count = ev.entries().length;
    expect(count).toBe(139);
    // Listing decodes every value once; after that nothing is decoded again.
    expect(plainValuesDecoded() - before).toBe(2 + count);
    ev.headers();
    ev.get('Caller-Caller-ID-Name');
    expect(plainValuesDecoded() - before).toBe(2 + count);
  });
});

describe('EslEvent.fromFrame refuses what is not an event', () => {
  const cases: Array<[string, Frame, RegExp]> = [
    ['a command reply', { contentType: 'command/reply', headers: {}, body: undefined }, /without an event body/],
    ['an api response', { contentType: 'api/response', headers: {}, body: Buffer.from('+OK') }, /not an event frame/],
    ['a plain event without body', { contentType: 'text/event-plain', headers: {}, body: undefined }, /without/],
    ['plain without a blank line', plainFrame('Event-Name: X\n'), /no terminating blank line/],
    ['plain without Event-Name', plainFrame('Unique-ID: u\n\n'), /without Event-Name/],
    ['plain body without Content-Length', plainFrame('Event-Name: X\n\nbody'), /without a Content-Length/],
    ['plain body of the wrong length', plainFrame('Event-Name: X\nContent-Length: 9\n\nbody'), /Content-Length 9 but 4/],
    ['a malformed plain line', plainFrame('Event-Name: X\nno separator\n\n'), /malformed event-plain header line/],
    // FreeSWITCH never writes one; lookups stay fast, listing the headers or reading the body says so.
    ['a blank line inside the plain header block', plainFrame('Event-Name: X\n\nUnique-ID: u\n\n'), /body without a Content-Length line/],
    ['json that is not an object', { contentType: 'text/event-json', headers: {}, body: Buffer.from('[1]') }, /expected '\{'/],
    ['json with a number', { contentType: 'text/event-json', headers: {}, body: Buffer.from('{"a":1}') }, /string or an array/],
    ['truncated json', { contentType: 'text/event-json', headers: {}, body: Buffer.from('{"Event-Name":"X"') }, /expected ','/],
    ['xml without <event>', { contentType: 'text/event-xml', headers: {}, body: Buffer.from('<x/>') }, /expected <event>/],
    ['unterminated xml', { contentType: 'text/event-xml', headers: {}, body: Buffer.from('<event><headers><A>b') }, /unterminated/],
  ];
  it.each(cases)('%s', (_what, frame, message) => {
    const attempt = (): void => {
      // Malformed lines of event-plain surface when the headers are indexed.
      EslEvent.fromFrame(frame).headers();
    };
    expect(attempt).toThrow(ProtocolError);
    expect(attempt).toThrow(message);
  });
});
