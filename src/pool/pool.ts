/**
 * Pool: one Client and one EventListener per FreeSWITCH host, driven as one
 * (switchio's `api.get_pool`): connect and close them together, sum their
 * counters, run a function on every host, pick hosts round-robin.
 *
 * Every member keeps its own two connections (commands and events), as a
 * single Client does: a slow `api` on one host never delays another host's
 * events. Results of `evalAll` are per host and never reject as a whole, so
 * one host down does not hide what the others answered.
 */

import { type Logger, pino } from 'pino';
import type { App, LoadAppOptions } from '../app.js';
import { Client, type ClientOptions } from '../client/client.js';
import { InvalidArgumentError } from '../errors.js';
import { EventListener, type EventListenerOptions } from '../listener/listener.js';

export interface PoolHost {
  readonly host: string;
  /** Default 8021. */
  readonly port?: number;
  /** Default `ClueCon`. */
  readonly password?: string;
  readonly user?: string;
}

type Owned = 'host' | 'port' | 'password' | 'user' | 'logger' | 'connection';

export interface PoolOptions {
  readonly logger?: Logger;
  /** Options for every member's EventListener. */
  readonly listener?: Omit<EventListenerOptions, Owned>;
  /** Options for every member's Client. */
  readonly client?: Omit<ClientOptions, Owned | 'listener'>;
}

export interface PoolMember {
  /** Position in the pool, from 0. */
  readonly index: number;
  readonly host: string;
  readonly port: number;
  /** `host:port`. */
  readonly name: string;
  readonly client: Client;
  readonly listener: EventListener;
}

/** One host's outcome of Pool.evalAll. */
export type HostResult<T> =
  | { readonly member: PoolMember; readonly ok: true; readonly value: T }
  | { readonly member: PoolMember; readonly ok: false; readonly error: unknown };

export class Pool {
  readonly logger: Logger;
  readonly #members: readonly PoolMember[];
  #next = 0;

  /**
   * One member per host. A ready Client (with its listener) may be given
   * instead of a host: the pool then drives it like the others.
   */
  constructor(hosts: readonly (PoolHost | Client)[], options: PoolOptions = {}) {
    if (!Array.isArray(hosts) || hosts.length === 0) throw new InvalidArgumentError('a Pool needs at least one host');
    this.logger = options.logger ?? pino({ level: 'silent' });
    const seen = new Set<string>();
    this.#members = hosts.map((entry, index) => {
      const member = entry instanceof Client ? fromClient(entry, index) : fromHost(entry, index, this.logger, options);
      if (seen.has(member.name)) throw new InvalidArgumentError(`host ${member.name} is in the pool twice`);
      seen.add(member.name);
      return member;
    });
  }

  get members(): readonly PoolMember[] {
    return this.#members;
  }

  get size(): number {
    return this.#members.length;
  }

  /**
   * Connects every member at once. If any fails, all are closed again and the
   * first failure is thrown (its message names the host).
   */
  async connect(): Promise<void> {
    const results = await this.evalAll((client) => client.connect());
    const failed = results.find((r) => !r.ok);
    if (failed === undefined || failed.ok) return;
    await this.close();
    const error = failed.error;
    if (error instanceof Error) error.message = `${failed.member.name}: ${error.message}`;
    throw error;
  }

  /** Closes every member; never rejects (a failing close is logged). */
  async close(): Promise<void> {
    const results = await this.evalAll((client) => client.close());
    for (const r of results) {
      if (!r.ok) this.logger.warn({ err: r.error, host: r.member.name }, 'closing a pool member failed');
    }
  }

  /**
   * The next member round-robin, skipping members whose event connection is
   * down while any is up (a call originated there could not be tracked).
   */
  next(): PoolMember {
    const n = this.#members.length;
    for (let i = 0; i < n; i++) {
      const member = this.#members[(this.#next + i) % n]!;
      if (member.listener.connected) {
        this.#next = (member.index + 1) % n;
        return member;
      }
    }
    const member = this.#members[this.#next % n]!;
    this.#next = (member.index + 1) % n;
    return member;
  }

  /** Runs `fn` on every member at once; one result per member, in pool order. */
  async evalAll<T>(fn: (client: Client, member: PoolMember) => T | Promise<T>): Promise<HostResult<T>[]> {
    const settled = await Promise.allSettled(this.#members.map(async (member) => fn(member.client, member)));
    return settled.map((s, i): HostResult<T> => {
      const member = this.#members[i]!;
      return s.status === 'fulfilled' ? { member, ok: true, value: s.value } : { member, ok: false, error: s.reason };
    });
  }

  /** `hupall` on every host (only the calls of `appId` when given). */
  hupall(cause = 'NORMAL_CLEARING', appId?: string): Promise<HostResult<void>[]> {
    return this.evalAll((client) => client.hupall(cause, appId));
  }

  /**
   * Loads an app on every host under one app id, atomically: if any host
   * refuses, it is unloaded from the others and the first error is thrown.
   */
  async loadApp(app: App, options: LoadAppOptions = {}): Promise<string> {
    const results = await this.evalAll((client) => client.loadApp(app, options));
    const failed = results.find((r) => !r.ok);
    if (failed !== undefined && !failed.ok) {
      await Promise.allSettled(results.filter((r) => r.ok).map((r) => r.member.client.unloadApp(r.value, app.name)));
      throw failed.error;
    }
    const first = results[0];
    return first?.ok ? first.value : (options.appId ?? '');
  }

  /** Unloads an app id (or just the app named) from every host. */
  async unloadApp(appId: string, name?: string): Promise<void> {
    const results = await this.evalAll((client) => client.unloadApp(appId, name));
    const failed = results.find((r) => !r.ok);
    if (failed !== undefined && !failed.ok) throw failed.error;
  }

  countSessions(): number {
    return this.#sum((l) => l.countSessions());
  }

  countCalls(): number {
    return this.#sum((l) => l.countCalls());
  }

  countJobs(): number {
    return this.#sum((l) => l.countJobs());
  }

  countAnswered(): number {
    return this.#sum((l) => l.countAnswered());
  }

  countFailed(): number {
    return this.#sum((l) => l.countFailed());
  }

  /** Failed sessions by Hangup-Cause, over every host. */
  failedByCause(): Record<string, number> {
    return this.#merge((l) => l.failedByCause());
  }

  /** Every hung-up session by Hangup-Cause, over every host. */
  hangupCauses(): Record<string, number> {
    return this.#merge((l) => l.hangupCauses());
  }

  resetCounters(): void {
    for (const m of this.#members) m.listener.resetCounters();
  }

  #sum(count: (listener: EventListener) => number): number {
    let n = 0;
    for (const m of this.#members) n += count(m.listener);
    return n;
  }

  #merge(counts: (listener: EventListener) => Record<string, number>): Record<string, number> {
    const total: Record<string, number> = {};
    for (const m of this.#members) {
      for (const [cause, n] of Object.entries(counts(m.listener))) total[cause] = (total[cause] ?? 0) + n;
    }
    return total;
  }
}

function fromClient(client: Client, index: number): PoolMember {
  const listener = client.listener;
  if (listener === undefined) {
    throw new InvalidArgumentError(`the Client for ${client.host}:${client.port} has no EventListener: a pool tracks calls through one`);
  }
  return { index, host: client.host, port: client.port, name: `${client.host}:${client.port}`, client, listener };
}

function fromHost(entry: PoolHost, index: number, logger: Logger, options: PoolOptions): PoolMember {
  if (typeof entry?.host !== 'string' || entry.host === '') throw new InvalidArgumentError(`pool host ${index} has no host name`);
  const port = entry.port ?? 8021;
  if (!Number.isInteger(port) || port <= 0 || port > 65535) {
    throw new InvalidArgumentError(`pool host ${entry.host} has an invalid port ${String(entry.port)}`);
  }
  const auth = {
    host: entry.host,
    port,
    ...(entry.password === undefined ? {} : { password: entry.password }),
    ...(entry.user === undefined ? {} : { user: entry.user }),
    logger,
  };
  const listener = new EventListener({ ...options.listener, ...auth });
  const client = new Client({ ...options.client, ...auth, listener });
  return { index, host: entry.host, port, name: `${entry.host}:${port}`, client, listener };
}
