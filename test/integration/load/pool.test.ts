/** A Pool over several simulators: connect, run everywhere, counters summed over hosts. */

import { afterEach, describe, expect, it } from 'vitest';
import { AuthError } from '../../../src/errors.js';
import { Pool } from '../../../src/pool/pool.js';
import { type Simulator, startSimulator } from '../../../src/sim/index.js';

const cleanup: (() => Promise<unknown>)[] = [];

afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn().catch(() => {});
});

async function simulators(n: number): Promise<Simulator[]> {
  const list: Simulator[] = [];
  for (let i = 0; i < n; i++) {
    const sim = await startSimulator({ port: 0, hostname: `sim${i}` });
    cleanup.push(() => sim.close());
    list.push(sim);
  }
  return list;
}

describe('Pool against simulators', () => {
  it('runs a command on every host and sums what their listeners saw', async () => {
    const sims = await simulators(2);
    const pool = new Pool(sims.map((s) => ({ host: s.host, port: s.port })));
    await pool.connect();
    cleanup.push(() => pool.close());

    const names = await pool.evalAll((client) => client.cmd('global_getvar hostname'));
    expect(names.map((r) => (r.ok ? r.value : r.error))).toEqual(['sim0', 'sim1']);

    // Two answered loopback calls on the first host, one busy call on each.
    const jobs = [
      pool.members[0]!.client.originate({ dest: 'loopback/answer/switchyard' }),
      pool.members[0]!.client.originate({ dest: 'loopback/answer/switchyard' }),
    ];
    const answered = await Promise.all(jobs);
    const busy = await pool.evalAll((client) => client.originate({ dest: 'loopback/busy/switchyard' }));
    expect(busy.map((r) => r.ok)).toEqual([false, false]);
    const destroyed = pool.members.flatMap((m) =>
      [...m.listener.sessions.values()].map((session) => session.waitFor('CHANNEL_DESTROY').catch(() => undefined)),
    );
    await pool.hupall();
    await Promise.all(destroyed);
    expect(pool.countSessions()).toBe(0);
    // Every call is two legs (loopback A and B).
    expect(pool.countAnswered()).toBe(4);
    expect(pool.failedByCause()).toEqual({ USER_BUSY: 4 });
    expect(pool.hangupCauses()).toEqual({ NORMAL_CLEARING: 4, USER_BUSY: 4 });
    expect(answered).toHaveLength(2);
    for (const sim of sims) expect(sim.channels()).toEqual([]);
  });

  it('a wrong password on one host fails connect() naming it, and leaves no connection open', async () => {
    const sims = await simulators(2);
    const pool = new Pool([
      { host: sims[0]!.host, port: sims[0]!.port },
      { host: sims[1]!.host, port: sims[1]!.port, password: 'wrong' },
    ]);
    const error = await pool.connect().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(AuthError);
    expect((error as Error).message.startsWith(`${sims[1]!.host}:${sims[1]!.port}: `)).toBe(true);
    await waitUntil(() => sims.every((s) => s.connectionCount() === 0));
  });
});

/** Polls a condition once per event-loop turn (the simulator has no event for a closed connection). */
async function waitUntil(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setImmediate(r));
  }
}
