/**
 * Reconnect schedule: exponential backoff with jitter, capped. Pure so the
 * schedule can be tested without timers or sockets.
 */

import { InvalidArgumentError } from '../errors.js';

export interface ReconnectOptions {
  /** Delay before the first attempt. Default 100 ms. */
  readonly initialDelayMs?: number;
  /** Upper bound of any delay, jitter included. Default 10 s (or initialDelayMs if larger). */
  readonly maxDelayMs?: number;
  /** Growth per attempt. Default 2. */
  readonly factor?: number;
  /** Fraction of the delay randomised either way, 0..1. Default 0.2. */
  readonly jitter?: number;
  /** Attempts before giving up; default unlimited. */
  readonly maxAttempts?: number;
}

export interface BackoffPolicy {
  readonly initialDelayMs: number;
  readonly maxDelayMs: number;
  readonly factor: number;
  readonly jitter: number;
  readonly maxAttempts: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = {
  initialDelayMs: 100,
  maxDelayMs: 10_000,
  factor: 2,
  jitter: 0.2,
  maxAttempts: Number.POSITIVE_INFINITY,
};

/** `undefined`/`false` -> no reconnect; `true` -> defaults; an object overrides defaults. */
export function resolveBackoff(option: boolean | ReconnectOptions | undefined): BackoffPolicy | undefined {
  if (option === undefined || option === false) return undefined;
  if (option === true) return DEFAULT_BACKOFF;
  const policy: BackoffPolicy = {
    initialDelayMs: option.initialDelayMs ?? DEFAULT_BACKOFF.initialDelayMs,
    maxDelayMs: option.maxDelayMs ?? Math.max(DEFAULT_BACKOFF.maxDelayMs, option.initialDelayMs ?? 0),
    factor: option.factor ?? DEFAULT_BACKOFF.factor,
    jitter: option.jitter ?? DEFAULT_BACKOFF.jitter,
    maxAttempts: option.maxAttempts ?? DEFAULT_BACKOFF.maxAttempts,
  };
  checkPolicy(policy);
  return policy;
}

function checkPolicy(p: BackoffPolicy): void {
  const bad = (what: string): never => {
    throw new InvalidArgumentError(`reconnect.${what}`);
  };
  if (!(p.initialDelayMs >= 0) || !Number.isFinite(p.initialDelayMs)) bad(`initialDelayMs must be a finite number >= 0, got ${p.initialDelayMs}`);
  if (!(p.maxDelayMs >= p.initialDelayMs)) bad(`maxDelayMs must be >= initialDelayMs, got ${p.maxDelayMs}`);
  if (!(p.factor >= 1)) bad(`factor must be >= 1, got ${p.factor}`);
  if (!(p.jitter >= 0 && p.jitter <= 1)) bad(`jitter must be between 0 and 1, got ${p.jitter}`);
  if (!(p.maxAttempts >= 1)) bad(`maxAttempts must be >= 1, got ${p.maxAttempts}`);
}

/**
 * Delay before reconnect attempt `attempt` (1-based): initial * factor^(attempt-1),
 * scaled by a random factor in [1 - jitter, 1 + jitter] so that many clients
 * cut off by one FreeSWITCH restart do not all come back in the same instant,
 * then capped at maxDelayMs.
 */
export function backoffDelay(policy: BackoffPolicy, attempt: number, random: () => number = Math.random): number {
  const exponent = Math.max(0, attempt - 1);
  const base = Math.min(policy.maxDelayMs, policy.initialDelayMs * policy.factor ** exponent);
  const scale = 1 + policy.jitter * (2 * random() - 1);
  return Math.round(Math.min(policy.maxDelayMs, Math.max(0, base * scale)));
}
