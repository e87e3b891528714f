/**
 * Firehose: events of many calls as fast as the subscriber reads them, with
 * generation paused (not buffered without bound) while its socket is full.
 */
import { afterEach, beforeEach, expect, it } from 'vitest';
import { type Simulator, startSimulator } from '../../../src/sim/index.js';
import { TestClient } from './esl-test-client.js';

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

it('delivers every event of every call, in order, and reports the count', async () => {
  await c.command('event plain ALL');
  const result = await sim.firehose({ calls: 200 });
  expect(result.calls).toBe(200);
  const done = await c.event((e) => e.name === 'CUSTOM' && e.headers['Event-Subclass'] === 'sim::firehose');
  expect(done.headers['Firehose-Calls']).toBe('200');
  const events = c.events().filter((e) => e.name !== 'CUSTOM' && e.name !== 'HEARTBEAT' && e.name !== 'RE_SCHEDULE');
  expect(events).toHaveLength(result.events);
  // 23 events for the A leg and 20 for the B leg, as in the recorded loopback calls.
  expect(result.events / result.calls).toBe(43);
  const seqs = events.map((e) => Number(e.headers['Event-Sequence']));
  expect(seqs).toEqual([...seqs].sort((x, y) => x - y));
  expect(events.filter((e) => e.name === 'CHANNEL_DESTROY')).toHaveLength(400);
  // Every call has its own legs.
  expect(new Set(events.map((e) => e.headers['Unique-ID'])).size).toBe(400);
  expect(sim.channels()).toHaveLength(0);
});

it('pauses while the subscriber does not read, then finishes without losing events', async () => {
  await c.command('event json ALL');
  c.socket.pause();
  let finished = false;
  let paused!: () => void;
  const pausedOnce = new Promise<void>((resolve) => {
    paused = resolve;
  });
  const run = sim.firehose({ calls: 400, onBackpressure: () => paused() }).then((r) => {
    finished = true;
    return r;
  });
  await pausedOnce;
  expect(finished).toBe(false);
  c.socket.resume();
  const result = await run;
  await c.event((e) => e.name === 'CUSTOM' && e.headers['Event-Subclass'] === 'sim::firehose', 30_000);
  expect(c.events().filter((e) => e.name === 'CHANNEL_CREATE')).toHaveLength(2 * result.calls);
});

it('starts from the api and says when it is done', async () => {
  await c.command('event plain CUSTOM sim::firehose');
  expect(await c.api('sim_firehose 10')).toBe('+OK firehose 10 calls\n');
  const done = await c.event((e) => e.headers['Event-Subclass'] === 'sim::firehose');
  expect(done.headers['Firehose-Calls']).toBe('10');
  expect(await c.api('sim_firehose nope')).toBe('-USAGE: sim_firehose <calls>\n');
});

it('drops, without a notice, a listener that loses more than 500 events (MAX_MISSED)', async () => {
  await sim.close();
  sim = await startSimulator({ port: 0, maxQueuedEvents: 5 });
  c.close();
  c = await TestClient.authed(sim.port);
  await c.command('event plain ALL');
  c.socket.pause();
  const ctl = await TestClient.authed(sim.port);
  try {
    // Calls made on another connection keep producing events the paused listener cannot take.
    while (!c.isClosed && sim.connectionCount() === 2) {
      await ctl.api('originate loopback/answer/switchyard &park()');
      await ctl.api('hupall');
    }
    expect(sim.connectionCount()).toBe(1);
    c.socket.resume();
    await c.closed;
    expect(c.frames.some((f) => f.contentType === 'text/disconnect-notice')).toBe(false);
  } finally {
    ctl.close();
  }
});
