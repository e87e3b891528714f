/**
 * End-to-end event throughput over TCP, switchyard against modesl and esl,
 * measured in the same run. Every client's handler reads Event-Name and
 * Unique-ID of every event (what any real consumer does at least); all three
 * subscribe with `event plain ALL` (switchyard also with json).
 *
 * 1. replay: a server in its own process (as FreeSWITCH is) streams event
 *    frames recorded from a real FreeSWITCH (../shared/captures), repeated to
 *    N events, as fast as the client's socket takes them.
 * 2. firehose: the simulator, in its own process, generates the events of
 *    loopback calls as fast as the subscriber reads them (src/sim firehose).
 *
 * Two rates per client: events per wall-clock second, and events per second
 * of the client process's own CPU time (steadier on a busy machine).
 *
 *   node --import tsx test/bench/tcp.ts     (BENCH_EVENTS, BENCH_WARM_EVENTS, BENCH_CALLS, BENCH_ROUNDS)
 */

import { type ChildProcess, fork } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Connection } from '../../src/connection/connection.js';
import type { EventFormat } from '../../src/protocol/names.js';
import { forkReplayServer, loadCapturedEvents } from '../support/replay-server.js';

const require = createRequire(import.meta.url);

const PLAIN_CAPTURES = ['burst-hupall', 'loopback-plain', 'sip-call', 'utf8-and-bodies', 'heartbeat', 'bgapi', 'filters-and-log'];
const JSON_CAPTURES = ['loopback-json'];
const FIREHOSE_MARK = 'sim::firehose';
const FIREHOSE_MARK_ENCODED = encodeURIComponent(FIREHOSE_MARK);
const SIM_CHILD_FLAG = '--switchyard-bench-sim-child';

interface Target {
  readonly host: string;
  readonly port: number;
}

interface Rate {
  /** Events per wall-clock second. */
  readonly wall: number;
  /** Events per second of this process's CPU time. */
  readonly cpu: number;
}

/**
 * Runs one client against `target`. `start` triggers the stream once the
 * client is subscribed; the run ends at `total` events, or at the firehose's
 * end marker when `total` is undefined.
 */
type Runner = (target: Target, total: number | undefined, start: () => void) => Promise<Rate>;

/** Where handlers put what they read, so the reads cannot be optimised away. */
export let blackhole = 0;

function meter(total: number | undefined, resolve: (rate: Rate) => void) {
  let count = 0;
  let wall0 = 0;
  let cpu0 = process.cpuUsage();
  const finish = (): void => {
    const wallMs = performance.now() - wall0;
    const cpu = process.cpuUsage(cpu0);
    const cpuMs = (cpu.user + cpu.system) / 1000;
    resolve({ wall: (count * 1000) / wallMs, cpu: (count * 1000) / cpuMs });
  };
  return {
    begin(): void {
      wall0 = performance.now();
      cpu0 = process.cpuUsage();
    },
    /** One event read by a handler. */
    event(name: unknown, uuid: unknown, subclass?: unknown): void {
      // esl hands event-plain values over still percent-encoded
      if (total === undefined && (subclass === FIREHOSE_MARK || subclass === FIREHOSE_MARK_ENCODED)) {
        finish();
        return;
      }
      if (typeof name === 'string') blackhole += name.length;
      if (typeof uuid === 'string') blackhole += 1;
      if (++count === total) finish();
    },
  };
}

const switchyard =
  (format: EventFormat): Runner =>
  async (target, total, start) => {
    const conn = new Connection({ host: target.host, port: target.port, password: 'ClueCon', livenessTimeoutMs: 0 });
    await conn.connect();
    const rate = await new Promise<Rate>((resolve) => {
      const m = meter(total, resolve);
      // Only CUSTOM events have a subclass: asking others for it is a header search that must miss.
      conn.on('event', (event) => m.event(event.name, event.get('Unique-ID'), event.name === 'CUSTOM' ? event.subclass : undefined));
      m.begin();
      void conn.subscribe(['ALL'], format).then(start);
    });
    await conn.close();
    return rate;
  };

interface ModeslEvent {
  getHeader(name: string): string | null | undefined;
}
interface ModeslConnection {
  on(name: string, handler: (...args: never[]) => void): void;
  subscribe(events: string[], cb?: () => void): void;
  disconnect(): void;
}

const modesl: Runner = (target, total, start) =>
  new Promise((resolve, reject) => {
    const esl = require('modesl') as { Connection: new (...args: unknown[]) => ModeslConnection };
    const conn = new esl.Connection(target.host, target.port, 'ClueCon', () => {
      const m = meter(total, (rate) => {
        conn.disconnect();
        resolve(rate);
      });
      // modesl emits esl::event::<Event-Name>::<uuid>; replies share the shape, so check Event-Name
      conn.on('esl::event::*::*', (event: ModeslEvent) => {
        const name = event.getHeader('Event-Name');
        if (name !== null && name !== undefined) m.event(name, event.getHeader('Unique-ID'), event.getHeader('Event-Subclass'));
      });
      m.begin();
      conn.subscribe(['ALL'], start);
    });
    conn.on('error', reject);
  });

const esl =
  (eventNames: readonly string[]): Runner =>
  async (target, total, start) => {
    const { FreeSwitchClient } = await import('esl');
    const silent = { debug: () => {}, info: () => {}, error: () => {} };
    const client = new FreeSwitchClient({ host: target.host, port: target.port, password: 'ClueCon', logger: silent });
    const rate = await new Promise<Rate>((resolve) => {
      client.on('connect', (call) => {
        const m = meter(total, resolve);
        // esl emits each event under its Event-Name: one listener per name
        const handler = (data: { body: Record<string, unknown> }): void =>
          m.event(data.body['Event-Name'], data.body['Unique-ID'], data.body['Event-Subclass']);
        for (const name of eventNames) call.on(name as never, handler as never);
        m.begin();
        void call.send('event plain ALL').then(start);
      });
      client.connect();
    });
    client.end();
    return rate;
  };

function eventNamesOf(frames: readonly Buffer[]): string[] {
  const names = new Set<string>(['CUSTOM']);
  for (const f of frames) {
    const m = /\nEvent-Name: ([A-Z_]+)\n/.exec(f.toString('latin1', 0, 400));
    if (m?.[1] !== undefined) names.add(m[1]);
  }
  return [...names];
}

async function best(run: () => Promise<Rate>, rounds: number): Promise<Rate> {
  let top: Rate = { wall: 0, cpu: 0 };
  for (let i = 0; i < rounds; i++) {
    const r = await run();
    top = { wall: Math.max(top.wall, r.wall), cpu: Math.max(top.cpu, r.cpu) };
  }
  return top;
}

// ---- the simulator in a child process -------------------------------------

interface SimChild {
  readonly target: Target;
  firehose(calls: number): Promise<{ events: number; elapsedMs: number }>;
  close(): Promise<void>;
}

function forkSimulator(): Promise<SimChild> {
  const child: ChildProcess = fork(fileURLToPath(import.meta.url), [SIM_CHILD_FLAG], { execArgv: ['--import', 'tsx'], stdio: 'inherit' });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('message', (message: { port: number }) => {
      resolve({
        target: { host: '127.0.0.1', port: message.port },
        firehose: (calls) =>
          new Promise((done) => {
            child.once('message', done as never);
            child.send({ calls });
          }),
        close: () =>
          new Promise<void>((done) => {
            child.once('exit', () => done());
            child.kill();
          }),
      });
    });
  });
}

async function runSimChild(): Promise<void> {
  const { startSimulator } = await import('../../src/sim/index.js');
  const sim = await startSimulator({ port: 0 });
  process.on('message', (message: { calls: number }) => {
    void sim.firehose({ calls: message.calls }).then((result) => process.send?.(result));
  });
  process.send?.({ port: sim.port });
}

// ---- the benchmark -------------------------------------------------------

export async function benchTcp(): Promise<Record<string, number>> {
  const total = Number(process.env.BENCH_EVENTS ?? 200_000);
  const calls = Number(process.env.BENCH_CALLS ?? 2000);
  const rounds = Number(process.env.BENCH_ROUNDS ?? 2);
  const results: Record<string, number> = {};
  const record = (name: string, rate: Rate): void => {
    results[`${name}_events_per_s`] = Math.round(rate.wall);
    results[`${name}_events_per_cpu_s`] = Math.round(rate.cpu);
  };
  const plainNames = eventNamesOf(loadCapturedEvents('plain', PLAIN_CAPTURES));
  const runners: [string, Runner][] = [
    ['switchyard_plain', switchyard('plain')],
    ['switchyard_json', switchyard('json')],
    ['modesl_plain', modesl],
    ['esl_plain', esl(plainNames)],
  ];

  const replay = await forkReplayServer({ captures: { plain: PLAIN_CAPTURES, json: JSON_CAPTURES }, totalEvents: total });
  try {
    // Warm every implementation so each is measured with its hot code optimised: a few
    // thousand events leave the JIT mid-way, so the first measured round paid for compilation.
    const warmEvents = Number(process.env.BENCH_WARM_EVENTS ?? 50_000);
    const warm = await forkReplayServer({ captures: { plain: PLAIN_CAPTURES, json: JSON_CAPTURES }, totalEvents: warmEvents });
    for (const [, run] of runners) await run(warm, warmEvents, () => undefined);
    await warm.close();
    for (const [name, run] of runners) record(`replay_${name}`, await best(() => run(replay, total, () => undefined), rounds));
  } finally {
    await replay.close();
  }

  const sim = await forkSimulator();
  try {
    for (const [name, run] of runners) {
      if (name === 'switchyard_json') continue; // the firehose compares the three on plain
      let generated = 0;
      const rate = await best(
        () =>
          run(sim.target, undefined, () => {
            void sim.firehose(calls).then((r) => {
              generated = r.events;
            });
          }),
        rounds,
      );
      record(`firehose_${name}`, rate);
      results.firehose_events = generated;
    }
  } finally {
    await sim.close();
  }

  for (const source of ['replay', 'firehose']) {
    const sy = (unit: string) => results[`${source}_switchyard_plain_${unit}`]!;
    results[`${source}_ratio_vs_modesl`] = round2(sy('events_per_s') / results[`${source}_modesl_plain_events_per_s`]!);
    results[`${source}_ratio_vs_esl`] = round2(sy('events_per_s') / results[`${source}_esl_plain_events_per_s`]!);
    results[`${source}_cpu_ratio_vs_modesl`] = round2(sy('events_per_cpu_s') / results[`${source}_modesl_plain_events_per_cpu_s`]!);
    results[`${source}_cpu_ratio_vs_esl`] = round2(sy('events_per_cpu_s') / results[`${source}_esl_plain_events_per_cpu_s`]!);
  }
  results.replay_events = total;
  return results;
}

function round2(n: number): number {
  return Math.round(n * 100) / 100;
}

if (process.argv.includes(SIM_CHILD_FLAG)) {
  void runSimChild();
} else if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  benchTcp().then(
    (results) => {
      console.log('tcp end-to-end, handler reads Event-Name + Unique-ID of every event:');
      for (const [k, v] of Object.entries(results)) console.log(`  ${k.padEnd(44)} ${v.toLocaleString('en-US')}`);
      process.exit(0);
    },
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
