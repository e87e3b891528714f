/**
 * uuid_bridge and uuid_transfer over TCP: mod_commands.c reply texts, the
 * per-leg event order of switch_ivr_bridge.c (hibernate, reset, soft execute,
 * CHANNEL_EXECUTE uuid_bridge, CHANNEL_BRIDGE with Other-Leg-*, and
 * CHANNEL_UNBRIDGE when one side hangs up), bridge variables, show calls.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Simulator, startSimulator } from '../../../src/sim/index.js';
import { type ReceivedEvent, TestClient } from './esl-test-client.js';

let sim: Simulator;
let c: TestClient;

beforeEach(async () => {
  sim = await startSimulator({ port: 0 });
  c = await TestClient.authed(sim.port);
  await c.command('event plain ALL');
});

afterEach(async () => {
  c.close();
  await sim.close();
});

const A = 'b1d9e000-0000-4000-8000-00000000000a';
const B = 'b1d9e000-0000-4000-8000-00000000000b';
const on = (uuid: string, name: string) => (e: ReceivedEvent) => e.name === name && e.headers['Unique-ID'] === uuid;

async function parked(uuid: string): Promise<void> {
  expect(await c.api(`originate {origination_uuid=${uuid}}loopback/answer/switchyard &park()`)).toBe(`+OK ${uuid}\n`);
  await c.event(on(uuid, 'CHANNEL_PARK'));
}

/** A leg's events from the first after `fromSeq`, without the ones fidelity.mjs ignores. */
function namesAfter(uuid: string, fromSeq: number): string[] {
  const skip = new Set(['CHANNEL_CALLSTATE', 'CALL_UPDATE', 'CODEC', 'API']);
  return c
    .events()
    .filter((e) => e.headers['Unique-ID'] === uuid && Number(e.headers['Event-Sequence']) > fromSeq && !skip.has(e.name))
    .map((e) => (e.name === 'CHANNEL_STATE' ? `STATE:${e.headers['Channel-State']}` : e.name));
}

describe('uuid_bridge', () => {
  it('bridges two parked legs with the switch_ivr_bridge.c event order and headers', async () => {
    await parked(A);
    await parked(B);
    const before = Math.max(...c.events().map((e) => Number(e.headers['Event-Sequence'])));
    expect(await c.api(`uuid_bridge ${A} ${B}`)).toBe(`+OK ${B}\n`);
    const bridge = await c.event(on(A, 'CHANNEL_BRIDGE'));
    expect(bridge.headers['Bridge-A-Unique-ID']).toBe(A);
    expect(bridge.headers['Bridge-B-Unique-ID']).toBe(B);
    expect(bridge.order.indexOf('Bridge-A-Unique-ID')).toBeLessThan(bridge.order.indexOf('Channel-State'));
    expect(bridge.headers['Other-Type']).toBe('originatee');
    expect(bridge.headers['Other-Leg-Unique-ID']).toBe(B);
    expect(bridge.headers['Other-Leg-Channel-Name']).toBe('loopback/answer-a');
    expect(bridge.order.indexOf('Other-Type')).toBeGreaterThan(bridge.order.indexOf('Caller-Privacy-Hide-Number'));
    expect(bridge.headers.variable_bridge_uuid).toBe(B);
    expect(bridge.headers.variable_signal_bond).toBe(B);
    expect(bridge.headers.variable_bridge_channel).toBe('loopback/answer-a');
    expect(bridge.headers.variable_bridge_to).toBe(B);
    expect(bridge.headers.variable_uuid_bridge).toBeUndefined();
    expect(Number(bridge.headers['Caller-Channel-Bridged-Time'])).toBeGreaterThan(0);
    await c.event(on(B, 'CHANNEL_STATE')); // taken so the predicate below sees a later one
    const bExchange = await c.event((e) => on(B, 'CHANNEL_STATE')(e) && e.headers['Channel-State'] === 'CS_EXCHANGE_MEDIA');
    expect(bExchange.headers['Channel-Call-UUID']).toBe(A);

    expect(namesAfter(A, before)).toEqual([
      'CHANNEL_UNPARK',
      'CHANNEL_EXECUTE_COMPLETE',
      'STATE:CS_HIBERNATE',
      'STATE:CS_RESET',
      'STATE:CS_SOFT_EXECUTE',
      'CHANNEL_EXECUTE',
      'CHANNEL_BRIDGE',
    ]);
    expect(namesAfter(B, before)).toEqual([
      'CHANNEL_UNPARK',
      'CHANNEL_EXECUTE_COMPLETE',
      'STATE:CS_HIBERNATE',
      'STATE:CS_RESET',
      'STATE:CS_SOFT_EXECUTE',
      'CHANNEL_EXECUTE',
      'STATE:CS_EXCHANGE_MEDIA',
    ]);
    const execB = c.events().find((e) => on(B, 'CHANNEL_EXECUTE')(e) && e.headers.Application === 'uuid_bridge')!;
    expect(execB.headers['Application-Data']).toBe(A);
    expect(execB.headers['Other-Type']).toBe('originator');
    expect(execB.headers['Other-Leg-Unique-ID']).toBe(A);

    expect(await c.api('show calls count')).toBe('\n3 total.\n');
    expect(await c.api('show calls count as json')).toBe('{"row_count":3,"rows":[]}');
    const calls = JSON.parse(await c.api('show calls as json')) as { rows: Array<Record<string, string>> };
    const row = calls.rows.find((r) => r.uuid === A)!;
    expect(row.b_uuid).toBe(B);
    expect(calls.rows.some((r) => r.uuid === B)).toBe(false);
    expect(await c.api('show channels count')).toBe('\n4 total.\n');
  });

  it('unbridges when the originatee hangs up: the originator leaves CS_EXECUTE with nothing left and hangs up', async () => {
    await parked(A);
    await parked(B);
    expect(await c.api(`uuid_bridge ${A} ${B}`)).toBe(`+OK ${B}\n`);
    await c.event(on(A, 'CHANNEL_BRIDGE'));
    expect(await c.api(`uuid_kill ${B} USER_BUSY`)).toBe('+OK\n');
    const unbridge = await c.event(on(A, 'CHANNEL_UNBRIDGE'));
    expect(unbridge.headers['Bridge-B-Unique-ID']).toBe(B);
    expect(unbridge.headers['Other-Leg-Unique-ID']).toBe(B);
    expect(unbridge.headers.variable_bridge_to).toBeUndefined();
    expect(unbridge.headers.variable_last_bridge_to).toBe(B);
    const aHangup = await c.event(on(A, 'CHANNEL_HANGUP'));
    expect(aHangup.headers['Hangup-Cause']).toBe('NORMAL_CLEARING');
    const exec = c.events().filter((e) => on(A, 'CHANNEL_STATE')(e) && e.headers['Channel-State'] === 'CS_EXECUTE');
    expect(exec.length).toBe(2);
    const bHangup = c.events().find(on(B, 'CHANNEL_HANGUP'))!;
    expect(bHangup.headers['Hangup-Cause']).toBe('USER_BUSY');
  });

  it('hangs the originatee up with the cause of an originator that hangs up; hangup_after_bridge passes the cause back', async () => {
    await parked(A);
    await parked(B);
    expect(await c.api(`uuid_bridge ${A} ${B}`)).toBe(`+OK ${B}\n`);
    await c.event(on(A, 'CHANNEL_BRIDGE'));
    expect(await c.api(`uuid_kill ${A} CALL_REJECTED`)).toBe('+OK\n');
    const bHangup = await c.event(on(B, 'CHANNEL_HANGUP'));
    expect(bHangup.headers['Hangup-Cause']).toBe('CALL_REJECTED');
    const names = c.events().filter((e) => e.headers['Unique-ID'] === A).map((e) => e.name);
    expect(names.indexOf('CHANNEL_UNBRIDGE')).toBeGreaterThan(names.indexOf('CHANNEL_HANGUP'));

    const A2 = 'b1d9e000-0000-4000-8000-0000000000a2';
    const B2 = 'b1d9e000-0000-4000-8000-0000000000b2';
    await parked(A2);
    await parked(B2);
    expect(await c.api(`uuid_setvar ${A2} hangup_after_bridge true`)).toBe('+OK\n');
    expect(await c.api(`uuid_bridge ${A2} ${B2}`)).toBe(`+OK ${B2}\n`);
    await c.event(on(A2, 'CHANNEL_BRIDGE'));
    expect(await c.api(`uuid_kill ${B2} USER_BUSY`)).toBe('+OK\n');
    const a2Hangup = await c.event(on(A2, 'CHANNEL_HANGUP'));
    expect(a2Hangup.headers['Hangup-Cause']).toBe('USER_BUSY');
  });

  it('answers usage and invalid uuids, and tries the fallback uuid', async () => {
    expect(await c.api('uuid_bridge')).toBe('-USAGE: <uuid> <other_uuid>\n');
    expect(await c.api(`uuid_bridge ${A}`)).toBe('-USAGE: <uuid> <other_uuid>\n');
    await parked(A);
    await parked(B);
    expect(await c.api(`uuid_bridge ${A} 00000000-0000-4000-8000-000000000000`)).toBe('-ERR Invalid uuid\n');
    expect(await c.api(`uuid_bridge ${A} ${A}`)).toBe('-ERR Invalid uuid\n');
    expect(await c.api(`uuid_bridge ${A} 00000000-0000-4000-8000-000000000000 ${B}`)).toBe(`+OK ${B}\n`);
    await c.event(on(A, 'CHANNEL_BRIDGE'));
    expect(await c.api(`uuid_bridge ${A} ${B}`)).toBe('-ERR Invalid uuid\n');
  });
});

describe('uuid_transfer', () => {
  it('routes a parked leg to a new extension in its context', async () => {
    await parked(A);
    const before = Math.max(...c.events().map((e) => Number(e.headers['Event-Sequence'])));
    expect(await c.api(`uuid_transfer ${A} echo XML switchyard`)).toBe('+OK\n');
    const exec = await c.event((e) => on(A, 'CHANNEL_EXECUTE')(e) && e.headers.Application === 'echo');
    expect(exec.headers['Caller-Destination-Number']).toBe('echo');
    expect(exec.headers['Caller-Context']).toBe('switchyard');
    expect(exec.headers['Caller-Profile-Index']).toBe('2');
    expect(Number(exec.headers['Caller-Channel-Transfer-Time'])).toBeGreaterThan(0);
    expect(namesAfter(A, before)).toEqual([
      'CHANNEL_UNPARK',
      'CHANNEL_EXECUTE_COMPLETE',
      'STATE:CS_ROUTING',
      'STATE:CS_EXECUTE',
      'CHANNEL_EXECUTE',
      'CHANNEL_EXECUTE_COMPLETE',
      'CHANNEL_EXECUTE',
    ]);
    expect(await c.api(`uuid_transfer ${A} nowhere XML nocontext`)).toBe('+OK\n');
    const hangup = await c.event(on(A, 'CHANNEL_HANGUP'));
    expect(hangup.headers['Hangup-Cause']).toBe('NO_ROUTE_DESTINATION');
  });

  it('answers usage and unknown channels', async () => {
    expect(await c.api('uuid_transfer')).toBe('-USAGE: <uuid> [-bleg|-both] <dest-exten> [<dialplan>] [<context>]\n');
    expect(await c.api('uuid_transfer 00000000-0000-4000-8000-000000000000 park')).toBe('-ERR No such channel!\n');
  });
});

describe('uuid_park', () => {
  it('takes a leg out of its application into CS_PARK without running the park application', async () => {
    expect(await c.api(`originate {origination_uuid=${A}}loopback/answer/switchyard &echo()`)).toBe(`+OK ${A}\n`);
    await c.event((e) => on(A, 'CHANNEL_EXECUTE')(e) && e.headers.Application === 'echo');
    const before = Math.max(...c.events().map((e) => Number(e.headers['Event-Sequence'])));
    expect(await c.api(`uuid_park ${A}`)).toBe('+OK\n');
    const parked = await c.event(on(A, 'CHANNEL_PARK'));
    expect(parked.headers['Channel-State']).toBe('CS_PARK');
    expect(namesAfter(A, before)).toEqual(['CHANNEL_EXECUTE_COMPLETE', 'STATE:CS_PARK', 'CHANNEL_PARK']);
    expect(await c.api(`uuid_kill ${A}`)).toBe('+OK\n');
    await c.event(on(A, 'CHANNEL_UNPARK'));
    expect(await c.api('uuid_park')).toBe('-USAGE: <uuid>\n');
    expect(await c.api('uuid_park 00000000-0000-4000-8000-000000000000')).toBe('-ERR No such channel!\n');
  });
});
