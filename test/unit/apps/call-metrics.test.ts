import { describe, expect, it } from 'vitest';
import { CallMetrics } from '../../../apps/call-metrics.js';
import { InvalidArgumentError } from '../../../src/errors.js';
import { MetricsStore } from '../../../src/load/metrics.js';
import { A, B, C, D, type Harness, harness, inboundOf } from './harness.js';

/** Event-Date-Timestamp is in microseconds; T0 is a whole millisecond. */
const T0_MS = 1_795_000_000_000;
const at = (ms: number): Record<string, string> => ({ 'Event-Date-Timestamp': String((T0_MS + ms) * 1000) });

/**
 * Call 1 (A -> B): answered 110 ms after A's creation, hung up at 2110 ms.
 * Call 2 (C -> D): D answers, C never does; busy at 1500 ms.
 */
function feed(h: Harness): void {
  h.emit('CHANNEL_CREATE', A, at(0));
  h.emit('CHANNEL_ORIGINATE', A, at(5));
  h.emit('CHANNEL_CREATE', B, inboundOf(A, at(20)));
  h.emit('CHANNEL_ANSWER', B, inboundOf(A, at(100)));
  h.emit('CHANNEL_ANSWER', A, at(110));
  h.emit('CHANNEL_CREATE', C, at(1000));
  h.emit('CHANNEL_CREATE', D, inboundOf(C, at(1030)));
  h.emit('CHANNEL_HANGUP', C, { ...at(1500), 'Hangup-Cause': 'USER_BUSY' });
  h.emit('CHANNEL_HANGUP', D, inboundOf(C, { ...at(1501), 'Hangup-Cause': 'USER_BUSY' }));
  h.emit('CHANNEL_HANGUP', B, inboundOf(A, { ...at(2100), 'Hangup-Cause': 'NORMAL_CLEARING' }));
  h.emit('CHANNEL_HANGUP', A, { ...at(2110), 'Hangup-Cause': 'NORMAL_CLEARING' });
}

describe('CallMetrics', () => {
  it('keeps one row per call with the caller and callee times from FreeSWITCH timestamps', async () => {
    const metrics = new CallMetrics();
    const h = await harness(metrics);
    feed(h);
    expect(metrics.size).toBe(2);
    expect([...metrics.rows()]).toEqual([
      {
        id: A,
        host: 'fs1:8021',
        app: 'default',
        offeredAt: T0_MS,
        originatedAt: T0_MS + 5,
        calleeCreatedAt: T0_MS + 20,
        calleeAnsweredAt: T0_MS + 100,
        answeredAt: T0_MS + 110,
        hungupAt: T0_MS + 2110,
        setupMs: 110,
        inviteMs: 20,
        answerLatencyMs: 10,
        durationMs: 2110,
        outcome: 'completed',
        cause: 'NORMAL_CLEARING',
        reason: '',
      },
      {
        id: C,
        host: 'fs1:8021',
        app: 'default',
        offeredAt: T0_MS + 1000,
        originatedAt: undefined,
        calleeCreatedAt: T0_MS + 1030,
        calleeAnsweredAt: undefined,
        answeredAt: undefined,
        hungupAt: T0_MS + 1500,
        setupMs: undefined,
        inviteMs: 30,
        answerLatencyMs: undefined,
        durationMs: 500,
        outcome: 'failed',
        cause: 'USER_BUSY',
        reason: 'USER_BUSY',
      },
    ]);
  });

  it('sums the calls: answered, failed by cause, erlangs and setup latency', async () => {
    const metrics = new CallMetrics();
    const h = await harness(metrics);
    feed(h);
    const summary = metrics.summary();
    expect(summary).toMatchObject({
      startedAt: T0_MS,
      elapsedMs: 2110,
      offered: 2,
      answered: 1,
      completed: 1,
      failed: 1,
      lost: 0,
      active: 0,
      failuresByCause: { USER_BUSY: 1 },
    });
    // One call up from 110 ms to 2110 ms over 2110 ms of traffic.
    expect(summary.erlangs).toBeCloseTo(2000 / 2110, 12);
    expect(summary.setupLatencyMs).toEqual({ count: 1, min: 110, max: 110, mean: 110, p50: 110, p95: 110, p99: 110 });
    expect(metrics.failed).toBe(1);
    expect(metrics.erlangs).toBeCloseTo(2000 / 2110, 12);
    expect(metrics.active).toBe(0);
    expect(metrics.toCsv().split('\n')[1]).toContain(A);
    expect(metrics.toJSON().calls.id).toEqual([A, C]);
  });

  it('counts a call still up as active, and measures a channel first seen at its answer from its first event', async () => {
    const metrics = new CallMetrics();
    const h = await harness(metrics);
    // Adopted mid-call (e.g. after a reconnect): no CHANNEL_CREATE was seen.
    h.emit('CHANNEL_ANSWER', A, at(40));
    expect(metrics.active).toBe(1);
    expect(metrics.row(0)).toMatchObject({ id: A, offeredAt: T0_MS + 40, answeredAt: T0_MS + 40, setupMs: 0, outcome: undefined });
    h.emit('CHANNEL_HANGUP', A, { ...at(1040), 'Hangup-Cause': 'NORMAL_CLEARING' });
    expect(metrics.row(0)).toMatchObject({ outcome: 'completed', durationMs: 1000 });
    expect(metrics.active).toBe(0);
  });

  it('fills a given store after the rows it already held', async () => {
    const store = new MetricsStore();
    store.offer('earlier', T0_MS - 1000);
    const metrics = new CallMetrics({ store });
    const h = await harness(metrics);
    feed(h);
    expect(metrics.size).toBe(2);
    expect(metrics.row(0).id).toBe(A);
    expect(store.size).toBe(3);
    expect(() => new CallMetrics({ store, storeOptions: {} })).toThrow(InvalidArgumentError);
  });

  it('tags rows with the app id of the call', async () => {
    const metrics = new CallMetrics();
    const h = await harness(metrics);
    // Loaded under the default group: a call of another group never reaches it.
    h.emit('CHANNEL_CREATE', A, { ...at(0), 'variable_sip_h_X-switchyard_app': 'other' });
    h.emit('CHANNEL_CREATE', C, at(10));
    expect([...metrics.rows()].map((r) => [r.id, r.app])).toEqual([[C, 'default']]);
  });

  it('marks a call lost when a resync finds its caller gone, and stops listening once unloaded', async () => {
    const metrics = new CallMetrics();
    const h = await harness(metrics, { apiReply: (c) => (c === 'show channels as json' ? '{"row_count":0}' : '+OK\n') });
    h.emit('CHANNEL_CREATE', A, at(0));
    h.emit('CHANNEL_ANSWER', A, at(50));
    h.emit('CHANNEL_CREATE', C, at(60));
    h.emit('CHANNEL_HANGUP', C, { ...at(70), 'Hangup-Cause': 'NO_ANSWER' });
    const result = await h.listener.resync();
    expect(result.closed).toEqual([A, C]);
    expect(metrics.active).toBe(0);
    expect(metrics.row(0)).toMatchObject({ id: A, outcome: 'lost', reason: 'vanished while the event socket was down', answeredAt: T0_MS + 50 });
    // C had hung up already: its row keeps its own ending.
    expect(metrics.row(1)).toMatchObject({ id: C, outcome: 'failed', cause: 'NO_ANSWER' });
    expect(metrics.summary().lost).toBe(1);
    await h.client.unloadApp('default');
    expect(h.listener.listenerCount('resynced')).toBe(0);
  });
});
