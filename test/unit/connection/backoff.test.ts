import { describe, expect, it } from 'vitest';
import { backoffDelay, DEFAULT_BACKOFF, resolveBackoff } from '../../../src/connection/backoff.js';
import { InvalidArgumentError } from '../../../src/errors.js';

describe('resolveBackoff', () => {
  it('is off unless asked for', () => {
    expect(resolveBackoff(undefined)).toBeUndefined();
    expect(resolveBackoff(false)).toBeUndefined();
  });

  it('uses the defaults for true and fills in the gaps of an object', () => {
    expect(resolveBackoff(true)).toEqual(DEFAULT_BACKOFF);
    expect(resolveBackoff({ initialDelayMs: 50, maxAttempts: 3 })).toEqual({ ...DEFAULT_BACKOFF, initialDelayMs: 50, maxAttempts: 3 });
    expect(resolveBackoff({ initialDelayMs: 60_000 })).toMatchObject({ initialDelayMs: 60_000, maxDelayMs: 60_000 });
  });

  it.each([
    [{ initialDelayMs: -1 }, /initialDelayMs/],
    [{ initialDelayMs: 500, maxDelayMs: 100 }, /maxDelayMs/],
    [{ factor: 0.5 }, /factor/],
    [{ jitter: 1.5 }, /jitter/],
    [{ maxAttempts: 0 }, /maxAttempts/],
  ])('refuses %j', (options, message) => {
    expect(() => resolveBackoff(options)).toThrow(InvalidArgumentError);
    expect(() => resolveBackoff(options)).toThrow(message);
  });
});

describe('backoffDelay', () => {
  const policy = { initialDelayMs: 100, maxDelayMs: 2000, factor: 2, jitter: 0.25, maxAttempts: 10 };

  it('grows exponentially and is capped, with jitter at its midpoint', () => {
    const mid = () => 0.5;
    expect([1, 2, 3, 4, 5, 6, 7].map((n) => backoffDelay(policy, n, mid))).toEqual([100, 200, 400, 800, 1600, 2000, 2000]);
  });

  it('spreads by +-jitter and never exceeds the cap', () => {
    expect(backoffDelay(policy, 1, () => 0)).toBe(75);
    expect(backoffDelay(policy, 1, () => 1)).toBe(125);
    expect(backoffDelay(policy, 3, () => 0)).toBe(300);
    expect(backoffDelay(policy, 3, () => 1)).toBe(500);
    expect(backoffDelay(policy, 5, () => 1)).toBe(2000);
  });

  it('without jitter is exact', () => {
    const exact = { ...policy, jitter: 0 };
    expect(backoffDelay(exact, 2, Math.random)).toBe(200);
  });
});
