/**
 * The Originator's options, states, statistics and events, and the checks
 * its options go through (bad input is an InvalidArgumentError, never a
 * silent default).
 */

import type { Logger } from 'pino';
import type { App } from '../app.js';
import type { Client } from '../client/client.js';
import { buildOriginate } from '../client/originate.js';
import { InvalidArgumentError } from '../errors.js';
import { Pool } from '../pool/pool.js';
import type { CallFlow, OriginateDest, OriginatedCall } from './call-book.js';
import type { LatencyStats, MetricsStore } from './metrics.js';

export interface OriginatorApp {
  readonly app: App;
  /** Share of the calls, relative to the other apps' weights. Default 1. */
  readonly weight?: number;
  /** The app id its calls carry. Default: `<appIdPrefix>-<index>`. */
  readonly appId?: string;
}

export interface OriginatorOptions {
  /** The hosts to originate on (connected by the caller). Give this or `client`. */
  readonly pool?: Pool;
  /** A single connected Client with its EventListener. */
  readonly client?: Client;
  /** Originates per second, paced evenly. */
  readonly rate: number;
  /** Most calls in flight at once. */
  readonly limit: number;
  /** Seconds each answered call is held; 0 leaves the hangup to the apps or the far end. Default limit / rate. */
  readonly duration?: number;
  /** Stop originating after this many offers. Default: no end. */
  readonly maxOffered?: number;
  /** Where to call: a dial string (`loopback/answer/switchyard`), `user@host`, or originate options. */
  readonly dest: string | OriginateDest;
  /** Call flows mixed by weight, each loaded (on every host) under its own app id. */
  readonly apps?: readonly OriginatorApp[];
  /** Where per-call rows go. Default: a new MetricsStore. */
  readonly metrics?: MetricsStore;
  readonly logger?: Logger;
  /** Prefix of the app ids this originator loads; default `sy-<8 random hex>`. */
  readonly appIdPrefix?: string;
  /** Interval of the `tick` event, ms. Default 1000. */
  readonly tickMs?: number;
  /** Window of the achieved rate, ms. Default 1000. */
  readonly rateWindowMs?: number;
  /** Most originates in one wake-up while the pacer catches up. */
  readonly maxBurst?: number;
  /** Epoch milliseconds; tests inject a fake clock. Default: performance.timeOrigin + performance.now(). */
  readonly now?: () => number;
}

export type StopReason = 'stopped' | 'max-offered' | 'hupall';

export type OriginatorState =
  | { readonly name: 'INITIAL' }
  | { readonly name: 'ORIGINATING'; readonly since: number }
  | { readonly name: 'STOPPED'; readonly since: number; readonly reason: StopReason };

export interface PacingStats {
  /** Slots dropped because the event loop stalled beyond the pacer's lag bound. */
  readonly skipped: number;
  /** How late originates left against their schedule, ms, over the last 4096. */
  readonly lateP50: number | null;
  readonly lateP99: number | null;
  readonly lateMax: number | null;
}

export interface OriginatorStats {
  readonly state: OriginatorState['name'];
  readonly offered: number;
  readonly answered: number;
  readonly completed: number;
  readonly failed: number;
  readonly lost: number;
  /** Offered and not ended yet. */
  readonly active: number;
  readonly failedByCause: Readonly<Record<string, number>>;
  readonly lostByReason: Readonly<Record<string, number>>;
  readonly targetRate: number;
  /** Offers per second over the last rateWindowMs. */
  readonly achievedRate: number;
  readonly limit: number;
  /** Seconds. */
  readonly duration: number;
  readonly setupLatencyMs: LatencyStats;
  readonly pacing: PacingStats;
}

export interface OriginatorEvents {
  state: (state: OriginatorState, previous: OriginatorState) => void;
  /** One per offered call, when it ends. */
  call: (call: OriginatedCall) => void;
  tick: (stats: OriginatorStats) => void;
  /** Not originating and no call in flight. */
  idle: () => void;
}

export interface IdleWaitOptions {
  /** Rejects with TimeoutError after this many ms. */
  readonly timeout?: number;
  /** Rejects with the signal's reason when aborted (the calls go on). */
  readonly signal?: AbortSignal;
}


/** A call flow and the app loaded for it (none: the calls only carry the app id). */
export type Flow = CallFlow & { readonly loaded: App | undefined };

export function poolOf(options: OriginatorOptions): Pool {
  if (options.pool !== undefined && options.client !== undefined) throw new InvalidArgumentError('give either pool or client, not both');
  if (options.pool instanceof Pool) return options.pool;
  if (options.client !== undefined) return new Pool([options.client]);
  throw new InvalidArgumentError('Originator needs a pool or a client');
}

/** One flow per app (tracker plus the app, under one app id), or a single tracker-only flow. */
export function flowsOf(apps: readonly OriginatorApp[], prefix: string): Flow[] {
  if (!/^[A-Za-z0-9_.:@-]+$/.test(prefix)) throw new InvalidArgumentError(`invalid appIdPrefix ${JSON.stringify(prefix)}`);
  if (!Array.isArray(apps)) throw new InvalidArgumentError('apps must be an array of { app, weight }');
  const flows = apps.map((entry, i) => {
    if (typeof entry?.app?.name !== 'string') throw new InvalidArgumentError(`apps[${i}] has no app with a name`);
    return { appId: entry.appId ?? `${prefix}-${i}`, app: entry.app.name, loaded: entry.app };
  });
  if (new Set(flows.map((f) => f.appId)).size !== flows.length) throw new InvalidArgumentError('two call flows share an app id');
  return flows.length > 0 ? flows : [{ appId: prefix, app: '', loaded: undefined }];
}

/** A dest as options; building one originate now turns a bad one into an error here, not into lost calls. */
export function checkDest(dest: string | OriginateDest): OriginateDest {
  const options = typeof dest === 'string' ? { dest } : dest;
  if (typeof options?.dest !== 'string' || options.dest === '') throw new InvalidArgumentError('dest needs a dial string');
  buildOriginate({ ...options, uuid: '00000000-0000-4000-8000-000000000000', appId: 'check' });
  return options;
}

export function checkLimit(limit: number): number {
  if (!Number.isInteger(limit) || limit < 1) throw new InvalidArgumentError(`limit must be a whole number >= 1, got ${String(limit)}`);
  return limit;
}

export function checkDuration(seconds: number): number {
  if (typeof seconds !== 'number' || !Number.isFinite(seconds) || seconds < 0) {
    throw new InvalidArgumentError(`duration must be a number of seconds >= 0, got ${String(seconds)}`);
  }
  return seconds;
}

export function checkMaxOffered(n: number): number {
  if (n !== Number.POSITIVE_INFINITY && (!Number.isInteger(n) || n < 1)) {
    throw new InvalidArgumentError(`maxOffered must be a whole number >= 1, got ${String(n)}`);
  }
  return n;
}

export function checkInterval(ms: number, what: string): number {
  if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < 1) {
    throw new InvalidArgumentError(`${what} must be a number of ms >= 1, got ${String(ms)}`);
  }
  return ms;
}
