import { afterEach, describe, expect, it } from 'vitest';
import { Connection } from '../../../src/connection/connection.js';
import type { ConnectionOptions, DisconnectInfo, ReconnectedInfo } from '../../../src/connection/types.js';
import { DisconnectedError } from '../../../src/errors.js';
import type { EslEvent } from '../../../src/protocol/event.js';
import { type Simulator, startSimulator } from '../../../src/sim/index.js';
import { type FaultOptions, type FaultProxy, startFaultProxy } from '../../support/fault-proxy.js';

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function setUp(fault: FaultOptions, options: Partial<ConnectionOptions> = {}): Promise<{ sim: Simulator; proxy: FaultProxy; conn: Connection }> {
  const sim = await startSimulator({ port: 0 });
  cleanups.push(() => sim.close());
  const proxy = await startFaultProxy(sim, fault);
  cleanups.push(() => proxy.close());
  const conn = new Connection({ host: proxy.host, port: proxy.port, password: 'ClueCon', ...options });
  cleanups.push(() => conn.close());
  await conn.connect();
  return { sim, proxy, conn };
}

const NOT_FROM_THE_FIREHOSE = new Set(['API', 'HEARTBEAT', 'RE_SCHEDULE']);

/**
 * Counts the firehose's events until its end marker for a run of `calls`.
 * Call it after a command round trip, so no earlier event is still on its way.
 */
function countFirehose(conn: Connection, calls: number): Promise<number> {
  let events = 0;
  return new Promise((resolve) => {
    conn.on('event', (e: EslEvent) => {
      if (e.subclass === 'sim::firehose') {
        if (e.get('Firehose-Calls') === String(calls)) resolve(events);
      } else if (!NOT_FROM_THE_FIREHOSE.has(e.name)) events++;
    });
  });
}

describe('Connection through a fault-injecting proxy', () => {
  it.each([1, 2, 3])('matches replies and parses events when every chunk is cut at random points (seed %i)', async (seed) => {
    const { sim, proxy, conn } = await setUp({ maxChunk: 13, delayMs: [0, 1], seed });
    await conn.subscribe(['ALL']);
    const answers = await Promise.all(Array.from({ length: 200 }, (_, i) => conn.api(`echo split-${seed}-${i}`)));
    expect(answers).toEqual(Array.from({ length: 200 }, (_, i) => `split-${seed}-${i}`));
    // events are ~2 KB: cut them in pieces of up to 1.5 KB so the stream stays quick
    proxy.options.maxChunk = 1500;
    const counted = countFirehose(conn, 20);
    const result = await sim.firehose({ calls: 20 });
    expect(result.events).toBeGreaterThan(500);
    expect(await counted).toBe(result.events);
  });

  it('reports a drop at a chosen byte, mid-reply, to every pending command', async () => {
    const { proxy, conn } = await setUp({ maxChunk: 64 });
    const disconnected = new Promise<DisconnectInfo>((resolve) => conn.once('disconnected', resolve));
    const payload = 'x'.repeat(200);
    const frameBytes = Buffer.byteLength(`Content-Type: api/response\nContent-Length: 200\n\n${payload}`);
    // cut inside the body of the third reply
    proxy.options.dropAtByte = proxy.bytesToClient + 2 * frameBytes + 100;
    const pending = Array.from({ length: 10 }, () => conn.api(`echo ${payload}`));
    const results = await Promise.allSettled(pending);
    expect(results.slice(0, 2)).toEqual([
      { status: 'fulfilled', value: payload },
      { status: 'fulfilled', value: payload },
    ]);
    for (const r of results.slice(2)) {
      expect(r.status).toBe('rejected');
      expect((r as PromiseRejectedResult).reason).toBeInstanceOf(DisconnectedError);
      expect((r as PromiseRejectedResult).reason).toMatchObject({ reason: 'socket' });
    }
    expect(await disconnected).toMatchObject({ reason: 'socket' });
  });

  it('recovers from a drop with reconnect on: subscription restored, events flow again', async () => {
    const { sim, proxy, conn } = await setUp({ maxChunk: 200, seed: 7 }, { reconnect: { initialDelayMs: 10, jitter: 0 } });
    await conn.subscribe(['CHANNEL_CREATE', 'CHANNEL_DESTROY', 'CUSTOM', 'sim::firehose']);
    const reconnected = new Promise<ReconnectedInfo>((resolve) => conn.once('reconnected', resolve));
    proxy.options.dropAtByte = proxy.bytesToClient + 5000;
    const lost = sim.firehose({ calls: 50 });
    expect((await reconnected).attempts).toBe(1);
    await lost;
    expect(await conn.api('echo sync')).toBe('sync');
    const counted = countFirehose(conn, 5);
    await sim.firehose({ calls: 5 });
    // two legs per call, a CREATE and a DESTROY each
    expect(await counted).toBe(20);
    expect(proxy.connections).toBe(2);
  });
});
