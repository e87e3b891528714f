import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../../../src/errors.js';
import { WeightedMix } from '../../../src/load/app-mix.js';
import { SlidingRate } from '../../../src/load/rate-window.js';

describe('WeightedMix', () => {
  it('spreads 3:1 as A A B A within every cycle of four, never A A A B', () => {
    const mix = new WeightedMix([
      { item: 'A', weight: 3 },
      { item: 'B', weight: 1 },
    ]);
    expect(Array.from({ length: 12 }, () => mix.next()).join('')).toBe('AABAAABAAABA');
  });

  it('gives exact shares over whole cycles, fractional weights included', () => {
    const mix = new WeightedMix([
      { item: 'tone', weight: 0.5 },
      { item: 'rec', weight: 1.5 },
      { item: 'bert', weight: 2 },
    ]);
    const counts: Record<string, number> = {};
    for (let i = 0; i < 400; i++) {
      const k = mix.next();
      counts[k] = (counts[k] ?? 0) + 1;
    }
    expect(counts).toEqual({ tone: 50, rec: 150, bert: 200 });
  });

  it('a single entry always wins', () => {
    const mix = new WeightedMix([{ item: 7, weight: 9 }]);
    expect([mix.next(), mix.next(), mix.next()]).toEqual([7, 7, 7]);
  });

  it('refuses no entries and weights that are not positive finite numbers', () => {
    expect(() => new WeightedMix([])).toThrow(InvalidArgumentError);
    for (const weight of [0, -1, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => new WeightedMix([{ item: 'x', weight }])).toThrow(/weight must be a finite number > 0/);
    }
  });
});

describe('SlidingRate', () => {
  it('counts the events of the last window only', () => {
    const r = new SlidingRate(1000);
    for (let t = 0; t < 2000; t += 10) r.add(t);
    // Events at 1000 .. 1990 are inside (990, 1990]; 990 is not.
    expect(r.count(1990)).toBe(100);
    expect(r.rate(1990)).toBe(100);
    expect(r.count(2500)).toBe(49);
    expect(r.rate(3000)).toBe(0);
  });

  it('divides by the time since the start while less than a window has passed', () => {
    const r = new SlidingRate(1000);
    for (let t = 0; t < 250; t += 2) r.add(t);
    expect(r.rate(250, 0)).toBe(500);
    expect(r.rate(0, 0)).toBe(0);
  });

  it('grows past its initial ring and keeps order across the wrap', () => {
    const r = new SlidingRate(100);
    for (let i = 0; i < 1000; i++) r.add(i * 0.1);
    expect(r.count(99.9)).toBe(1000);
    for (let i = 0; i < 300; i++) r.add(100 + i * 0.5);
    // Window (149.5, 249.5]: 200 of the newer events.
    expect(r.count(249.5)).toBe(200);
    r.clear();
    expect(r.count(249.5)).toBe(0);
  });

  it('refuses a window that is not a positive number', () => {
    expect(() => new SlidingRate(0)).toThrow(InvalidArgumentError);
    expect(() => new SlidingRate(Number.NaN)).toThrow(InvalidArgumentError);
  });
});
