/**
 * Call-control api commands over TCP with mod_commands.c's exact texts:
 * uuid_send_dtmf across loopback and SIP legs, sched_hangup, uuid_kill
 * causes, hupall with a variable filter, uuid_getvar / uuid_setvar /
 * uuid_setvar_multi, uuid_exists, show calls / channels counts, and the
 * originate refusals over sessions-per-second and max-sessions.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Simulator, startSimulator } from '../../../src/sim/index.js';
import { type ReceivedEvent, TestClient } from './esl-test-client.js';

let sim: Simulator;
let c: TestClient;

beforeEach(async () => {
  sim = await startSimulator({ port: 0 });
  c = await TestClient.authed(sim.port);
  await c.command('event plain CHANNEL_PARK CHANNEL_HANGUP DTMF');
});

afterEach(async () => {
  c.close();
  await sim.close();
});

const on = (uuid: string, name: string) => (e: ReceivedEvent) => e.name === name && e.headers['Unique-ID'] === uuid;
const NOBODY = '00000000-0000-4000-8000-000000000000';

async function loopbackPair(a: string): Promise<string> {
  expect(await c.api(`originate {origination_uuid=${a}}loopback/answer/switchyard &park()`)).toBe(`+OK ${a}\n`);
  await c.event(on(a, 'CHANNEL_PARK'));
  return sim.channels().find((ch) => ch.vars.other_loopback_leg_uuid === a)!.uuid;
}

describe('uuid_send_dtmf', () => {
  it('sends digits out of a loopback leg: the other leg receives them', async () => {
    const a = 'cc000000-0000-4000-8000-00000000000a';
    const b = await loopbackPair(a);
    expect(await c.api(`uuid_send_dtmf ${a} 1*@40`)).toBe(`+OK ${a} sent DTMF 1*@40.\n`);
    const first = await c.event(on(b, 'DTMF'));
    const second = await c.event(on(b, 'DTMF'));
    expect([first.headers['DTMF-Digit'], second.headers['DTMF-Digit']]).toEqual(['1', '*']);
    expect(first.headers['DTMF-Duration']).toBe('320');
    expect(first.headers['DTMF-Source']).toBe('APP');
    expect(c.events().some(on(a, 'DTMF'))).toBe(false);
  });

  it('sends RFC 2833 digits out of a SIP leg to the leg that came back in', async () => {
    const a = 'cc000000-0000-4000-8000-00000000000b';
    expect(await c.api(`originate {origination_uuid=${a}}sofia/switchyard/answer@127.0.0.1:5090 &park()`)).toBe(`+OK ${a}\n`);
    const b = sim.channels().find((ch) => ch.direction === 'inbound')!.uuid;
    expect(await c.api(`uuid_send_dtmf ${a} 5@20`)).toBe(`+OK ${a} sent DTMF 5@20.\n`);
    const dtmf = await c.event(on(b, 'DTMF'));
    expect(dtmf.headers['DTMF-Digit']).toBe('5');
    expect(dtmf.headers['DTMF-Source']).toBe('RTP');
  });

  it('answers usage and unknown sessions', async () => {
    expect(await c.api('uuid_send_dtmf')).toBe('-USAGE: <uuid> <dtmf_data>\n');
    expect(await c.api(`uuid_send_dtmf ${NOBODY} 1`)).toBe('-ERR Cannot locate session!\n');
  });
});

describe('hangups', () => {
  it('sched_hangup +0 hangs up at once with the cause given; the default cause is ALLOTTED_TIMEOUT', async () => {
    const a = 'cc000000-0000-4000-8000-00000000000c';
    await loopbackPair(a);
    expect(await c.api(`sched_hangup +0 ${a} USER_BUSY`)).toBe('+OK\n');
    expect((await c.event(on(a, 'CHANNEL_HANGUP'))).headers['Hangup-Cause']).toBe('USER_BUSY');
    const a2 = 'cc000000-0000-4000-8000-0000000000c2';
    await loopbackPair(a2);
    await c.command('event plain ADD_SCHEDULE EXE_SCHEDULE DEL_SCHEDULE');
    const asked = Date.now();
    expect(await c.api(`sched_hangup +1 ${a2}`)).toBe('+OK\n');
    // The scheduler counts whole epoch seconds, as switch_scheduler.c does.
    const runtime = Math.floor(asked / 1000) + 1;
    const added = await c.event((e) => e.name === 'ADD_SCHEDULE');
    expect([added.headers['Task-Desc'], added.headers['Task-Group'], added.headers['Task-Runtime']]).toEqual([
      'switch_ivr_schedule_hangup',
      a2,
      String(runtime),
    ]);
    expect(sim.channels().some((ch) => ch.uuid === a2)).toBe(true);
    const hangup = await c.event(on(a2, 'CHANNEL_HANGUP'), 3000);
    expect(hangup.headers['Hangup-Cause']).toBe('ALLOTTED_TIMEOUT');
    expect(Date.now()).toBeGreaterThanOrEqual(runtime * 1000);
    const executed = await c.event((e) => e.name === 'EXE_SCHEDULE');
    const deleted = await c.event((e) => e.name === 'DEL_SCHEDULE');
    expect([executed.headers['Task-ID'], deleted.headers['Task-ID']]).toEqual([added.headers['Task-ID'], added.headers['Task-ID']]);
    expect(await c.api('sched_hangup')).toBe('-USAGE: [+]<time> <uuid> [<cause>]\n');
    const a3 = 'cc000000-0000-4000-8000-0000000000c3';
    await loopbackPair(a3);
    expect(await c.api(`sched_hangup +60 ${a3}`)).toBe('+OK\n');
    const pending = await c.event((e) => e.name === 'ADD_SCHEDULE' && e.headers['Task-Group'] === a3);
    expect(await c.api(`uuid_kill ${a3}`)).toBe('+OK\n');
    const dropped = await c.event((e) => e.name === 'DEL_SCHEDULE' && e.headers['Task-Group'] === a3);
    expect(dropped.headers['Task-ID']).toBe(pending.headers['Task-ID']);
    expect(c.events().some((e) => e.name === 'EXE_SCHEDULE' && e.headers['Task-Group'] === a3)).toBe(false);
    expect(await c.api(`sched_hangup +5 ${NOBODY}`)).toBe('-ERR No Such Channel!\n');
  });

  it('uuid_kill takes a cause by name or Q.850 number', async () => {
    const a = 'cc000000-0000-4000-8000-00000000000d';
    const b = await loopbackPair(a);
    expect(await c.api(`uuid_kill ${a} 17`)).toBe('+OK\n');
    expect((await c.event(on(a, 'CHANNEL_HANGUP'))).headers['Hangup-Cause']).toBe('USER_BUSY');
    expect((await c.event(on(b, 'CHANNEL_HANGUP'))).headers['Hangup-Cause']).toBe('USER_BUSY');
    expect(await c.api(`uuid_kill ${NOBODY}`)).toBe('-ERR No such channel!\n');
  });

  it('hupall with a variable filter hangs up only the matching channels', async () => {
    const a1 = 'cc000000-0000-4000-8000-0000000000e1';
    const a2 = 'cc000000-0000-4000-8000-0000000000e2';
    expect(await c.api(`originate {origination_uuid=${a1},sy_app=one}loopback/answer/switchyard &park()`)).toBe(`+OK ${a1}\n`);
    expect(await c.api(`originate {origination_uuid=${a2},sy_app=two}loopback/answer/switchyard &park()`)).toBe(`+OK ${a2}\n`);
    expect(await c.api('hupall NORMAL_CLEARING sy_app one')).toBe(
      '+OK hangup all channels matching [sy_app]=[one] with cause: NORMAL_CLEARING\n',
    );
    expect((await c.event(on(a1, 'CHANNEL_HANGUP'))).headers['Hangup-Cause']).toBe('NORMAL_CLEARING');
    expect(sim.channels().filter((ch) => ch.hangupCause === undefined).map((ch) => ch.vars.sy_app)).toEqual(['two', 'two']);
    expect(await c.api('hupall BOGUS')).toBe('+OK hangup all channels with cause MANAGER_REQUEST\n');
    expect((await c.event(on(a2, 'CHANNEL_HANGUP'))).headers['Hangup-Cause']).toBe('MANAGER_REQUEST');
  });
});

describe('variables and existence', () => {
  it('uuid_setvar, uuid_getvar, uuid_setvar_multi and uuid_exists', async () => {
    const a = 'cc000000-0000-4000-8000-00000000000f';
    await loopbackPair(a);
    expect(await c.api(`uuid_exists ${a}`)).toBe('true');
    expect(await c.api(`uuid_exists ${NOBODY}`)).toBe('false');
    expect(await c.api(`uuid_setvar ${a} colour blue`)).toBe('+OK\n');
    expect(await c.api(`uuid_getvar ${a} colour`)).toBe('blue');
    expect(await c.api(`uuid_setvar_multi ${a} colour=red;size=10;shape=round`)).toBe('+OK\n');
    expect([await c.api(`uuid_getvar ${a} colour`), await c.api(`uuid_getvar ${a} size`)]).toEqual(['red', '10']);
    expect(await c.api(`uuid_setvar_multi ${a} shape`)).toBe('+OK\n');
    expect(await c.api(`uuid_getvar ${a} shape`)).toBe('_undef_');
    expect(await c.api(`uuid_setvar_multi ${a} =x;size=11`)).toBe('-ERR No variable specified\n+OK\n');
    expect(await c.api(`uuid_setvar_multi ${NOBODY} a=1`)).toBe(
      '-ERR No such channel!\n-USAGE: <uuid> <var>=<value>;<var>=<value>...\n',
    );
    expect(await c.api('uuid_setvar_multi')).toBe('-USAGE: <uuid> <var>=<value>;<var>=<value>...\n');
    expect(await c.api(`uuid_getvar ${NOBODY} colour`)).toBe('-ERR No such channel!\n');
    expect(await c.api(`uuid_kill ${a}`)).toBe('+OK\n');
    await c.event(on(a, 'CHANNEL_HANGUP'));
    expect(await c.api(`uuid_exists ${a}`)).toBe('false');
  });

  it('counts calls and channels in every format', async () => {
    expect(await c.api('show calls count')).toBe('\n0 total.\n');
    expect(await c.api('show calls count as json')).toBe('{"row_count": 0}\n');
    expect(await c.api('show channels as xml')).toBe('<result row_count="0"/>\n');
    await loopbackPair('cc000000-0000-4000-8000-0000000000f1');
    expect(await c.api('show channels count')).toBe('\n2 total.\n');
    expect(await c.api('show channels count as json')).toBe('{"row_count":2,"rows":[]}');
    expect(await c.api('show calls count')).toBe('\n2 total.\n');
    const calls = JSON.parse(await c.api('show calls as json')) as { row_count: number; rows: Array<Record<string, string>> };
    expect(calls.row_count).toBe(2);
    expect(calls.rows.map((r) => r.b_uuid)).toEqual(['', '']);
    expect(await c.api('show channels as yaml')).toBe('-ERR Cannot find format yaml\n');
  });
});

describe('capacity and rate refusals', () => {
  it('refuses over max-sessions with DESTINATION_OUT_OF_ORDER and logs Over Session Limit!', async () => {
    await c.command('log 2');
    expect(await c.api('fsctl max_sessions 2')).toBe('+OK max sessions: 2\n');
    await loopbackPair('cc000000-0000-4000-8000-0000000000a1');
    expect(await c.api('originate loopback/answer/switchyard &park()')).toBe('-ERR DESTINATION_OUT_OF_ORDER\n');
    expect(await c.api('originate sofia/switchyard/answer@127.0.0.1:5090 &park()')).toBe('-ERR DESTINATION_OUT_OF_ORDER\n');
    const line = await c.next((f) => f.contentType === 'log/data');
    expect(line.body?.toString()).toMatch(/\[CRIT\] switch_core_session\.c:\d+ Over Session Limit! 2\n$/);
  });

  it('refuses over sessions-per-second first, logging Throttle Error! with the session count', async () => {
    await c.command('log 2');
    expect(await c.api('fsctl sps 2')).toBe('+OK sessions per second: 2\n');
    expect(await c.api('fsctl max_sessions 1')).toBe('+OK max sessions: 1\n');
    await loopbackPair('cc000000-0000-4000-8000-0000000000a2');
    expect(await c.api('originate loopback/answer/switchyard &park()')).toBe('-ERR DESTINATION_OUT_OF_ORDER\n');
    const line = await c.next((f) => f.contentType === 'log/data');
    expect(line.body?.toString()).toMatch(/\[CRIT\] switch_core_session\.c:\d+ Throttle Error! 2\n$/);
  });
});
