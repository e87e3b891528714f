/**
 * uuid_bridge with a leg that never lets go of what it is doing (an
 * originated leg still ringing): after uuid_bridge_on_soft_execute's 20 s
 * both legs are hung up with DESTINATION_OUT_OF_ORDER. Fake timers stand in
 * for the 20 s; events still arrive over TCP.
 */
import { afterEach, expect, it, vi } from 'vitest';
import { type Simulator, startSimulator } from '../../../src/sim/index.js';
import { type ReceivedEvent, TestClient } from './esl-test-client.js';

let sim: Simulator;
let c: TestClient;

afterEach(async () => {
  vi.useRealTimers();
  c.close();
  await sim.close();
});

const hangupOf = (uuid: string) => (e: ReceivedEvent) => e.name === 'CHANNEL_HANGUP' && e.headers['Unique-ID'] === uuid;

it('gives up after 20 s when the other leg never comes, hanging both up', async () => {
  sim = await startSimulator({ port: 0 });
  c = await TestClient.authed(sim.port);
  await c.command('event plain CHANNEL_PARK CHANNEL_PROGRESS CHANNEL_HANGUP');
  const parked = 'b1d9e000-0000-4000-8000-0000000000f1';
  const ringing = 'b1d9e000-0000-4000-8000-0000000000f2';
  expect(await c.api(`originate {origination_uuid=${parked}}loopback/answer/switchyard &park()`)).toBe(`+OK ${parked}\n`);
  await c.event((e) => e.name === 'CHANNEL_PARK' && e.headers['Unique-ID'] === parked);
  await c.command(`bgapi originate {origination_uuid=${ringing}}sofia/switchyard/ringing@127.0.0.1:5090 &park()`);
  await c.event((e) => e.name === 'CHANNEL_PROGRESS' && e.headers['Unique-ID'] === ringing);
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
  expect(await c.api(`uuid_bridge ${parked} ${ringing}`)).toBe(`+OK ${ringing}\n`);
  await vi.advanceTimersByTimeAsync(19_000);
  expect(c.events().some(hangupOf(ringing))).toBe(false);
  await vi.advanceTimersByTimeAsync(1_100);
  vi.useRealTimers();
  expect((await c.event(hangupOf(ringing))).headers['Hangup-Cause']).toBe('DESTINATION_OUT_OF_ORDER');
  expect((await c.event(hangupOf(parked))).headers['Hangup-Cause']).toBe('DESTINATION_OUT_OF_ORDER');
});
