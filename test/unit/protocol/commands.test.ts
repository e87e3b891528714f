import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../../../src/errors.js';
import {
  encodeApi,
  encodeAuth,
  encodeBgapi,
  encodeConnect,
  encodeDivertEvents,
  encodeEvent,
  encodeExit,
  encodeFilter,
  encodeFilterDelete,
  encodeGetvar,
  encodeLinger,
  encodeLog,
  encodeMyevents,
  encodeNixevent,
  encodeNoevents,
  encodeNolinger,
  encodeNolog,
  encodeResume,
  encodeSendevent,
  encodeSendmsg,
  encodeUserAuth,
  MAX_APP_ARG_BYTES,
} from '../../../src/protocol/commands.js';
import type { EventFormat } from '../../../src/protocol/names.js';
import { readCapture } from '../../support/captures.js';

const text = (b: Buffer): string => b.toString('utf8');

describe('command encoders produce what the recorded clients sent', () => {
  it('filters-and-log: the whole client stream, command by command', () => {
    const sent = Buffer.concat([
      encodeAuth('ClueCon'),
      encodeEvent('plain', ['CHANNEL_CREATE', 'CHANNEL_ANSWER', 'CHANNEL_DESTROY', 'BACKGROUND_JOB']),
      encodeFilter('Unique-ID', 'cd99ee40-7bfd-47bc-a167-8ca6cc4ad4d1'),
      encodeFilter('Job-UUID', '83569956-12e7-4d2f-9c03-4d3f84893204'),
      encodeBgapi(
        'originate {origination_uuid=cd99ee40-7bfd-47bc-a167-8ca6cc4ad4d1}loopback/park/switchyard &park()',
        '83569956-12e7-4d2f-9c03-4d3f84893204',
      ),
      encodeLog(7),
      encodeApi('uuid_kill cd99ee40-7bfd-47bc-a167-8ca6cc4ad4d1'),
      encodeNolog(),
      encodeFilterDelete('Unique-ID', 'cd99ee40-7bfd-47bc-a167-8ca6cc4ad4d1'),
      encodeNixevent(['CHANNEL_CREATE']),
      encodeNoevents(),
      encodeApi('hupall'),
    ]);
    expect(text(sent)).toBe(text(readCapture('filters-and-log').out));
  });

  it('utf8-and-bodies: sendmsg with a body and multi-byte arguments', () => {
    const uuid = '9c3e055e-ef97-48d4-892a-a9eebaa332df';
    const sent = Buffer.concat([
      encodeAuth('ClueCon'),
      encodeEvent('plain', ['ALL']),
      encodeBgapi(
        `originate {origination_uuid=${uuid},origination_caller_id_name='Zo\u00eb \u65e5\u672c \u260e',switchyard_multi='na\u00efve caf\u00e9 \u2615'}loopback/park/switchyard &park()`,
      ),
      encodeApi('uuid_answer ebd2f69c-f7dc-49f2-84b7-8b0f5d59b502'),
      encodeApi(`uuid_setvar ${uuid} switchyard_lines line1%0Aline2`),
      encodeSendmsg(uuid, { 'call-command': 'execute', 'execute-app-name': 'set', 'content-type': 'text/plain' }, 'switchyard_body=from body \u2713'),
      encodeSendevent('CUSTOM', { 'Event-Subclass': 'switchyard::note', Note: '\u00fcn\u00efcode header', 'content-type': 'text/plain' }, 'body \u2713 text'),
      encodeApi(`uuid_kill ${uuid}`),
    ]);
    expect(sent.equals(readCapture('utf8-and-bodies').out)).toBe(true);
  });

  it('outbound-async-full: the server side of an outbound socket', () => {
    const sent = Buffer.concat([
      encodeConnect(),
      encodeMyevents(),
      encodeLinger(),
      encodeSendmsg(undefined, { 'call-command': 'execute', 'execute-app-name': 'answer' }),
      encodeSendmsg(undefined, {
        'call-command': 'execute',
        'execute-app-name': 'playback',
        'execute-app-arg': 'tone_stream://%(300,0,440)',
        'event-lock': 'true',
      }),
      encodeGetvar('Unique-ID'),
      encodeSendmsg(undefined, { 'call-command': 'hangup', 'hangup-cause': 'NORMAL_CLEARING' }),
      encodeExit(),
    ]);
    expect(text(sent)).toBe(text(readCapture('outbound-async-full').out));
  });
});

describe('command encoders, exact bytes', () => {
  it.each<[string, Buffer, string]>([
    ['userauth', encodeUserAuth('1000@default', 'pa:ss'), 'userauth 1000@default:pa:ss\n\n'],
    ['bgapi without Job-UUID', encodeBgapi('status'), 'bgapi status\n\n'],
    ['event json', encodeEvent('json', ['CHANNEL_ANSWER']), 'event json CHANNEL_ANSWER\n\n'],
    ['nolinger', encodeNolinger(), 'nolinger\n\n'],
    ['linger 10', encodeLinger(10), 'linger 10\n\n'],
    ['log name', encodeLog('debug'), 'log debug\n\n'],
    ['myevents json', encodeMyevents('json'), 'myevents json\n\n'],
    ['divert on', encodeDivertEvents(true), 'divert_events on\n\n'],
    ['divert off', encodeDivertEvents(false), 'divert_events off\n\n'],
    ['resume', encodeResume(), 'resume\n\n'],
    ['filter with spaces in the value', encodeFilter('Caller-Caller-ID-Name', 'A B'), 'filter Caller-Caller-ID-Name A B\n\n'],
    ['filter on a header named delete', encodeFilter('delete', 'x'), 'filter add delete x\n\n'],
    ['filter on a header named add', encodeFilter('Add', 'x'), 'filter add Add x\n\n'],
    ['filter delete all', encodeFilterDelete('all'), 'filter delete all\n\n'],
  ])('%s', (_what, bytes, expected) => {
    expect(text(bytes)).toBe(expected);
  });

  it('puts CUSTOM and its subclasses last whatever order the caller gives', () => {
    expect(text(encodeEvent('plain', ['CUSTOM', 'sofia::register', 'CHANNEL_ANSWER']))).toBe(
      'event plain CHANNEL_ANSWER CUSTOM sofia::register\n\n',
    );
    expect(text(encodeEvent('plain', ['mod_bert::lost_sync', 'HEARTBEAT', 'CUSTOM conference::maintenance plainsub']))).toBe(
      'event plain HEARTBEAT CUSTOM mod_bert::lost_sync conference::maintenance plainsub\n\n',
    );
    expect(text(encodeEvent('xml', ['CHANNEL_CREATE CHANNEL_ANSWER', 'CHANNEL_CREATE']))).toBe(
      'event xml CHANNEL_CREATE CHANNEL_ANSWER\n\n',
    );
    expect(text(encodeNixevent(['CUSTOM x::y', 'DTMF']))).toBe('nixevent DTMF CUSTOM x::y\n\n');
  });

  it('sends a long or multi-line execute-app-arg as a text/plain body', () => {
    const multi = encodeSendmsg('u1', { 'call-command': 'execute', 'execute-app-name': 'set', 'execute-app-arg': 'a=1\nb=2' });
    expect(text(multi)).toBe(
      'sendmsg u1\ncall-command: execute\nexecute-app-name: set\ncontent-type: text/plain\ncontent-length: 7\n\na=1\nb=2',
    );
    const long = 'x'.repeat(MAX_APP_ARG_BYTES + 1);
    expect(text(encodeSendmsg('u1', { 'execute-app-arg': long }))).toBe(
      `sendmsg u1\ncontent-type: text/plain\ncontent-length: 2049\n\n${long}`,
    );
    const fits = 'x'.repeat(MAX_APP_ARG_BYTES);
    expect(text(encodeSendmsg('u1', { 'execute-app-arg': fits }))).toBe(`sendmsg u1\nexecute-app-arg: ${fits}\n\n`);
    // Bytes, not characters: 683 three-byte characters are 2049 bytes.
    expect(text(encodeSendmsg('u1', { 'execute-app-arg': '\u260e'.repeat(683) }))).toContain('content-length: 2049\n\n');
  });

  it('computes content-length in bytes and ignores one given by the caller', () => {
    expect(text(encodeSendmsg('u1', { 'call-command': 'x', 'Content-Length': '999' }, '\u2713'))).toBe(
      'sendmsg u1\ncall-command: x\ncontent-length: 3\n\n\u2713',
    );
    expect(encodeSendmsg(undefined, {}, new Uint8Array([0, 1, 2]))).toEqual(
      Buffer.concat([Buffer.from('sendmsg\ncontent-length: 3\n\n'), Buffer.from([0, 1, 2])]),
    );
  });
});

describe('command encoders refuse injection before producing any byte', () => {
  const bad = ['a\nb', 'a\rb', 'x\r\n\r\napi hupall'];
  type Case = [string, (v: string) => unknown];
  const fields: Case[] = [
    ['encodeAuth password', (v) => encodeAuth(v)],
    ['encodeUserAuth user', (v) => encodeUserAuth(v, 'p')],
    ['encodeUserAuth password', (v) => encodeUserAuth('u@d', v)],
    ['encodeApi command', (v) => encodeApi(v)],
    ['encodeBgapi command', (v) => encodeBgapi(v)],
    ['encodeBgapi jobUuid', (v) => encodeBgapi('status', v)],
    ['encodeEvent events', (v) => encodeEvent('plain', ['ALL', v])],
    ['encodeEvent format', (v) => encodeEvent(v as EventFormat, ['ALL'])],
    ['encodeNixevent events', (v) => encodeNixevent([v])],
    ['encodeFilter header', (v) => encodeFilter(v, 'x')],
    ['encodeFilter value', (v) => encodeFilter('Unique-ID', v)],
    ['encodeFilterDelete header', (v) => encodeFilterDelete(v)],
    ['encodeFilterDelete value', (v) => encodeFilterDelete('Unique-ID', v)],
    ['encodeSendmsg uuid', (v) => encodeSendmsg(v, {})],
    ['encodeSendmsg header name', (v) => encodeSendmsg('u', { [v]: 'x' })],
    ['encodeSendmsg header value', (v) => encodeSendmsg('u', { 'execute-app-name': v })],
    ['encodeSendevent event name', (v) => encodeSendevent(v, {})],
    ['encodeSendevent header name', (v) => encodeSendevent('CUSTOM', { [v]: 'x' })],
    ['encodeSendevent header value', (v) => encodeSendevent('CUSTOM', { Note: v })],
    ['encodeLog level', (v) => encodeLog(v)],
    ['encodeMyevents format', (v) => encodeMyevents(v as EventFormat)],
    ['encodeGetvar name', (v) => encodeGetvar(v)],
  ];
  it.each(fields)('%s', (field, call) => {
    for (const value of bad) {
      expect(() => call(value), `${field} ${JSON.stringify(value)}`).toThrow(InvalidArgumentError);
    }
  });

  it('names the refused field', () => {
    expect(() => encodeBgapi('status', 'j\n')).toThrow('encodeBgapi: jobUuid must not contain CR or LF');
    expect(() => encodeSendmsg('u', { 'x-a': 'v\r' })).toThrow('encodeSendmsg: header x-a must not contain CR or LF');
    expect(() => encodeEvent('plain', ['ALL', 'A\nB'])).toThrow('encodeEvent: events[1] must not contain CR or LF');
  });

  it('refuses empty commands, colons in header names and other bad arguments', () => {
    const calls: Array<() => unknown> = [
      () => encodeApi(''),
      () => encodeApi('   '),
      () => encodeBgapi(''),
      () => encodeEvent('plain', []),
      () => encodeNixevent(['']),
      () => encodeSendmsg('u', { 'a:b': 'x' }),
      () => encodeSendmsg('u', { '': 'x' }),
      () => encodeSendmsg('u', { ' pad': 'x' }),
      () => encodeSendmsg('u', { 'execute-app-arg': 'a\nb' }, 'body too'),
      () => encodeSendmsg('u', { 'execute-app-arg': 'a\nb', 'Content-Type': 'x' }),
      () => encodeSendmsg('with space', {}),
      () => encodeUserAuth('us:er@d', 'p'),
      () => encodeFilter('Unique-ID', ''),
      () => encodeFilter('Two words', 'x'),
      () => encodeLinger(-1),
      () => encodeLinger(1.5),
      () => encodeLog(8),
      () => encodeLog('de bug'),
      () => encodeDivertEvents('yes' as unknown as boolean),
      () => encodeGetvar(''),
    ];
    calls.forEach((call, i) => {
      expect(call, `case ${i}`).toThrow(InvalidArgumentError);
    });
  });
});
