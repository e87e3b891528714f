/**
 * sendmsg execute over TCP: CHANNEL_EXECUTE and CHANNEL_EXECUTE_COMPLETE
 * carry the command's Event-UUID as Application-UUID (switch_ivr.c), every
 * loop re-uses it, and without one each run gets its own fresh uuid.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Simulator, startSimulator } from '../../../src/sim/index.js';
import { type ReceivedEvent, TestClient } from './esl-test-client.js';

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

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

async function parkedLeg(uuid: string): Promise<void> {
  await c.command('event plain CHANNEL_PARK CHANNEL_EXECUTE CHANNEL_EXECUTE_COMPLETE');
  expect(await c.api(`originate {origination_uuid=${uuid}}loopback/answer/switchyard &park()`)).toBe(`+OK ${uuid}\n`);
  await c.event((e) => e.name === 'CHANNEL_PARK' && e.headers['Unique-ID'] === uuid);
}

const execOf = (uuid: string, app: string) => (e: ReceivedEvent) =>
  e.headers['Unique-ID'] === uuid && e.headers.Application === app && e.name.startsWith('CHANNEL_EXECUTE');

describe('sendmsg execute', () => {
  it('carries the Event-UUID as Application-UUID on every loop', async () => {
    const a = '5e4d0000-0000-4000-8000-00000000000a';
    const eventUuid = '9a9a9a9a-1111-4222-8333-444455556666';
    await parkedLeg(a);
    const reply = await c.command(
      `sendmsg ${a}\ncall-command: execute\nexecute-app-name: playback\nexecute-app-arg: tone_stream://%(20,0,440)\nloops: 2\nEvent-UUID: ${eventUuid}`,
    );
    expect(reply.headers['Reply-Text']).toBe('+OK');
    const events: ReceivedEvent[] = [];
    for (let i = 0; i < 4; i++) events.push(await c.event(execOf(a, 'playback')));
    expect(events.map((e) => e.name)).toEqual([
      'CHANNEL_EXECUTE',
      'CHANNEL_EXECUTE_COMPLETE',
      'CHANNEL_EXECUTE',
      'CHANNEL_EXECUTE_COMPLETE',
    ]);
    expect(events.map((e) => e.headers['Application-UUID'])).toEqual([eventUuid, eventUuid, eventUuid, eventUuid]);
    expect(events.map((e) => e.headers.variable_current_loop)).toEqual(['1', '1', '2', '2']);
    expect(events[3]!.headers['Application-Response']).toBe('FILE PLAYED');
  });

  it('gives each run a fresh uuid without Event-UUID', async () => {
    const a = '5e4d0000-0000-4000-8000-00000000000b';
    await parkedLeg(a);
    await c.command(`sendmsg ${a}\ncall-command: execute\nexecute-app-name: set\nexecute-app-arg: x=1\nloops: 2`);
    const events: ReceivedEvent[] = [];
    for (let i = 0; i < 4; i++) events.push(await c.event(execOf(a, 'set')));
    const ids = events.map((e) => e.headers['Application-UUID'] ?? '');
    for (const id of ids) expect(id).toMatch(UUID_RE);
    expect(ids[0]).toBe(ids[1]);
    expect(ids[2]).toBe(ids[3]);
    expect(ids[0]).not.toBe(ids[2]);
  });

  it('does not leak an Event-UUID into a later execute', async () => {
    const a = '5e4d0000-0000-4000-8000-00000000000c';
    const eventUuid = '9a9a9a9a-1111-4222-8333-777777777777';
    await parkedLeg(a);
    await c.command(`sendmsg ${a}\ncall-command: execute\nexecute-app-name: set\nexecute-app-arg: y=1\nEvent-UUID: ${eventUuid}`);
    await c.command(`sendmsg ${a}\ncall-command: execute\nexecute-app-name: unset\nexecute-app-arg: y`);
    const first = await c.event((e) => execOf(a, 'set')(e) && e.name === 'CHANNEL_EXECUTE_COMPLETE');
    const second = await c.event((e) => execOf(a, 'unset')(e) && e.name === 'CHANNEL_EXECUTE_COMPLETE');
    expect(first.headers['Application-UUID']).toBe(eventUuid);
    expect(second.headers['Application-UUID']).toMatch(UUID_RE);
    expect(second.headers['Application-UUID']).not.toBe(eventUuid);
  });
});
