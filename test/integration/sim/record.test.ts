/**
 * uuid_record and the record_session / stop_record_session applications over
 * TCP: replies are mod_commands.c's texts, RECORD_START / RECORD_STOP carry
 * Record-File-Path and the record_* variables, a limit and a hangup end a
 * recording.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Simulator, startSimulator } from '../../../src/sim/index.js';
import { type ReceivedEvent, TestClient } from './esl-test-client.js';

let sim: Simulator;
let c: TestClient;

beforeEach(async () => {
  sim = await startSimulator({ port: 0 });
  c = await TestClient.authed(sim.port);
  await c.command(
    'event plain CHANNEL_PARK RECORD_START RECORD_STOP MEDIA_BUG_START MEDIA_BUG_STOP CHANNEL_EXECUTE_COMPLETE CHANNEL_HANGUP_COMPLETE',
  );
});

afterEach(async () => {
  c.close();
  await sim.close();
});

async function answeredLeg(uuid: string): Promise<void> {
  expect(await c.api(`originate {origination_uuid=${uuid}}loopback/answer/switchyard &park()`)).toBe(`+OK ${uuid}\n`);
  await c.event((e) => e.name === 'CHANNEL_PARK' && e.headers['Unique-ID'] === uuid);
}

const rec = (uuid: string, name: string) => (e: ReceivedEvent) => e.name === name && e.headers['Unique-ID'] === uuid;

describe('uuid_record', () => {
  it('starts, masks, unmasks and stops with FreeSWITCH texts and events', async () => {
    const a = '7ec00000-0000-4000-8000-00000000000a';
    await answeredLeg(a);
    expect(await c.api(`uuid_record ${a} start /tmp/a.wav`)).toBe('+OK Success\n');
    const start = await c.event(rec(a, 'RECORD_START'));
    expect(start.headers['Record-File-Path']).toBe('/tmp/a.wav');
    expect(start.headers['Channel-Call-State']).toBe('ACTIVE');
    expect(start.order.indexOf('Record-File-Path')).toBe(start.order.indexOf('Channel-State') - 1);
    expect(await c.api(`uuid_record ${a} start /tmp/a.wav`)).toBe('-ERR Cannot record session!\n');
    expect(await c.api(`uuid_record ${a} mask /tmp/a.wav`)).toBe('+OK Success\n');
    expect(await c.api(`uuid_record ${a} unmask /tmp/a.wav`)).toBe('+OK Success\n');
    expect(await c.api(`uuid_record ${a} mask /tmp/other.wav`)).toBe('-ERR Cannot mask recording session!\n');
    expect(await c.api(`uuid_record ${a} unmask /tmp/other.wav`)).toBe('-ERR Cannot unmask recording session!\n');
    expect(await c.api(`uuid_record ${a} stop /tmp/other.wav`)).toBe('-ERR Cannot stop record session!\n');
    expect(await c.api(`uuid_record ${a} stop /tmp/a.wav`)).toBe('+OK Success\n');
    const stop = await c.event(rec(a, 'RECORD_STOP'));
    expect(stop.headers['Record-File-Path']).toBe('/tmp/a.wav');
    expect(stop.order.slice(-2)).toEqual(['Record-File-Path', 'Record-Completion-Cause']);
    // Shorter than RECORD_MIN_SEC (3 s by default): discarded.
    expect(stop.headers['Record-Completion-Cause']).toBe('input-too-short');
    expect(stop.headers.variable_record_completion_cause).toBe('input-too-short');
    expect(stop.headers.variable_RECORD_DISCARDED).toBe('true');
    const ms = Number(stop.headers.variable_record_ms);
    expect(ms).toBeGreaterThanOrEqual(0);
    expect(stop.headers.variable_record_samples).toBe(String(ms * 8));
    expect(stop.headers.variable_record_seconds).toBe(String(Math.floor(ms / 1000)));
    const names = stop.order.filter((h) => /^variable_record_(samples|seconds|ms)$/.test(h));
    expect(names).toEqual(['variable_record_samples', 'variable_record_seconds', 'variable_record_ms']);
    expect(await c.api(`uuid_record ${a} stop /tmp/a.wav`)).toBe('-ERR Cannot stop record session!\n');
  });

  it('answers usage and unknown-session errors', async () => {
    expect(await c.api('uuid_record')).toBe('-USAGE: <uuid> [start|stop|mask|unmask] <path> [<limit>]\n');
    expect(await c.api('uuid_record abc start')).toBe('-USAGE: <uuid> [start|stop|mask|unmask] <path> [<limit>]\n');
    expect(await c.api('uuid_record 00000000-0000-4000-8000-000000000000 start /tmp/x.wav')).toBe(
      '-ERR Cannot locate session!\n',
    );
    const a = '7ec00000-0000-4000-8000-00000000000b';
    await answeredLeg(a);
    expect(await c.api(`uuid_record ${a} pause /tmp/x.wav`)).toBe('-USAGE: <uuid> [start|stop|mask|unmask] <path> [<limit>]\n');
  });

  it('stops at the limit, and `stop all` stops every recording', async () => {
    const a = '7ec00000-0000-4000-8000-00000000000c';
    await answeredLeg(a);
    expect(await c.api(`uuid_setvar ${a} RECORD_MIN_SEC 0`)).toBe('+OK\n');
    expect(await c.api(`uuid_record ${a} start /tmp/limited.wav 1`)).toBe('+OK Success\n');
    const stop = await c.event(rec(a, 'RECORD_STOP'), 3000);
    expect(stop.headers['Record-File-Path']).toBe('/tmp/limited.wav');
    expect(stop.headers['Record-Completion-Cause']).toBe('success-maxtime');
    expect(stop.headers.variable_RECORD_DISCARDED).toBeUndefined();
    expect(stop.headers.variable_record_seconds).toBe('1');
    expect(await c.api(`uuid_record ${a} start /tmp/one.wav`)).toBe('+OK Success\n');
    expect(await c.api(`uuid_record ${a} start /tmp/two.wav`)).toBe('+OK Success\n');
    expect(await c.api(`uuid_record ${a} stop all`)).toBe('+OK Success\n');
    const first = await c.event(rec(a, 'RECORD_STOP'));
    const second = await c.event(rec(a, 'RECORD_STOP'));
    // Media bugs are a list newest first: the last recording started is closed first.
    expect([first.headers['Record-File-Path'], second.headers['Record-File-Path']]).toEqual(['/tmp/two.wav', '/tmp/one.wav']);
  });

  it('ends an open recording at hangup, before CHANNEL_HANGUP_COMPLETE', async () => {
    const a = '7ec00000-0000-4000-8000-00000000000d';
    await answeredLeg(a);
    expect(await c.api(`uuid_setvar ${a} RECORD_MIN_SEC 5`)).toBe('+OK\n');
    expect(await c.api(`uuid_record ${a} start /tmp/hangup.wav`)).toBe('+OK Success\n');
    expect(await c.api(`uuid_kill ${a}`)).toBe('+OK\n');
    await c.event(rec(a, 'CHANNEL_HANGUP_COMPLETE'));
    const names = c
      .events()
      .filter((e) => e.headers['Unique-ID'] === a && e.name !== 'CHANNEL_EXECUTE_COMPLETE')
      .map((e) => e.name);
    expect(names).toEqual([
      'CHANNEL_PARK',
      'RECORD_START',
      'MEDIA_BUG_START',
      'RECORD_STOP',
      'MEDIA_BUG_STOP',
      'CHANNEL_HANGUP_COMPLETE',
    ]);
    const bug = c.events().find(rec(a, 'MEDIA_BUG_START'))!;
    expect(bug.order.slice(bug.order.indexOf('Media-Bug-Function'), bug.order.indexOf('Channel-State'))).toEqual([
      'Media-Bug-Function',
      'Media-Bug-Target',
    ]);
    expect([bug.headers['Media-Bug-Function'], bug.headers['Media-Bug-Target']]).toEqual(['session_record', '/tmp/hangup.wav']);
    const stop = c.events().find(rec(a, 'RECORD_STOP'))!;
    expect(stop.headers['Channel-State']).toBe('CS_HANGUP');
    expect(stop.headers['Hangup-Cause']).toBe('NORMAL_CLEARING');
    expect(stop.headers['Record-Completion-Cause']).toBe('input-too-short');
  });
});

describe('record_session applications', () => {
  it('record_session with a +limit and stop_record_session via sendmsg', async () => {
    const a = '7ec00000-0000-4000-8000-00000000000e';
    await answeredLeg(a);
    const sendmsg = (app: string, arg: string) =>
      c.command(`sendmsg ${a}\ncall-command: execute\nexecute-app-name: ${app}\nexecute-app-arg: ${arg}`);
    await sendmsg('record_session', '/tmp/app.wav +30');
    const start = await c.event(rec(a, 'RECORD_START'));
    expect(start.headers['Record-File-Path']).toBe('/tmp/app.wav');
    expect(start.headers.variable_current_application).toBe('record_session');
    const done = await c.event((e) => rec(a, 'CHANNEL_EXECUTE_COMPLETE')(e) && e.headers.Application === 'record_session');
    expect(done.headers['Application-Data']).toBe('/tmp/app.wav +30');
    await sendmsg('stop_record_session', '/tmp/app.wav');
    const stop = await c.event(rec(a, 'RECORD_STOP'));
    expect(stop.headers['Record-File-Path']).toBe('/tmp/app.wav');
    expect(stop.headers.variable_current_application).toBe('stop_record_session');
  });

  it('pre-answers an unanswered leg it records', async () => {
    await c.command('event plain CHANNEL_PROGRESS_MEDIA');
    const a = '7ec00000-0000-4000-8000-00000000000f';
    await c.command(`bgapi originate {origination_uuid=${a}}loopback/park/switchyard &park()`);
    const bPark = await c.event((e) => e.name === 'CHANNEL_PARK' && e.headers['Call-Direction'] === 'inbound');
    const b = bPark.headers['Unique-ID']!;
    expect(await c.api(`uuid_record ${b} start /tmp/early.wav`)).toBe('+OK Success\n');
    const media = await c.event(rec(b, 'CHANNEL_PROGRESS_MEDIA'));
    const start = await c.event(rec(b, 'RECORD_START'));
    expect(Number(media.headers['Event-Sequence'])).toBeLessThan(Number(start.headers['Event-Sequence']));
    expect(start.headers['Answer-State']).toBe('early');
    expect(await c.api(`uuid_kill ${b}`)).toBe('+OK\n');
  });
});

describe('completion causes without a minimum length', () => {
  it('success-maxtime for a stop while up, success-silence for a hangup after audio', async () => {
    const a = '7ec00000-0000-4000-8000-000000000010';
    await answeredLeg(a);
    expect(await c.api(`uuid_setvar ${a} RECORD_MIN_SEC 0`)).toBe('+OK\n');
    expect(await c.api(`uuid_record ${a} start /tmp/up.wav`)).toBe('+OK Success\n');
    expect(await c.api(`uuid_record ${a} stop /tmp/up.wav`)).toBe('+OK Success\n');
    expect((await c.event(rec(a, 'RECORD_STOP'))).headers['Record-Completion-Cause']).toBe('success-maxtime');
    expect(await c.api(`uuid_record ${a} start /tmp/down.wav`)).toBe('+OK Success\n');
    const start = await c.event((e) => rec(a, 'RECORD_START')(e) && e.headers['Record-File-Path'] === '/tmp/down.wav');
    // A 50 ms tone played while recording: more than one 20 ms frame of audio is read before the hangup.
    await c.command(`sendmsg ${a}\ncall-command: execute\nexecute-app-name: playback\nexecute-app-arg: tone_stream://%(50,0,440)`);
    await c.event((e) => rec(a, 'CHANNEL_EXECUTE_COMPLETE')(e) && e.headers.Application === 'playback');
    expect(await c.api(`uuid_kill ${a}`)).toBe('+OK\n');
    const stop = await c.event(rec(a, 'RECORD_STOP'));
    expect(Number(stop.headers['Event-Date-Timestamp']) - Number(start.headers['Event-Date-Timestamp'])).toBeGreaterThanOrEqual(20_000);
    expect(stop.headers['Record-Completion-Cause']).toBe('success-silence');
  });
});

describe('record_session limit syntax', () => {
  it('reads ` +N` as a limit but keeps a plus inside the path', async () => {
    const a = '7ec00000-0000-4000-8000-000000000011';
    await answeredLeg(a);
    await c.command(`sendmsg ${a}\ncall-command: execute\nexecute-app-name: record_session\nexecute-app-arg: /tmp/a+1`);
    expect((await c.event(rec(a, 'RECORD_START'))).headers['Record-File-Path']).toBe('/tmp/a+1');
    await c.command(`sendmsg ${a}\ncall-command: execute\nexecute-app-name: record_session\nexecute-app-arg: /tmp/b.wav   +7`);
    expect((await c.event(rec(a, 'RECORD_START'))).headers['Record-File-Path']).toBe('/tmp/b.wav');
  });
});
