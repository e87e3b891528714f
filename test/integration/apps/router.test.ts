import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RouteOutcome, Router, StopRouting } from '../../../apps/router.js';
import { JobError } from '../../../src/errors.js';
import type { Session } from '../../../src/models/session.js';
import { destroyed, type Stack, startStack } from './harness.js';

let stack: Stack;

beforeAll(async () => {
  stack = await startStack();
});

afterAll(async () => {
  await stack.close();
});

/** A router whose outcomes resolve promises, keyed by the routed leg's destination. */
function routerWithOutcomes(): { router: Router; outcome: (dest: string) => Promise<[Session, RouteOutcome]> } {
  const waiting = new Map<string, (r: [Session, RouteOutcome]) => void>();
  const done = new Map<string, [Session, RouteOutcome]>();
  const router = new Router({
    onRouted: (session, outcome) => {
      const dest = session.get('Caller-Destination-Number') ?? '';
      const resolve = waiting.get(dest);
      if (resolve === undefined) done.set(dest, [session, outcome]);
      else resolve([session, outcome]);
    },
  });
  const outcome = (dest: string): Promise<[Session, RouteOutcome]> => {
    const hit = done.get(dest);
    if (hit !== undefined) return Promise.resolve(hit);
    return new Promise((resolve) => waiting.set(dest, resolve));
  };
  return { router, outcome };
}

describe('Router over the simulator', () => {
  it('routes parked inbound legs by destination number, in order, and rejects the rest with NO_ROUTE_DESTINATION', async () => {
    const { client } = stack;
    const { router, outcome } = routerWithOutcomes();
    const ran: string[] = [];
    router.route(/^1(\d{3})$/, async (session, match) => {
      ran.push(`sales ${match[1]}`);
      await session.answer();
    });
    router.route(/^1/, () => {
      ran.push('catch-all 1');
      throw new StopRouting();
    });
    router.route(/^100/, () => {
      ran.push('never: stopped before');
    });
    router.route(/^2\d+$/, async (session) => {
      ran.push('support');
      await session.answer();
    });
    await client.loadApp(router, { appId: 'router' });
    try {
      // The simulator's `default` context parks every destination, as switchio's park-everything dialplan.
      const sales = await client.originate({ dest: 'loopback/1001/default', appId: 'router' }).result({ timeout: 10_000 });
      const support = await client.originate({ dest: 'loopback/2002/default', appId: 'router' }).result({ timeout: 10_000 });
      const [salesLeg, salesOutcome] = await outcome('1001');
      const [, supportOutcome] = await outcome('2002');
      expect(ran).toEqual(['sales 001', 'catch-all 1', 'support']);
      expect(salesOutcome).toEqual({ status: 'stopped', matched: 3, rejected: false, errors: [] });
      expect(supportOutcome).toEqual({ status: 'routed', matched: 1, rejected: false, errors: [] });
      expect(salesLeg.direction).toBe('inbound');
      expect(salesLeg.answered).toBe(true);
      const up = stack.sim.channels().filter((c) => c.answered).map((c) => c.uuid);
      expect(up).toEqual(expect.arrayContaining([sales, support]));

      // Nothing matches 5555: the router hangs the parked leg up, and the originate fails with its cause.
      const rejected = client.originate({ dest: 'loopback/5555/default', appId: 'router' });
      await expect(rejected.result({ timeout: 10_000 })).rejects.toThrow(JobError);
      await expect(rejected.result()).rejects.toThrow(/NO_ROUTE_DESTINATION/);
      const [leg, rejectedOutcome] = await outcome('5555');
      expect(rejectedOutcome).toEqual({ status: 'rejected', matched: 0, rejected: true, errors: [] });
      await destroyed(leg);
      expect(leg.hangupCause).toBe('NO_ROUTE_DESTINATION');
      expect(router.stats).toEqual({ routed: 1, stopped: 1, rejected: 1, unmatched: 0, guarded: 0, failed: 0, errors: 0 });

      const sessions = [...stack.listener.sessions.values()];
      await client.hupall('NORMAL_CLEARING', 'router');
      await Promise.all(sessions.map(destroyed));
      expect(stack.sim.channels()).toEqual([]);
    } finally {
      await client.unloadApp('router');
    }
  });
});
