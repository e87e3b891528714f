/**
 * Simulated calls over TCP: the event order of a loopback call (as recorded
 * from FreeSWITCH), sendmsg, variables, formats, dialplan destinations that
 * ring, refuse or answer, SIP calls to ourselves with X-headers and DTMF.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Simulator, startSimulator } from '../../../src/sim/index.js';
import { channelSequences, type ReceivedEvent, TestClient } from './esl-test-client.js';

/** What ../shared/tools/fidelity.mjs leaves out of per-channel sequences. */
const VOLATILE = new Set(['CODEC', 'CALL_UPDATE', 'CHANNEL_CALLSTATE', 'API', 'HEARTBEAT', 'RE_SCHEDULE']);

let sim: Simulator;
let c: TestClient;

beforeEach(async () => {
  sim = await startSimulator({ port: 0 });
  c = await TestClient.authed(sim.port);
});

afterEach(async () => {
  c.close();
  await sim.close();
});

const byUuid = (uuid: string, name: string) => (e: ReceivedEvent) => e.name === name && e.headers['Unique-ID'] === uuid;

describe('loopback call', () => {
  it('emits the recorded per-channel event order through park, answer, tone, kill', async () => {
    await c.command('event plain ALL');
    const a = '0b6c1e6a-3333-4f00-9a00-00000000000a';
    await c.command(
      `bgapi originate {origination_uuid=${a},origination_caller_id_name=switchyard,origination_caller_id_number=1000}loopback/park/switchyard &park()`,
    );
    const bPark = await c.event((e) => e.name === 'CHANNEL_PARK' && e.headers['Call-Direction'] === 'inbound');
    const b = bPark.headers['Unique-ID']!;
    expect(await c.api(`uuid_answer ${b}`)).toBe('+OK\n');
    await c.event(byUuid(a, 'CHANNEL_PARK'));
    expect(await c.api(`uuid_broadcast ${a} tone_stream://%(300,0,440) aleg`)).toBe('+OK Message sent\n');
    const done = await c.event((e) => byUuid(a, 'CHANNEL_EXECUTE_COMPLETE')(e) && e.headers.Application === 'playback');
    expect(done.headers['Application-Response']).toBe('FILE PLAYED');
    expect(done.headers.variable_playback_ms).toBe('300');
    expect(await c.api(`uuid_setvar ${a} switchyard_note hello`)).toBe('+OK\n');
    expect(await c.api(`uuid_getvar ${a} switchyard_note`)).toBe('hello');
    expect(await c.api(`uuid_getvar ${a} nothing_here`)).toBe('_undef_');
    expect(await c.api(`uuid_kill ${a} NORMAL_CLEARING`)).toBe('+OK\n');
    await c.event(byUuid(a, 'CHANNEL_DESTROY'));
    await c.event(byUuid(b, 'CHANNEL_DESTROY'));

    const seq = channelSequences(c.events(), VOLATILE);
    expect([...seq.keys()]).toEqual([a, b]);
    expect(seq.get(a)).toEqual(
      'UUID OUTGOING STATE CREATE ORIGINATE STATE STATE ANSWER STATE EXECUTE PARK EXECUTE PLAYBACK_START PLAYBACK_STOP EXECUTE_COMPLETE PRIVATE_COMMAND HANGUP UNPARK EXECUTE_COMPLETE STATE STATE HANGUP_COMPLETE DESTROY STATE'
        .split(' ')
        .map((n) => (n.startsWith('PLAYBACK') || n === 'PRIVATE_COMMAND' ? n : `CHANNEL_${n}`)),
    );
    expect(seq.get(b)).toEqual(
      'STATE CREATE STATE STATE EXECUTE PARK ANSWER HANGUP UNPARK EXECUTE_COMPLETE STATE STATE HANGUP_COMPLETE DESTROY STATE'
        .split(' ')
        .map((n) => `CHANNEL_${n}`),
    );
    const job = await c.event((e) => e.name === 'BACKGROUND_JOB');
    expect(job.body).toBe(`+OK ${a}\n`);
    const states = c.events().filter((e) => e.headers['Unique-ID'] === a && e.name === 'CHANNEL_STATE');
    expect(states.map((e) => e.headers['Channel-State'])).toEqual([
      'CS_INIT',
      'CS_ROUTING',
      'CS_CONSUME_MEDIA',
      'CS_EXECUTE',
      'CS_HANGUP',
      'CS_REPORTING',
      'CS_DESTROY',
    ]);
    const sequences = c.events().map((e) => Number(e.headers['Event-Sequence']));
    expect(new Set(sequences).size).toBe(sequences.length);
  });

  it('fills caller, variables and CDR headers consistently', async () => {
    await c.command('event plain CHANNEL_CREATE CHANNEL_ANSWER CHANNEL_HANGUP_COMPLETE');
    const a = '0b6c1e6a-3333-4f00-9a00-00000000000b';
    const name = 'Zoë 日本 ☎';
    await c.api(`originate {origination_uuid=${a},origination_caller_id_name='${name}',switchyard_multi='naïve café ☕'}loopback/answer/switchyard &park()`);
    const create = await c.event(byUuid(a, 'CHANNEL_CREATE'));
    expect(create.headers).toMatchObject({
      'Channel-Name': 'loopback/answer-a',
      'Call-Direction': 'outbound',
      'Caller-Caller-ID-Name': name,
      'Caller-Caller-ID-Number': '0000000000',
      'Caller-Destination-Number': 'answer',
      'Caller-Context': 'switchyard',
      'Caller-Source': 'mod_loopback',
      variable_switchyard_multi: 'naïve café ☕',
      variable_loopback_leg: 'A',
      'Core-UUID': sim.coreUuid,
    });
    const b = create.headers.variable_other_loopback_leg_uuid!;
    expect(sim.channels().map((ch) => ch.uuid).sort()).toEqual([a, b].sort());
    await c.api(`uuid_kill ${a} USER_BUSY`);
    const cdr = await c.event(byUuid(a, 'CHANNEL_HANGUP_COMPLETE'));
    expect(cdr.headers['Hangup-Cause']).toBe('USER_BUSY');
    expect(cdr.headers.variable_hangup_cause_q850).toBe('17');
    expect(cdr.headers.variable_is_loopback).toBe('1');
    expect(Number(cdr.headers.variable_end_uepoch)).toBeGreaterThanOrEqual(Number(cdr.headers.variable_start_uepoch));
    expect(Number(cdr.headers.variable_answer_uepoch)).toBeGreaterThan(0);
    const bCdr = await c.event(byUuid(b, 'CHANNEL_HANGUP_COMPLETE'));
    expect(bCdr.headers['Hangup-Cause']).toBe('USER_BUSY');
  });

  it('runs sendmsg execute with the argument in the body, then PRIVATE_COMMAND', async () => {
    await c.command('event json CHANNEL_EXECUTE_COMPLETE PRIVATE_COMMAND');
    const a = '0b6c1e6a-3333-4f00-9a00-00000000000c';
    await c.api(`originate {origination_uuid=${a}}loopback/answer/switchyard &park()`);
    const body = 'switchyard_body=from body ✓';
    const reply = await c.command(
      `sendmsg ${a}\ncall-command: execute\nexecute-app-name: set\ncontent-type: text/plain\ncontent-length: ${Buffer.byteLength(body)}\n\n${body}`,
    );
    expect(reply.headers['Reply-Text']).toBe('+OK');
    const done = await c.event((e) => byUuid(a, 'CHANNEL_EXECUTE_COMPLETE')(e) && e.headers.Application === 'set');
    expect(done.frame.contentType).toBe('text/event-json');
    expect(done.headers['Application-Data']).toBe(body);
    expect(done.headers.variable_switchyard_body).toBe('from body ✓');
    const priv = await c.event(byUuid(a, 'PRIVATE_COMMAND'));
    expect(priv.headers.Command).toBe(`sendmsg ${a}`);
    expect(priv.body).toBe(body);
    expect(await c.api(`uuid_getvar ${a} switchyard_body`)).toBe('from body ✓');
    expect((await c.command('sendmsg 00000000-0000-0000-0000-000000000000\ncall-command: hangup')).headers['Reply-Text']).toBe(
      '-ERR invalid session id [00000000-0000-0000-0000-000000000000]',
    );
  });

  it('carries DTMF sent on one loopback leg to the other', async () => {
    await c.command('event plain DTMF CHANNEL_HANGUP_COMPLETE');
    const a = '0b6c1e6a-3333-4f00-9a00-00000000000f';
    await c.api(`originate {origination_uuid=${a}}loopback/answer/switchyard &park()`);
    expect(await c.api(`uuid_send_dtmf ${a} 9#@50`)).toBe(`+OK ${a} sent DTMF 9#@50.\n`);
    const first = await c.event((e) => e.name === 'DTMF');
    const second = await c.event((e) => e.name === 'DTMF');
    expect([first.headers['DTMF-Digit'], second.headers['DTMF-Digit']]).toEqual(['9', '#']);
    expect(first.headers['Unique-ID']).not.toBe(a);
    expect(first.headers['DTMF-Duration']).toBe('400');
    await c.api(`uuid_kill ${first.headers['Unique-ID']}`);
    const cdr = await c.event((e) => e.name === 'CHANNEL_HANGUP_COMPLETE' && e.headers['Unique-ID'] === first.headers['Unique-ID']);
    expect(cdr.headers.variable_digits_dialed).toBe('9#');
  });

  it('lists channels as json and counts them', async () => {
    const a = '0b6c1e6a-3333-4f00-9a00-00000000000d';
    await c.api(`originate {origination_uuid=${a}}loopback/answer/switchyard &park()`);
    const json = JSON.parse(await c.api('show channels as json')) as { row_count: number; rows: Array<Record<string, string>> };
    expect(json.row_count).toBe(2);
    const row = json.rows.find((r) => r.uuid === a)!;
    expect(row).toMatchObject({ direction: 'outbound', name: 'loopback/answer-a', dest: 'answer', callstate: 'ACTIVE' });
    expect(await c.api('show channels count')).toBe('\n2 total.\n');
    expect(await c.api('hupall')).toBe('+OK hangup all channels with cause MANAGER_REQUEST\n');
  });
});

describe('dialplan destinations', () => {
  it('refuses loopback/busy with USER_BUSY and times a ringing call out with NO_ANSWER', async () => {
    expect(await c.api('originate loopback/busy/switchyard &park()')).toBe('-ERR USER_BUSY\n');
    expect(await c.api('originate {originate_timeout=1}loopback/ringing/switchyard &park()')).toBe('-ERR NO_ANSWER\n');
    expect(await c.api('originate nosuchtech/x &park()')).toBe('-ERR CHAN_NOT_IMPLEMENTED\n');
    expect(await c.api('originate loopback/park/nosuchcontext &park()')).toBe('-ERR NO_ROUTE_DESTINATION\n');
    expect(await c.api('originate')).toMatch(/^-USAGE: <call url> /);
  });

  it('gives early media on loopback/early (CHANNEL_PROGRESS_MEDIA on both legs) and answers on uuid_answer', async () => {
    await c.command('event plain CHANNEL_PROGRESS_MEDIA CHANNEL_ANSWER');
    await c.command('bgapi originate loopback/early/switchyard &park()');
    const early = await c.event((e) => e.name === 'CHANNEL_PROGRESS_MEDIA' && e.headers['Call-Direction'] === 'inbound');
    await c.event((e) => e.name === 'CHANNEL_PROGRESS_MEDIA' && e.headers['Call-Direction'] === 'outbound');
    expect(early.headers['Answer-State']).toBe('early');
    await c.api(`uuid_answer ${early.headers['Unique-ID']}`);
    const answered = await c.event((e) => e.name === 'CHANNEL_ANSWER' && e.headers['Call-Direction'] === 'outbound');
    expect(answered.headers['Answer-State']).toBe('answered');
  });

  it('refuses originate beyond maxSessions', async () => {
    await sim.close();
    sim = await startSimulator({ port: 0, maxSessions: 2 });
    c.close();
    c = await TestClient.authed(sim.port);
    expect(await c.api('originate loopback/answer/switchyard &park()')).toMatch(/^\+OK /);
    expect(await c.api('originate loopback/answer/switchyard &park()')).toBe('-ERR DESTINATION_OUT_OF_ORDER\n');
  });
});

describe('SIP call to ourselves', () => {
  it('brings the call back in with the X-header, answers both legs and carries DTMF', async () => {
    await c.command('event plain ALL');
    const a = '0b6c1e6a-3333-4f00-9a00-0000000000e1';
    await c.command(`bgapi originate {origination_uuid=${a},sip_h_X-switchyard-app=demo}sofia/external/park@127.0.0.1:5080 &park()`);
    const park = await c.event((e) => e.name === 'CHANNEL_PARK' && e.headers['Call-Direction'] === 'inbound');
    const b = park.headers['Unique-ID']!;
    expect(park.headers).toMatchObject({
      'Channel-Name': 'sofia/external/0000000000@127.0.0.1',
      'Caller-Context': 'switchio',
      'Caller-Source': 'mod_sofia',
      'variable_sip_h_X-switchyard-app': 'demo',
    });
    expect(await c.api(`uuid_answer ${b}`)).toBe('+OK\n');
    const answer = await c.event(byUuid(a, 'CHANNEL_ANSWER'));
    expect(answer.headers['Channel-Read-Codec-Name']).toBe('PCMU');
    expect(await c.api(`uuid_send_dtmf ${a} 12`)).toBe(`+OK ${a} sent DTMF 12.\n`);
    const d1 = await c.event(byUuid(b, 'DTMF'));
    const d2 = await c.event(byUuid(b, 'DTMF'));
    expect([d1.headers['DTMF-Digit'], d2.headers['DTMF-Digit']]).toEqual(['1', '2']);
    expect(d1.headers['DTMF-Source']).toBe('RTP');
    expect(await c.api(`uuid_kill ${a}`)).toBe('+OK\n');
    const bCdr = await c.event(byUuid(b, 'CHANNEL_HANGUP_COMPLETE'));
    expect(bCdr.headers.variable_sip_hangup_disposition).toBe('recv_bye');
    expect(bCdr.headers.variable_digits_dialed).toBe('12');
  });

  it('simulates remote phones by user part: busy is refused, others answer', async () => {
    expect(await c.api('originate sofia/external/busy@10.9.9.9 &park()')).toBe('-ERR USER_BUSY\n');
    expect(await c.api('originate sofia/external/1000@10.9.9.9:5060 &park()')).toMatch(/^\+OK [0-9a-f-]{36}\n$/);
  });
});
