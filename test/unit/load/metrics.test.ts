import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../../../src/errors.js';
import { MetricsStore, nearestRank } from '../../../src/load/metrics.js';

const T0 = 1_700_000_000_000;

/**
 * Four calls over four seconds:
 *   a  offered 0     answered 40    hangup 2040 NORMAL_CLEARING -> completed
 *   b  offered 100   answered 1150  hangup 2100 MEDIA_TIMEOUT   -> failed (answered, bad cause)
 *   c  offered 500   never answered hangup 700  USER_BUSY       -> failed
 *   d  offered 1200  answered 1210  lost at 3000 (disconnected)
 */
function scenario(): MetricsStore {
  const m = new MetricsStore({ startedAt: T0, targetRate: 5 });
  m.offer('a', T0, { host: 'fs1', app: 'tone' });
  m.answer('a', T0 + 40);
  m.offer('b', T0 + 100, { host: 'fs2', app: 'tone' });
  m.offer('c', T0 + 500, { host: 'fs1' });
  m.hangup('c', T0 + 700, 'USER_BUSY');
  m.answer('b', T0 + 1150);
  m.offer('d', T0 + 1200, { host: 'fs2', app: 'rec' });
  m.answer('d', T0 + 1210);
  m.setTargetRate(10, T0 + 1500);
  m.hangup('a', T0 + 2040, 'NORMAL_CLEARING');
  m.hangup('b', T0 + 2100, 'MEDIA_TIMEOUT');
  expect(m.loseOpen(T0 + 3000, 'disconnected')).toBe(1);
  return m;
}

describe('MetricsStore summary', () => {
  it('counts outcomes, rate, exact latency percentiles, failures by cause and erlangs', () => {
    const s = scenario().summary(T0 + 4000);
    expect(s).toEqual({
      startedAt: T0,
      elapsedMs: 4000,
      offered: 4,
      answered: 3,
      completed: 1,
      failed: 2,
      lost: 1,
      active: 0,
      // 4 offers from T0 to T0 + 1200: 3 intervals in 1.2 s
      achievedRate: 2.5,
      targetRate: 10,
      setupLatencyMs: { count: 3, min: 10, max: 1050, mean: 1100 / 3, p50: 40, p95: 1050, p99: 1050 },
      failuresByCause: { USER_BUSY: 1, MEDIA_TIMEOUT: 1, disconnected: 1 },
      // answered time: a 2000 + b 950 + d 1790 (until it was lost) over 4000 ms
      erlangs: 4740 / 4000,
    });
    expect(Object.keys(s.failuresByCause)).toEqual(['USER_BUSY', 'MEDIA_TIMEOUT', 'disconnected']);
  });

  it('counts calls still up as active and their time so far as carried traffic', () => {
    const m = new MetricsStore();
    m.offer('x', T0);
    m.answer('x', T0 + 500);
    m.offer('y', T0 + 600);
    const s = m.summary(T0 + 2000);
    expect([s.active, s.answered, s.elapsedMs, s.erlangs, s.achievedRate]).toEqual([2, 1, 2000, 0.75, 1000 / 600]);
    // Without `now` the summary ends at the last event.
    expect(m.summary().elapsedMs).toBe(600);
  });

  it('orders failures by count, most frequent first', () => {
    const m = new MetricsStore();
    for (const [i, cause] of ['NO_ANSWER', 'USER_BUSY', 'USER_BUSY', 'CALL_REJECTED', 'USER_BUSY', 'NO_ANSWER'].entries()) {
      m.offer(`c${i}`, T0 + i);
      m.hangup(`c${i}`, T0 + i + 1, cause);
    }
    m.offer('j', T0 + 10);
    m.fail('j', T0 + 11, '-ERR NORMAL_TEMPORARY_FAILURE');
    expect(Object.entries(m.summary().failuresByCause)).toEqual([
      ['USER_BUSY', 3],
      ['NO_ANSWER', 2],
      ['CALL_REJECTED', 1],
      ['-ERR NORMAL_TEMPORARY_FAILURE', 1],
    ]);
  });

  it('is empty and zero before the first call', () => {
    const s = new MetricsStore().summary();
    expect(s).toMatchObject({ startedAt: null, elapsedMs: 0, offered: 0, achievedRate: 0, erlangs: 0, targetRate: null });
    expect(s.setupLatencyMs).toEqual({ count: 0, min: null, max: null, mean: null, p50: null, p95: null, p99: null });
    expect(new MetricsStore().series().time).toEqual([]);
  });

  it('honours completedCauses', () => {
    const m = new MetricsStore({ completedCauses: ['NORMAL_CLEARING', 'ORIGINATOR_CANCEL'] });
    m.offer('a', T0);
    m.answer('a', T0 + 1);
    m.hangup('a', T0 + 2, 'ORIGINATOR_CANCEL');
    expect(m.row(0).outcome).toBe('completed');
    expect(m.summary().failed).toBe(0);
  });
});

describe('MetricsStore series', () => {
  it('buckets offered/answered/failed/lost per second, active at bucket end, target in effect', () => {
    const s = scenario().series(T0 + 4000);
    expect(s).toEqual({
      bucketMs: 1000,
      time: [T0, T0 + 1000, T0 + 2000, T0 + 3000, T0 + 4000],
      offered: [3, 1, 0, 0, 0],
      answered: [1, 2, 0, 0, 0],
      failed: [1, 0, 1, 0, 0],
      lost: [0, 0, 0, 1, 0],
      active: [2, 3, 1, 0, 0],
      achievedRate: [3, 1, 0, 0, 0],
      targetRate: [5, 10, 10, 10, 10],
      latencyP50: [40, 10, null, null, null],
      latencyP95: [40, 1050, null, null, null],
      latencyP99: [40, 1050, null, null, null],
    });
  });

  it('scales the rate to calls per second for other bucket widths', () => {
    const m = new MetricsStore({ bucketMs: 250 });
    for (let i = 0; i < 6; i++) m.offer(`c${i}`, T0 + i * 50);
    const s = m.series();
    expect(s.offered).toEqual([5, 1]);
    expect(s.achievedRate).toEqual([20, 4]);
    expect(s.targetRate).toEqual([null, null]);
  });
});

describe('MetricsStore rows', () => {
  it('keeps one row per call with setup latency, outcome, cause and reason', () => {
    const m = scenario();
    expect(m.size).toBe(4);
    expect(m.row(1)).toEqual({
      id: 'b',
      host: 'fs2',
      app: 'tone',
      offeredAt: T0 + 100,
      answeredAt: T0 + 1150,
      hungupAt: T0 + 2100,
      setupMs: 1050,
      outcome: 'failed',
      cause: 'MEDIA_TIMEOUT',
      reason: 'MEDIA_TIMEOUT',
    });
    expect(m.row(2)).toMatchObject({ id: 'c', app: '', answeredAt: undefined, setupMs: undefined, cause: 'USER_BUSY' });
    expect(m.row(3)).toMatchObject({ id: 'd', outcome: 'lost', cause: '', reason: 'disconnected', hungupAt: T0 + 3000 });
    expect([...m.rows()].map((r) => r.outcome)).toEqual(['completed', 'failed', 'failed', 'lost']);
  });

  it('interns strings: each host, app and cause is stored once', () => {
    const m = scenario();
    expect(m.toJSON().strings).toEqual(['', 'fs1', 'tone', 'fs2', 'USER_BUSY', 'rec', 'NORMAL_CLEARING', 'MEDIA_TIMEOUT', 'disconnected']);
  });

  it('ignores events for calls that are not up and allows an id again after its call ended', () => {
    const m = new MetricsStore();
    expect(m.answer('nope', T0)).toBe(false);
    expect(m.hangup('nope', T0, 'NORMAL_CLEARING')).toBe(false);
    m.offer('a', T0);
    expect(m.answer('a', T0 + 5)).toBe(true);
    expect(m.answer('a', T0 + 9)).toBe(false);
    expect(m.hangup('a', T0 + 10, 'NORMAL_CLEARING')).toBe(true);
    expect(m.lose('a', T0 + 11, 'x')).toBe(false);
    m.offer('a', T0 + 20);
    expect(m.size).toBe(2);
    expect(m.row(0).setupMs).toBe(5);
  });

  it('grows past its initial capacity and keeps exact percentiles', () => {
    const m = new MetricsStore();
    for (let i = 0; i < 5000; i++) {
      m.offer(`c${i}`, T0 + i);
      m.answer(`c${i}`, T0 + i + (i % 100));
    }
    expect(m.size).toBe(5000);
    expect(m.row(4999)).toMatchObject({ id: 'c4999', setupMs: 99 });
    const l = m.latency();
    expect([l.count, l.min, l.p50, l.p95, l.p99, l.max, l.mean]).toEqual([5000, 0, 49, 94, 98, 99, 49.5]);
  });
});

describe('MetricsStore percentiles', () => {
  it('nearestRank picks the smallest value with p% at or below it', () => {
    expect(nearestRank([], 50)).toBeNull();
    expect(nearestRank([7], 99)).toBe(7);
    expect(nearestRank([1, 2, 3, 4], 50)).toBe(2);
    expect(nearestRank([1, 2, 3, 4], 51)).toBe(3);
    expect(nearestRank([1, 2, 3, 4], 100)).toBe(4);
    expect(nearestRank([1, 2, 3, 4], 0)).toBe(1);
  });

  it('stays exact when queried between answers (incremental merge equals a full sort)', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 5000 }), fc.boolean()), { maxLength: 300 }), (steps) => {
        const m = new MetricsStore();
        const seen: number[] = [];
        steps.forEach(([setup, query], i) => {
          m.offer(`c${i}`, T0 + i);
          m.answer(`c${i}`, T0 + i + setup);
          seen.push(setup);
          if (!query) return;
          const sorted = [...seen].sort((x, y) => x - y);
          const l = m.latency();
          expect([l.p50, l.p95, l.p99, l.min, l.max]).toEqual([
            nearestRank(sorted, 50),
            nearestRank(sorted, 95),
            nearestRank(sorted, 99),
            sorted[0],
            sorted[sorted.length - 1],
          ]);
        });
      }),
      { numRuns: 100 },
    );
  });
});

describe('MetricsStore export and import', () => {
  it('writes CSV with one row per call, RFC 4180 quoting and empty cells for missing values', () => {
    const m = new MetricsStore();
    m.offer('u1', 1000.5, { host: 'fs1:8021', app: 'tone' });
    m.answer('u1', 1020);
    m.hangup('u1', 3000, 'NORMAL_CLEARING');
    m.offer('u2', 1100, { host: 'fs1:8021' });
    m.fail('u2', 1200, '-ERR "weird", reason\nsecond line');
    m.offer('u3', 1300);
    expect(m.toCsv()).toBe(
      'id,host,app,offered_at,answered_at,hungup_at,setup_ms,outcome,cause,reason\r\n' +
        'u1,fs1:8021,tone,1000.5,1020,3000,19.5,completed,NORMAL_CLEARING,\r\n' +
        'u2,fs1:8021,,1100,,1200,,failed,,"-ERR ""weird"", reason\nsecond line"\r\n' +
        'u3,,,1300,,,,,,\r\n',
    );
  });

  it('round-trips through CSV: same rows, summary and series; open calls stay open', () => {
    const m = scenario();
    m.offer('e', T0 + 3500, { host: 'fs1' });
    const back = MetricsStore.fromCsv(m.toCsv(), { targetRate: 5, startedAt: T0 });
    expect([...back.rows()]).toEqual([...m.rows()]);
    expect(back.active).toBe(1);
    const { targetRate: _t, ...summary } = m.summary(T0 + 4000);
    expect(back.summary(T0 + 4000)).toEqual({ ...summary, targetRate: 5 });
    expect(back.series(T0 + 4000).active).toEqual(m.series(T0 + 4000).active);
  });

  it('round-trips through JSON text, including targets and bucket width', () => {
    const m = scenario();
    const text = JSON.stringify(m);
    const back = MetricsStore.fromJSON(JSON.parse(text));
    expect([...back.rows()]).toEqual([...m.rows()]);
    expect(back.summary(T0 + 4000)).toEqual(m.summary(T0 + 4000));
    expect(back.series(T0 + 4000)).toEqual(m.series(T0 + 4000));
    expect(JSON.parse(text).summary.offered).toBe(4);
  });

  it('reads CSV with columns in another order, LF line ends and quoted newlines', () => {
    const csv = 'outcome,id,offered_at,answered_at,hungup_at,host,app,cause,reason\n' + 'failed,"x\ny",10,,20,h,,,"a,b"\n\n';
    const back = MetricsStore.fromCsv(csv);
    expect(back.row(0)).toMatchObject({ id: 'x\ny', offeredAt: 10, hungupAt: 20, outcome: 'failed', reason: 'a,b' });
    expect(back.size).toBe(1);
  });

  it('rejects malformed files with InvalidArgumentError', () => {
    const bad: [() => unknown, RegExp][] = [
      [() => MetricsStore.fromJSON({ hello: 1 }), /not a switchyard metrics file/],
      [() => MetricsStore.fromJSON(null), /not a switchyard metrics file/],
      [
        () => MetricsStore.fromJSON({ ...scenario().toJSON(), calls: { ...scenario().toJSON().calls, host: [1] } }),
        /columns of equal length/,
      ],
      [
        () => MetricsStore.fromJSON({ ...scenario().toJSON(), strings: [''] }),
        /row 0 has a bad string index 1/,
      ],
      [() => MetricsStore.fromCsv('id,host\r\n'), /missing column\(s\) app, offered_at, answered_at/],
      [() => MetricsStore.fromCsv(scenario().toCsv().replace('completed', 'fine')), /line 2: unknown outcome fine/],
      [() => MetricsStore.fromCsv(scenario().toCsv().replace(`${T0 + 40}`, 'soon')), /line 2: answered_at is not a number: soon/],
      [() => MetricsStore.fromCsv(scenario().toCsv() + '"open,,,1,,,,,,\r\n'), /quoted field is not closed/],
    ];
    for (const [fn, message] of bad) {
      expect(fn).toThrow(InvalidArgumentError);
      expect(fn).toThrow(message);
    }
  });

  it('rejects bad arguments with InvalidArgumentError', () => {
    const m = new MetricsStore();
    m.offer('a', T0);
    expect(() => m.offer('a', T0 + 1)).toThrow(/call a was offered twice/);
    expect(() => m.offer('b', Number.NaN)).toThrow(InvalidArgumentError);
    expect(() => m.hangup('a', Number.POSITIVE_INFINITY, 'X')).toThrow(/hangup time must be a finite number/);
    expect(() => m.setTargetRate(-1, T0)).toThrow(/target rate must be a number >= 0/);
    expect(() => new MetricsStore({ bucketMs: 0 })).toThrow(/bucketMs must be a positive number/);
    expect(() => m.row(1)).toThrow(/no row 1 \(size 1\)/);
    expect(m.active).toBe(1);
  });
});
