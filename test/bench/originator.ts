/**
 * The Originator's pacing and cost: achieved originate rate against the
 * target (goal: within 1 %), pacing error (how late each originate left
 * against its absolute schedule; goal p99 <= 2 ms) and the controller's CPU
 * per call, at 100, 500 and 2,000 calls/s.
 *
 * The simulators run in child processes, so `process.cpuUsage()` here is the
 * controller alone: pacing, bgapi, event parsing and call tracking. Each run
 * originates `BENCH_SECONDS` (default 3) worth of calls spread over
 * `BENCH_SIMS` (default 2) simulators, then waits for every call to end.
 *
 *   node --import tsx test/bench/originator.ts
 *   BENCH_RATES=100,500 BENCH_DEST=error/USER_BUSY node --import tsx test/bench/originator.ts
 */

import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { OriginatedCall } from '../../src/load/call-book.js';
import { nearestRank } from '../../src/load/metrics.js';
import { Originator } from '../../src/load/originator.js';
import { Pacer } from '../../src/load/pacer.js';
import { Pool } from '../../src/pool/pool.js';
import { startSimulator } from '../../src/sim/index.js';

const SIM_CHILD = 'SWITCHYARD_BENCH_SIM';

export interface OriginatorBenchRow {
  readonly target: number;
  readonly offered: number;
  /** Offers per second between the first and the last offer. */
  readonly achieved: number;
  /** (achieved - target) / target, in %. */
  readonly rateErrorPct: number;
  readonly lateP50Ms: number;
  readonly lateP99Ms: number;
  readonly lateMaxMs: number;
  /** Controller CPU (user + system) per offered call, µs. */
  readonly cpuPerCallUs: number;
  readonly completed: number;
  readonly failed: number;
  readonly lost: number;
  readonly setupP50Ms: number | null;
  readonly setupP99Ms: number | null;
  /** From the first offer until every call had ended, s. */
  readonly drainedAfterS: number;
}

export interface OriginatorBenchOptions {
  readonly rates?: readonly number[];
  readonly seconds?: number;
  readonly sims?: number;
  readonly dest?: string;
  /** Hold time of each answered call, s. */
  readonly hold?: number;
}

interface SimChild {
  readonly port: number;
  readonly child: ChildProcess;
}

/** A simulator in its own process, so its CPU is not the controller's. */
async function spawnSim(): Promise<SimChild> {
  const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url)], {
    env: { ...process.env, [SIM_CHILD]: '1' },
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout! });
  const port = await new Promise<number>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`simulator process exited (${code})`)));
    lines.once('line', (line) => resolve((JSON.parse(line) as { port: number }).port));
  });
  return { port, child };
}

async function runSimChild(): Promise<void> {
  // No capacity or rate cap: the bench measures the controller, not FreeSWITCH's throttles.
  const sim = await startSimulator({ port: 0, maxSessions: 1_000_000, sessionsPerSecond: 1_000_000 });
  process.stdout.write(`${JSON.stringify({ port: sim.port })}\n`);
  process.stdin.resume();
  process.stdin.on('end', () => {
    void sim.close().then(() => process.exit(0));
  });
}

function percentile(values: number[], p: number): number {
  return nearestRank(Float64Array.from(values).sort(), p) ?? Number.NaN;
}

async function runRate(pool: Pool, target: number, options: Required<OriginatorBenchOptions>): Promise<OriginatorBenchRow> {
  const calls: OriginatedCall[] = [];
  const offered = Math.round(target * options.seconds);
  const originator = new Originator({
    pool,
    rate: target,
    // Never the bottleneck: the bench measures pacing, not the limit.
    limit: 1_000_000,
    duration: options.hold,
    maxOffered: offered,
    dest: options.dest,
  });
  originator.on('call', (c) => calls.push(c));
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await originator.start();
  await originator.waitForIdle({ timeout: 300_000 });
  const drained = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  await originator.close();
  const offers = calls.map((c) => c.offeredAt).sort((a, b) => a - b);
  const span = offers[offers.length - 1]! - offers[0]!;
  const achieved = span > 0 ? ((offers.length - 1) * 1000) / span : Number.NaN;
  const late = calls.map((c) => c.offeredAt - c.scheduledAt);
  const stats = originator.stats();
  return {
    target,
    offered: calls.length,
    achieved,
    rateErrorPct: ((achieved - target) / target) * 100,
    lateP50Ms: percentile(late, 50),
    lateP99Ms: percentile(late, 99),
    lateMaxMs: Math.max(...late),
    cpuPerCallUs: (cpu.user + cpu.system) / calls.length,
    completed: stats.completed,
    failed: stats.failed,
    lost: stats.lost,
    setupP50Ms: stats.setupLatencyMs.p50,
    setupP99Ms: stats.setupLatencyMs.p99,
    drainedAfterS: drained / 1000,
  };
}

/**
 * The Pacer alone (no originate, no I/O) at `rate` for `seconds`: the timer
 * and scheduling noise of this machine, the floor under the figures above.
 */
export async function benchPacerAlone(rate: number, seconds: number): Promise<{ lateP50Ms: number; lateP99Ms: number; lateMaxMs: number }> {
  const late: number[] = [];
  const pacer = new Pacer({ rate, onSlot: (slot) => late.push(slot.firedAt - slot.scheduledAt) });
  pacer.start();
  await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
  pacer.stop();
  return { lateP50Ms: percentile(late, 50), lateP99Ms: percentile(late, 99), lateMaxMs: Math.max(...late) };
}

export async function benchOriginator(options: OriginatorBenchOptions = {}): Promise<OriginatorBenchRow[]> {
  const o: Required<OriginatorBenchOptions> = {
    rates: options.rates ?? [100, 500, 2000],
    seconds: options.seconds ?? 3,
    sims: options.sims ?? 2,
    dest: options.dest ?? 'loopback/answer/switchyard',
    hold: options.hold ?? 0.1,
  };
  const children = await Promise.all(Array.from({ length: o.sims }, spawnSim));
  const pool = new Pool(children.map((c) => ({ host: '127.0.0.1', port: c.port })));
  const rows: OriginatorBenchRow[] = [];
  try {
    await pool.connect();
    // Warm-up: JIT and connections, not measured.
    await runRate(pool, 100, { ...o, seconds: 1 });
    for (const rate of o.rates) rows.push(await runRate(pool, rate, o));
  } finally {
    await pool.close();
    for (const c of children) c.child.stdin?.end();
  }
  return rows;
}

function print(rows: readonly OriginatorBenchRow[], o: OriginatorBenchOptions): void {
  const f = (n: number | null, d = 2): string => (n === null || Number.isNaN(n) ? '-' : n.toFixed(d));
  process.stdout.write(
    `Originator pacing (dest ${o.dest ?? 'loopback/answer/switchyard'}, ${o.sims ?? 2} simulator processes, ${o.seconds ?? 3} s per rate)\n`,
  );
  process.stdout.write(
    'target/s  offered  achieved/s  error%   late p50  late p99  late max  cpu/call µs  completed/failed/lost  setup p50/p99 ms  drained s\n',
  );
  for (const r of rows) {
    process.stdout.write(
      `${String(r.target).padStart(8)}  ${String(r.offered).padStart(7)}  ${f(r.achieved).padStart(10)}  ${f(r.rateErrorPct, 3).padStart(6)}  ${f(r.lateP50Ms, 3).padStart(8)}  ${f(r.lateP99Ms, 3).padStart(8)}  ${f(r.lateMaxMs, 1).padStart(8)}  ${f(r.cpuPerCallUs, 0).padStart(11)}  ${`${r.completed}/${r.failed}/${r.lost}`.padStart(21)}  ${`${f(r.setupP50Ms, 1)}/${f(r.setupP99Ms, 1)}`.padStart(16)}  ${f(r.drainedAfterS, 1).padStart(9)}\n`,
    );
  }
}

if (process.env[SIM_CHILD] === '1') {
  await runSimChild();
} else if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const env = process.env;
  const options: OriginatorBenchOptions = {
    ...(env.BENCH_RATES ? { rates: env.BENCH_RATES.split(',').map(Number) } : {}),
    ...(env.BENCH_SECONDS ? { seconds: Number(env.BENCH_SECONDS) } : {}),
    ...(env.BENCH_SIMS ? { sims: Number(env.BENCH_SIMS) } : {}),
    ...(env.BENCH_DEST ? { dest: env.BENCH_DEST } : {}),
    ...(env.BENCH_HOLD ? { hold: Number(env.BENCH_HOLD) } : {}),
  };
  const rows = await benchOriginator(options);
  print(rows, options);
  const f = (n: number): string => n.toFixed(3);
  for (const rate of options.rates ?? [100, 500, 2000]) {
    const alone = await benchPacerAlone(rate, options.seconds ?? 3);
    process.stdout.write(
      `pacer alone at ${rate}/s (no I/O: this machine's timer noise): late p50 ${f(alone.lateP50Ms)} p99 ${f(alone.lateP99Ms)} max ${f(alone.lateMaxMs)} ms\n`,
    );
  }
}
