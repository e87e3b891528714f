import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { InvalidArgumentError } from '../../../src/errors.js';
import { LateSamples, Pacer, type PacerSlot } from '../../../src/load/pacer.js';

/** A pacer on the fake clock (Date.now() moves with vi's fake timers). */
function pacer(rate: number, extra: { maxBurst?: number; maxLagMs?: number; now?: () => number; onSlot?: (s: PacerSlot) => void } = {}) {
  const slots: PacerSlot[] = [];
  const p = new Pacer({
    rate,
    now: extra.now ?? (() => Date.now()),
    ...(extra.maxBurst === undefined ? {} : { maxBurst: extra.maxBurst }),
    ...(extra.maxLagMs === undefined ? {} : { maxLagMs: extra.maxLagMs }),
    onSlot: (slot) => {
      slots.push(slot);
      extra.onSlot?.(slot);
    },
  });
  return { p, slots, at: () => slots.map((s) => s.scheduledAt), fired: () => slots.map((s) => s.firedAt) };
}

describe('Pacer', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: 0 });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('fires 500/s as one slot every 2 ms, the first at once', () => {
    const { p, at, fired } = pacer(500);
    p.start();
    expect(at()).toEqual([0]);
    vi.advanceTimersByTime(20);
    expect(at()).toEqual([0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20]);
    expect(fired()).toEqual(at());
    p.stop();
    vi.advanceTimersByTime(100);
    expect(at()).toHaveLength(11);
  });

  it('computes every due time from the anchor, so lateness never accumulates', () => {
    const { p, slots, at, fired } = pacer(3);
    p.start();
    vi.advanceTimersByTime(100_000);
    // 0 .. 100 s inclusive at 3/s: exactly 301 slots, the last due at 100 000 ms.
    expect(slots).toHaveLength(301);
    expect(at()).toEqual(Array.from({ length: 301 }, (_, k) => k * (1000 / 3)));
    // Whole-millisecond timers wake at the first millisecond at or after the due time, never before.
    expect(fired()).toEqual(at().map((t) => Math.ceil(t)));
    expect(slots.map((s) => s.n)).toEqual(Array.from({ length: 301 }, (_, k) => k));
  });

  it('a higher rate starts one new interval after the last slot', () => {
    const { p, at } = pacer(100);
    p.start();
    vi.advanceTimersByTime(25);
    expect(at()).toEqual([0, 10, 20]);
    p.rate = 200;
    vi.advanceTimersByTime(20);
    expect(at()).toEqual([0, 10, 20, 25, 30, 35, 40, 45]);
    expect(p.rate).toBe(200);
  });

  it('a lower rate waits one new interval after the last slot', () => {
    const { p, at } = pacer(100);
    p.start();
    vi.advanceTimersByTime(25);
    p.rate = 10;
    vi.advanceTimersByTime(300);
    expect(at()).toEqual([0, 10, 20, 120, 220, 320]);
  });

  it('a rate raised long after the last slot starts now, without a catch-up burst', () => {
    const { p, at } = pacer(1);
    p.start();
    vi.advanceTimersByTime(500);
    p.rate = 1000;
    vi.advanceTimersByTime(3);
    expect(at()).toEqual([0, 500, 501, 502, 503]);
  });

  it('pause holds the slots and resume restarts from now, not with the missed ones', () => {
    const { p, at } = pacer(100);
    p.start();
    vi.advanceTimersByTime(15);
    p.pause();
    expect(p.paused).toBe(true);
    expect(p.nextAt).toBeUndefined();
    vi.advanceTimersByTime(42);
    expect(at()).toEqual([0, 10]);
    p.resume();
    vi.advanceTimersByTime(20);
    expect(at()).toEqual([0, 10, 57, 67, 77]);
  });

  it('a short pause that ends before the next slot is due changes nothing', () => {
    const { p, at } = pacer(100);
    p.start();
    vi.advanceTimersByTime(12);
    p.pause();
    vi.advanceTimersByTime(5);
    p.resume();
    vi.advanceTimersByTime(13);
    expect(at()).toEqual([0, 10, 20, 30]);
  });

  it('catches up after a stall in bursts of at most maxBurst, yielding to I/O between them', () => {
    let t = 0;
    const { p, slots, fired } = pacer(1000, {
      maxBurst: 3,
      now: () => t,
      // The first slot's work stalls the loop for 10 ms.
      onSlot: (s) => {
        if (s.n === 0) t = 10;
      },
    });
    p.start();
    // Slot 0 plus two more in the first wake-up, then one setImmediate per 3.
    expect(slots.map((s) => s.scheduledAt)).toEqual([0, 1, 2]);
    const perWake: number[] = [];
    while (slots.length < 11) {
      const before = slots.length;
      vi.advanceTimersToNextTimer();
      perWake.push(slots.length - before);
    }
    expect(perWake).toEqual([3, 3, 2]);
    expect(slots.map((s) => s.scheduledAt)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(fired().slice(1)).toEqual(Array(10).fill(10));
    expect(p.skipped).toBe(0);
  });

  it('drops the slots missed beyond maxLagMs instead of bursting them', () => {
    let t = 0;
    const { p, slots } = pacer(1000, {
      maxLagMs: 50,
      now: () => t,
      onSlot: (s) => {
        if (s.n === 0) t = 200.5;
      },
    });
    p.start();
    // 200 slots were due (1 .. 200 ms); 150 are dropped, the schedule resumes 50 ms behind at most.
    expect(p.skipped).toBe(150);
    expect(slots.map((s) => s.scheduledAt).slice(0, 3)).toEqual([0, 151, 152]);
  });

  it('keeps going when onSlot throws, reporting the error', () => {
    const errors: unknown[] = [];
    let n = 0;
    const p = new Pacer({
      rate: 1000,
      now: () => Date.now(),
      onError: (e) => errors.push(e),
      onSlot: () => {
        n++;
        if (n === 2) throw new Error('boom');
      },
    });
    p.start();
    vi.advanceTimersByTime(3);
    expect(n).toBe(4);
    expect(errors).toHaveLength(1);
    expect((errors[0] as Error).message).toBe('boom');
  });

  it('start after stop begins a new schedule; start twice is a no-op', () => {
    const { p, at } = pacer(100);
    p.start();
    p.start();
    vi.advanceTimersByTime(10);
    p.stop();
    expect(p.running).toBe(false);
    vi.advanceTimersByTime(33);
    p.start();
    vi.advanceTimersByTime(10);
    expect(at()).toEqual([0, 10, 43, 53]);
    expect(p.fired).toBe(2);
  });

  it('refuses a rate that is not a positive finite number', () => {
    for (const bad of [0, -1, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => new Pacer({ rate: bad, onSlot: () => {} })).toThrow(InvalidArgumentError);
    }
    const p = new Pacer({ rate: 1, onSlot: () => {} });
    expect(() => {
      p.rate = 0;
    }).toThrow(/rate must be a finite number > 0, got 0/);
    expect(() => new Pacer({ rate: 1, maxBurst: 0, onSlot: () => {} })).toThrow(InvalidArgumentError);
  });
});

describe('LateSamples', () => {
  it('gives nearest-rank percentiles of the last N samples only', () => {
    const late = new LateSamples(100);
    expect(late.stats()).toEqual({ lateP50: null, lateP99: null, lateMax: null });
    for (let i = 1; i <= 100; i++) late.add(i);
    expect(late.stats()).toEqual({ lateP50: 50, lateP99: 99, lateMax: 100 });
    // 50 new samples replace the 50 oldest: the ring holds 51..100 and 1000..1049.
    for (let i = 0; i < 50; i++) late.add(1000 + i);
    expect(late.stats()).toEqual({ lateP50: 100, lateP99: 1048, lateMax: 1049 });
  });
});
