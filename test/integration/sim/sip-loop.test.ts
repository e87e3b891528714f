/**
 * The docker configuration's SIP self-loop (docker/README.md,
 * docker/freeswitch/conf/sip_profiles/*.xml) over TCP: a call leaving through
 * profile `switchyard` to 127.0.0.1:5090 comes back in on profile `loop`, to
 * <host>:5080 on profile `switchyard`, both in context `switchyard`; the
 * recorded `external` profile on 5080 still lands in `switchio`.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Simulator, startSimulator } from '../../../src/sim/index.js';
import { type ReceivedEvent, TestClient } from './esl-test-client.js';

let sim: Simulator;
let c: TestClient;

beforeEach(async () => {
  sim = await startSimulator({ port: 0 });
  c = await TestClient.authed(sim.port);
  await c.command('event plain CHANNEL_CREATE CHANNEL_PARK CHANNEL_ANSWER CHANNEL_EXECUTE CHANNEL_HANGUP');
});

afterEach(async () => {
  c.close();
  await sim.close();
});

const inboundCreate = (e: ReceivedEvent) => e.name === 'CHANNEL_CREATE' && e.headers['Call-Direction'] === 'inbound';

describe('SIP self-loop of the docker configuration', () => {
  it('sofia/switchyard/answer@127.0.0.1:5090 comes back on profile loop in context switchyard and answers', async () => {
    const a = '51900000-0000-4000-8000-00000000000a';
    const reply = await c.api(`originate {origination_uuid=${a}}sofia/switchyard/answer@127.0.0.1:5090 &park()`);
    expect(reply).toBe(`+OK ${a}\n`);
    const b = await c.event(inboundCreate);
    expect(b.headers['Channel-Name']).toBe('sofia/loop/0000000000@127.0.0.1');
    expect(b.headers['Caller-Context']).toBe('switchyard');
    expect(b.headers['Caller-Destination-Number']).toBe('answer');
    expect(b.headers.variable_sofia_profile_name).toBe('loop');
    expect(b.headers['Channel-Read-Codec-Name']).toBeUndefined();
    const bUuid = b.headers['Unique-ID']!;
    const bPark = await c.event((e) => e.name === 'CHANNEL_PARK' && e.headers['Unique-ID'] === bUuid);
    expect(bPark.headers['Channel-Read-Codec-Name']).toBe('PCMU');
    expect(bPark.headers['Answer-State']).toBe('answered');
    const aCreate = c.events().find((e) => e.name === 'CHANNEL_CREATE' && e.headers['Unique-ID'] === a)!;
    expect(aCreate.headers.variable_sip_profile_name).toBe('switchyard');
    expect(aCreate.headers['Channel-Name']).toBe('sofia/switchyard/answer@127.0.0.1:5090');
  });

  it('sofia/switchyard/DEST@<host>:5080 comes back on profile switchyard in context switchyard', async () => {
    const a = '51900000-0000-4000-8000-00000000000b';
    expect(await c.api(`originate {origination_uuid=${a}}sofia/switchyard/echo@127.0.0.1:5080 &park()`)).toBe(`+OK ${a}\n`);
    const b = await c.event(inboundCreate);
    expect(b.headers['Channel-Name']).toBe('sofia/switchyard/0000000000@127.0.0.1');
    expect(b.headers['Caller-Context']).toBe('switchyard');
    const bUuid = b.headers['Unique-ID']!;
    const echo = await c.event((e) => e.name === 'CHANNEL_EXECUTE' && e.headers['Unique-ID'] === bUuid && e.headers.Application === 'echo');
    expect(echo.headers['Caller-Destination-Number']).toBe('echo');
  });

  it('refuses with the dialplan: busy gives USER_BUSY, an unanswered park times out', async () => {
    expect(await c.api('originate sofia/switchyard/busy@127.0.0.1:5090 &park()')).toBe('-ERR USER_BUSY\n');
    expect(await c.api('originate {originate_timeout=1}sofia/switchyard/park@127.0.0.1:5090 &park()')).toBe('-ERR NO_ANSWER\n');
    const parked = c.events().find((e) => e.name === 'CHANNEL_PARK' && e.headers['Call-Direction'] === 'inbound')!;
    expect(parked.headers['Caller-Context']).toBe('switchyard');
  });

  it('keeps the recorded setup: sofia/external/...@127.0.0.1:5080 lands in context switchio', async () => {
    const a = '51900000-0000-4000-8000-00000000000c';
    await c.command(`bgapi originate {origination_uuid=${a}}sofia/external/1000@127.0.0.1:5080 &park()`);
    const b = await c.event(inboundCreate);
    expect(b.headers['Channel-Name']).toBe('sofia/external/0000000000@127.0.0.1');
    expect(b.headers['Caller-Context']).toBe('switchio');
    expect(await c.api(`uuid_kill ${b.headers['Unique-ID']}`)).toBe('+OK\n');
  });

  it('treats other ports and hosts as remote phones', async () => {
    await c.command('event plain CHANNEL_PROGRESS');
    const a = '51900000-0000-4000-8000-00000000000d';
    expect(await c.api(`originate {origination_uuid=${a}}sofia/switchyard/answer@127.0.0.1:5070 &park()`)).toBe(`+OK ${a}\n`);
    expect(c.events().some(inboundCreate)).toBe(false);
    expect(await c.api('originate sofia/switchyard/busy@10.1.2.3:5090 &park()')).toBe('-ERR USER_BUSY\n');
    expect(c.events().some(inboundCreate)).toBe(false);
  });

  it('passes the far leg\'s ring_ready back as 180: the outgoing leg rings', async () => {
    await c.command('event plain CHANNEL_PROGRESS');
    const a = '51900000-0000-4000-8000-00000000000e';
    await c.command(`bgapi originate {origination_uuid=${a}}sofia/switchyard/ringing@127.0.0.1:5090 &park()`);
    const progress = await c.event((e) => e.name === 'CHANNEL_PROGRESS' && e.headers['Unique-ID'] === a);
    expect(progress.headers['Channel-Call-State']).toBe('DOWN');
    expect(progress.headers['Answer-State']).toBe('ringing');
    expect(await c.api(`uuid_kill ${a}`)).toBe('+OK\n');
  });
});
