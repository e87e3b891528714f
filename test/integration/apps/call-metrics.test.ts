import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CallMetrics } from '../../../apps/call-metrics.js';
import { JobError } from '../../../src/errors.js';
import { destroyed, Probe, type Stack, startStack } from './harness.js';

let stack: Stack;

beforeAll(async () => {
  stack = await startStack();
});

afterAll(async () => {
  await stack.close();
});

describe('CallMetrics over the simulator', () => {
  it('keeps a row per call: answered calls completed, busy calls failed with USER_BUSY', async () => {
    const { client, listener, sim } = stack;
    const metrics = new CallMetrics();
    // Every leg of every call is destroyed at the end: 2 legs per call.
    const gone = new Probe(['CHANNEL_DESTROY']);
    await client.loadApp(metrics, { appId: 'metrics' });
    await client.loadApp(gone.app, { appId: 'metrics' });
    try {
      const answered = await Promise.all(
        [1, 2, 3, 4].map(() => client.originate({ dest: 'loopback/answer/switchyard', appId: 'metrics' }).result({ timeout: 10_000 })),
      );
      const busy = await Promise.allSettled(
        [1, 2].map(() => client.originate({ dest: 'loopback/busy/switchyard', appId: 'metrics' }).result({ timeout: 10_000 })),
      );
      expect(busy.map((r) => r.status === 'rejected' && r.reason instanceof JobError)).toEqual([true, true]);
      const sessions = answered.map((u) => listener.sessions.get(u)!);
      await client.hupall('NORMAL_CLEARING', 'metrics');
      await Promise.all(sessions.map(destroyed));
      await gone.until(12);

      const rows = [...metrics.rows()];
      expect(rows).toHaveLength(6);
      const byId = new Map(rows.map((r) => [r.id, r]));
      for (const uuid of answered) {
        const row = byId.get(uuid)!;
        expect(row).toMatchObject({ host: `${sim.host}:${sim.port}`, app: 'metrics', outcome: 'completed', cause: 'NORMAL_CLEARING' });
        // FreeSWITCH's timestamps: created, then the callee, its answer, then the caller's answer and hangup.
        expect(row.calleeCreatedAt!).toBeGreaterThanOrEqual(row.offeredAt);
        expect(row.answeredAt!).toBeGreaterThanOrEqual(row.calleeAnsweredAt!);
        expect(row.hungupAt!).toBeGreaterThanOrEqual(row.answeredAt!);
        expect(row.setupMs).toBe(row.answeredAt! - row.offeredAt);
        expect(row.setupMs!).toBeLessThan(5000);
      }
      const failed = rows.filter((r) => !answered.includes(r.id));
      expect(failed.map((r) => [r.outcome, r.cause, r.answeredAt])).toEqual([
        ['failed', 'USER_BUSY', undefined],
        ['failed', 'USER_BUSY', undefined],
      ]);
      const summary = metrics.summary();
      expect(summary).toMatchObject({ offered: 6, answered: 4, completed: 4, failed: 2, lost: 0, active: 0, failuresByCause: { USER_BUSY: 2 } });
      expect(summary.setupLatencyMs.count).toBe(4);
      expect(summary.erlangs).toBeGreaterThan(0);
      expect(metrics.failed).toBe(2);
      expect(sim.channels()).toEqual([]);
    } finally {
      await client.unloadApp('metrics');
    }
  });
});
