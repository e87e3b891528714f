/**
 * The Originator against the simulator on port 0: exact outcome counts, the
 * limit seen from the simulator's side, hold times, stop and hupall leaving
 * nothing up, live rate changes, failures by cause, several hosts, app mixes
 * and a lost event socket.
 */

import { afterEach, describe, expect, it } from 'vitest';
import { defineApp } from '../../../src/app.js';
import { Connection } from '../../../src/connection/connection.js';
import type { OriginatedCall } from '../../../src/load/call-book.js';
import { MetricsStore } from '../../../src/load/metrics.js';
import { Originator, type OriginatorOptions, type OriginatorState, type OriginatorStats } from '../../../src/load/originator.js';
import { Pool } from '../../../src/pool/pool.js';
import { type Simulator, type SimulatorOptions, startSimulator } from '../../../src/sim/index.js';

const cleanup: (() => Promise<unknown>)[] = [];

afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn().catch(() => {});
});

async function sims(n: number, options: SimulatorOptions = {}): Promise<{ sims: Simulator[]; pool: Pool }> {
  const list: Simulator[] = [];
  for (let i = 0; i < n; i++) {
    const sim = await startSimulator({ port: 0, ...options });
    cleanup.push(() => sim.close());
    list.push(sim);
  }
  const pool = new Pool(list.map((s) => ({ host: s.host, port: s.port })));
  await pool.connect();
  cleanup.push(() => pool.close());
  return { sims: list, pool };
}

/**
 * The simulator's CRIT log lines about refused sessions, on a connection of
 * its own; `seen(n)` resolves with them once n arrived.
 */
async function refusalLog(sim: Simulator): Promise<{ seen: (n: number) => Promise<string[]> }> {
  const conn = new Connection({ host: sim.host, port: sim.port, password: 'ClueCon' });
  await conn.connect();
  cleanup.push(() => conn.close());
  const texts: string[] = [];
  const waiters: [number, (texts: string[]) => void][] = [];
  conn.on('log', (log) => {
    if (!/Over Session Limit!|Throttle Error!/.test(log.text)) return;
    texts.push(log.text);
    for (const w of waiters.filter(([n]) => texts.length >= n)) {
      waiters.splice(waiters.indexOf(w), 1);
      w[1]([...texts]);
    }
  });
  await conn.log(2);
  return {
    seen: (n) => (texts.length >= n ? Promise.resolve([...texts]) : new Promise((resolve) => waiters.push([n, resolve]))),
  };
}

/** An originator whose every outcome is recorded, closed after the test. */
function originator(options: OriginatorOptions): { o: Originator; calls: OriginatedCall[]; states: OriginatorState[] } {
  const o = new Originator(options);
  const calls: OriginatedCall[] = [];
  const states: OriginatorState[] = [];
  o.on('call', (c) => calls.push(c));
  o.on('state', (s) => states.push(s));
  cleanup.push(() => o.close({ timeout: 2000 }));
  return { o, calls, states };
}

/**
 * Samples the simulator's live channel count on every CHANNEL_CREATE it fires
 * (on its own event socket); `seen(n)` resolves once n creates were sampled.
 */
async function channelSampler(sim: Simulator): Promise<{ max: () => number; seen: (n: number) => Promise<void> }> {
  const conn = new Connection({ host: sim.host, port: sim.port, password: 'ClueCon' });
  await conn.connect();
  cleanup.push(() => conn.close());
  let max = 0;
  let samples = 0;
  const waiters: [number, () => void][] = [];
  conn.on('event', (event) => {
    if (event.name !== 'CHANNEL_CREATE') return;
    samples++;
    max = Math.max(max, sim.channels().length);
    for (const [n, resolve] of waiters) if (samples >= n) resolve();
  });
  await conn.subscribe(['CHANNEL_CREATE'], 'plain');
  return {
    max: () => max,
    seen: (n) => (samples >= n ? Promise.resolve() : new Promise((resolve) => waiters.push([n, resolve]))),
  };
}

/** `N session(s) - peak P` from the simulator's `status`. */
async function peakSessions(sim: Simulator): Promise<number> {
  const m = /- peak (\d+)/.exec(await sim.api('status'));
  return Number(m?.[1]);
}

function tally(calls: readonly OriginatedCall[], key: (c: OriginatedCall) => string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const c of calls) out[key(c)] = (out[key(c)] ?? 0) + 1;
  return out;
}

describe('Originator against the simulator', () => {
  it('ends every offered call in exactly one outcome and never exceeds the limit', async () => {
    const { sims: [sim], pool } = await sims(1);
    const sampler = await channelSampler(sim!);
    const metrics = new MetricsStore();
    const { o, calls, states } = originator({ pool, rate: 400, limit: 10, duration: 0.1, maxOffered: 120, dest: 'loopback/answer/switchyard', metrics });
    let maxActive = 0;
    o.on('call', () => {
      maxActive = Math.max(maxActive, o.active + 1);
    });
    await o.start();
    await o.waitForIdle({ timeout: 20_000 });
    const s = o.stats();
    expect(s.offered).toBe(120);
    expect(s.offered).toBe(s.completed + s.failed + s.lost);
    expect([s.completed, s.failed, s.lost, s.active]).toEqual([120, 0, 0, 0]);
    expect(s.answered).toBe(120);
    expect(calls).toHaveLength(120);
    expect(new Set(calls.map((c) => c.id)).size).toBe(120);
    // A loopback call is two channels: the limit of 10 calls is 20 channels at most, and it did bind.
    expect(maxActive).toBe(10);
    expect(await peakSessions(sim!)).toBeLessThanOrEqual(20);
    await sampler.seen(240);
    expect(sampler.max()).toBeLessThanOrEqual(20);
    expect(sim!.channels()).toEqual([]);
    expect(states.map((st) => (st.name === 'STOPPED' ? `STOPPED:${st.reason}` : st.name))).toEqual(['ORIGINATING', 'STOPPED:max-offered']);
    const summary = metrics.summary();
    expect([summary.offered, summary.completed, summary.failed, summary.lost, summary.active]).toEqual([120, 120, 0, 0, 0]);
    expect(s.setupLatencyMs.count).toBe(120);
    expect(s.setupLatencyMs.p99).toBeGreaterThan(0);
  });

  it('holds each answered call for the duration', async () => {
    const { pool } = await sims(1);
    const { o, calls } = originator({ pool, rate: 50, limit: 50, duration: 0.3, maxOffered: 10, dest: 'loopback/answer/switchyard' });
    await o.start();
    await o.waitForIdle({ timeout: 10_000 });
    expect(calls.map((c) => c.outcome)).toEqual(Array(10).fill('completed'));
    for (const c of calls) {
      const held = c.endedAt - c.answeredAt!;
      expect(held).toBeGreaterThanOrEqual(300);
      expect(held).toBeLessThan(800);
      expect(c.cause).toBe('NORMAL_CLEARING');
    }
  });

  it('the default duration is limit / rate seconds', async () => {
    const { pool } = await sims(1);
    const { o } = originator({ pool, rate: 40, limit: 8, dest: 'loopback/answer/switchyard' });
    expect(o.duration).toBe(0.2);
  });

  it('stop() ends originating; the calls in flight finish and leave nothing up', async () => {
    const { sims: [sim], pool } = await sims(1);
    const { o, calls, states } = originator({ pool, rate: 200, limit: 100, duration: 0.2, dest: 'loopback/answer/switchyard' });
    await o.start();
    await new Promise<void>((resolve) => o.on('call', () => calls.length === 5 && resolve()));
    o.stop();
    const offered = o.stats().offered;
    expect(o.state.name).toBe('STOPPED');
    await o.waitForIdle({ timeout: 5000 });
    expect(o.stats().offered).toBe(offered);
    expect(calls).toHaveLength(offered);
    expect(calls.every((c) => c.outcome === 'completed')).toBe(true);
    expect(sim!.channels()).toEqual([]);
    expect(states.at(-1)).toMatchObject({ name: 'STOPPED', reason: 'stopped' });
  });

  it('hupall() hangs up every call at once, even those whose originate is still on its way', async () => {
    const { sims: [sim], pool } = await sims(1);
    const { o, calls } = originator({ pool, rate: 500, limit: 200, duration: 60, dest: 'loopback/answer/switchyard' });
    await o.start();
    await new Promise<void>((resolve) => {
      const check = (): void => {
        if (o.stats().offered >= 40) resolve();
        else setImmediate(check);
      };
      check();
    });
    const started = Date.now();
    await o.hupall();
    await o.waitForIdle({ timeout: 5000 });
    expect(Date.now() - started).toBeLessThan(2000);
    const s = o.stats();
    expect(s.offered).toBe(calls.length);
    expect(s.offered).toBe(s.completed + s.failed + s.lost);
    expect(s.lost).toBe(0);
    expect(o.state).toMatchObject({ name: 'STOPPED', reason: 'hupall' });
    expect(sim!.channels()).toEqual([]);
  });

  it('a new rate takes effect while running, measured over a window', async () => {
    const { pool } = await sims(1);
    const { o, calls } = originator({ pool, rate: 50, limit: 500, duration: 0.05, dest: 'loopback/answer/switchyard' });
    await o.start();
    const t0 = performance.timeOrigin + performance.now();
    await new Promise((r) => setTimeout(r, 650));
    o.rate = 150;
    const t1 = performance.timeOrigin + performance.now();
    // 120 more offers cover [t1, t1 + 800 ms) of the new schedule, however late the loop runs.
    o.maxOffered = o.stats().offered + 120;
    let live: OriginatorStats | undefined;
    o.on('state', (st) => {
      if (st.name === 'STOPPED') live = o.stats();
    });
    await o.waitForIdle({ timeout: 10_000 });
    const count = (at: (c: OriginatedCall) => number, from: number, to: number): number =>
      calls.filter((c) => at(c) >= from && at(c) < to).length;
    const scheduled = (c: OriginatedCall): number => c.scheduledAt;
    const offered = (c: OriginatedCall): number => c.offeredAt;
    // The schedule: 50/s over [0, 600 ms) is 30 slots; 150/s over [t1 + 100, t1 + 700 ms) is 90.
    expect(Math.abs(count(scheduled, t0, t0 + 600) - 30)).toBeLessThanOrEqual(1);
    expect(Math.abs(count(scheduled, t1 + 100, t1 + 700) - 90)).toBeLessThanOrEqual(1);
    // What really went out: the median gap between offers, which a loop stall on a loaded
    // test machine (a late offer and a catch-up) moves much less than a count per window.
    const medianGap = (from: number, to: number): number => {
      const t = calls.map(offered).filter((x) => x >= from && x < to).sort((x, y) => x - y);
      const gaps = t.slice(1).map((x, i) => x - t[i]!).sort((x, y) => x - y);
      return gaps[gaps.length >> 1]!;
    };
    expect(medianGap(t0, t1)).toBeGreaterThan(17);
    expect(medianGap(t0, t1)).toBeLessThan(23);
    expect(medianGap(t1 + 100, t1 + 800)).toBeGreaterThan(5);
    expect(medianGap(t1 + 100, t1 + 800)).toBeLessThan(8.5);
    // The live figure is the sliding one-second window: well above the old rate.
    expect(live?.achievedRate).toBeGreaterThan(100);
    expect(live?.targetRate).toBe(150);
    expect(o.rate).toBe(150);
  });

  it('counts failures by the cause FreeSWITCH gave: USER_BUSY, CALL_REJECTED, NO_ANSWER', async () => {
    const { sims: [sim], pool } = await sims(1);
    const cases: [OriginatorOptions['dest'], string][] = [
      ['loopback/busy/switchyard', 'USER_BUSY'],
      ['error/CALL_REJECTED', 'CALL_REJECTED'],
      [{ dest: 'loopback/ringing/switchyard', timeout: 1 }, 'NO_ANSWER'],
    ];
    for (const [dest, cause] of cases) {
      const { o, calls } = originator({ pool, rate: 200, limit: 50, duration: 1, maxOffered: 6, dest });
      await o.start();
      await o.waitForIdle({ timeout: 5000 });
      const s = o.stats();
      expect([s.offered, s.completed, s.failed, s.lost, s.answered]).toEqual([6, 0, 6, 0, 0]);
      expect(s.failedByCause).toEqual({ [cause]: 6 });
      expect(calls.map((c) => c.cause)).toEqual(Array(6).fill(cause));
      expect(sim!.channels()).toEqual([]);
      await o.close();
    }
  });

  it("counts the simulator's overload refusals by cause: max sessions and sessions per second", async () => {
    // FreeSWITCH refuses the new session in switch_core_session_request_uuid (no session: the
    // endpoint fails with DESTINATION_OUT_OF_ORDER); only its CRIT log line tells the two limits apart.
    const cases: [SimulatorOptions, RegExp, RegExp][] = [
      [{ maxSessions: 10 }, /Over Session Limit! 10\n$/, /Throttle Error!/],
      [{ sessionsPerSecond: 10 }, /Throttle Error! \d+\n$/, /Over Session Limit!/],
    ];
    for (const [limits, line, other] of cases) {
      const { sims: [sim], pool } = await sims(1, limits);
      const refusals = await refusalLog(sim!);
      // 20 offers within 40 ms while each admitted call (two channels) is held 1 s: 5 fit.
      const { o } = originator({ pool, rate: 500, limit: 100, duration: 1, maxOffered: 20, dest: 'loopback/answer/switchyard' });
      await o.start();
      await o.waitForIdle({ timeout: 10_000 });
      const s = o.stats();
      expect([s.offered, s.completed, s.failed, s.lost]).toEqual([20, 5, 15, 0]);
      expect(s.failedByCause).toEqual({ DESTINATION_OUT_OF_ORDER: 15 });
      const texts = await refusals.seen(15);
      expect(texts.filter((t) => line.test(t))).toHaveLength(15);
      expect(texts.filter((t) => other.test(t))).toEqual([]);
      expect(sim!.channels()).toEqual([]);
      await o.close();
    }
  });

  it('spreads calls round-robin over the hosts of the pool', async () => {
    const { sims: list, pool } = await sims(3);
    const { o, calls } = originator({ pool, rate: 300, limit: 30, duration: 0.05, maxOffered: 30, dest: 'loopback/answer/switchyard' });
    await o.start();
    await o.waitForIdle({ timeout: 5000 });
    expect(tally(calls, (c) => c.host)).toEqual(Object.fromEntries(list.map((s) => [`${s.host}:${s.port}`, 10])));
    for (const sim of list) expect(await sim.api('status')).toContain('20 session(s) since startup');
  });

  it('mixes call flows by weight, each app seeing only its own calls', async () => {
    const { pool } = await sims(1);
    const seen: Record<string, Set<string>> = { A: new Set(), B: new Set() };
    const answerer = (name: 'A' | 'B') =>
      defineApp({
        name,
        handlers: {
          // loopback/park parks the B leg: the app answers it, which answers the originated leg.
          CHANNEL_PARK: (session) => {
            seen[name]!.add(session.get('variable_sip_h_X-switchyard_call') ?? '?');
            return session.answer();
          },
        },
      });
    const { o, calls } = originator({
      pool,
      rate: 200,
      limit: 40,
      duration: 0.05,
      maxOffered: 40,
      dest: 'loopback/park/switchyard',
      apps: [
        { app: answerer('A'), weight: 3 },
        { app: answerer('B'), weight: 1 },
      ],
    });
    await o.start();
    await o.waitForIdle({ timeout: 5000 });
    expect(tally(calls, (c) => `${c.app}:${c.outcome}`)).toEqual({ 'A:completed': 30, 'B:completed': 10 });
    const byApp = (name: string): Set<string> => new Set(calls.filter((c) => c.app === name).map((c) => c.id));
    expect(seen.A).toEqual(byApp('A'));
    expect(seen.B).toEqual(byApp('B'));
    expect(new Set(calls.map((c) => c.appId))).toEqual(new Set(o.appIds));
  });

  it('a lost event socket turns the calls in flight into lost calls, and the count still adds up', async () => {
    const { sims: [sim], pool } = await sims(1);
    const { o, calls } = originator({ pool, rate: 200, limit: 100, duration: 10, maxOffered: 60, dest: 'loopback/answer/switchyard' });
    await o.start();
    await new Promise<void>((resolve) => {
      const check = (): void => {
        if (o.stats().offered >= 20) resolve();
        else setImmediate(check);
      };
      check();
    });
    sim!.dropConnections();
    o.stop();
    await o.waitForIdle({ timeout: 5000 });
    const s = o.stats();
    expect(s.offered).toBe(s.completed + s.failed + s.lost);
    expect(calls).toHaveLength(s.offered);
    expect(s.lost).toBeGreaterThanOrEqual(20);
    expect(Object.keys(s.lostByReason).every((r) => r.startsWith('disconnected'))).toBe(true);
  });
});
