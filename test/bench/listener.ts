/**
 * EventListener benchmark: how many calls per second it tracks, how much
 * memory a tracked session costs, and whether memory stays flat over many
 * calls. Reference: switchio's documented load-test figures (250 calls/s,
 * 1,000 concurrent calls per FreeSWITCH).
 *
 *   node --expose-gc --import tsx test/bench/listener.ts
 *   BENCH_CALLS=50000 BENCH_MEMORY_SESSIONS=50000 BENCH_FLAT_CALLS=1000000 BENCH_TCP_CALLS=20000
 *
 * In process: the events of the recorded loopback call (loopback-plain, the
 * events the listener subscribes to, in their recorded order) replayed with
 * fresh uuids through a fake connection, 1,000 calls overlapping, each with
 * its originate Job registered first. Over TCP: the simulator's firehose into
 * a real Connection (both in this process, so the rate includes generating).
 */

import { pathToFileURL } from 'node:url';
import { Client } from '../../src/client/client.js';
import { EventListener } from '../../src/listener/listener.js';
import { MODEL_EVENTS } from '../../src/listener/handlers.js';
import { Job } from '../../src/models/job.js';
import { EslEvent } from '../../src/protocol/event.js';
import type { Frame } from '../../src/protocol/frame.js';
import { EslParser } from '../../src/protocol/parser.js';
import { startSimulator } from '../../src/sim/index.js';
import { readCapture } from '../support/captures.js';
import { FakeConnection } from '../support/fake-connection.js';

const RECORDED = { a: '7c1f67c0-ac1a-49e1-94b0-df184ff67a73', b: '629fe3af-832e-4e56-8159-b421a0819235', job: 'b674c058-9f5a-49b6-8fd9-3e3bc06be4b4' };
const OVERLAP = 1000;
/**
 * Calls fed per event-loop turn. A real Connection hands events over in
 * batches (256 frames a turn) and microtasks (promise reactions: settled
 * Jobs) run between them; a loop that never yields would only pile them up.
 */
const CALLS_PER_TURN = 16;

const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

interface Template {
  readonly body: Buffer;
  /** Byte offsets of each recorded uuid, to overwrite with the call's own. */
  readonly at: { readonly a: number[]; readonly b: number[]; readonly job: number[] };
}

interface CallTemplate {
  /** Up to the a-leg parked after the answer (the BACKGROUND_JOB included). */
  readonly setup: readonly Template[];
  /** Hangup to destroy. */
  readonly teardown: readonly Template[];
}

function offsets(body: Buffer, uuid: string): number[] {
  const out: number[] = [];
  for (let i = body.indexOf(uuid, 0, 'latin1'); i >= 0; i = body.indexOf(uuid, i + 1, 'latin1')) out.push(i);
  return out;
}

/** The recorded call's events the listener subscribes to, split where the call is up. */
export function loopbackCallTemplate(): CallTemplate {
  const frames: Frame[] = [];
  new EslParser((f) => frames.push(f)).write(readCapture('loopback-plain').in);
  const subscribed = new Set(MODEL_EVENTS);
  const templates: Template[] = [];
  for (const frame of frames) {
    if (frame.contentType !== 'text/event-plain' || frame.body === undefined) continue;
    const event = EslEvent.fromFrame(frame);
    if (!subscribed.has(event.name)) continue;
    const body = Buffer.from(frame.body);
    const at = { a: offsets(body, RECORDED.a), b: offsets(body, RECORDED.b), job: offsets(body, RECORDED.job) };
    if (at.a.length + at.b.length + at.job.length === 0) continue;
    templates.push({ body, at });
  }
  const names = templates.map((t) => EslEvent.fromFrame({ contentType: 'text/event-plain', headers: {}, body: t.body }).name);
  const split = names.indexOf('CHANNEL_HANGUP');
  return { setup: templates.slice(0, split), teardown: templates.slice(split) };
}

function uuidOf(kind: number, n: number): string {
  const hex = n.toString(16).padStart(12, '0');
  return `${kind.toString(16).padStart(8, '0')}-0000-4000-8000-${hex}`;
}

interface Feeder {
  readonly fake: FakeConnection;
  readonly listener: EventListener;
  jobsDone: number;
  setup(n: number): void;
  teardown(n: number): void;
}

/**
 * One buffer per phase of a call, each event a view of it, as a socket read
 * of several events hands them over (the parser's frames are views of the
 * chunk they were read in).
 */
function emitPhase(fake: FakeConnection, phase: readonly Template[], a: string, b: string, job: string): void {
  let size = 0;
  for (const t of phase) size += t.body.length;
  const chunk = Buffer.allocUnsafeSlow(size);
  let at = 0;
  const views: Buffer[] = [];
  for (const t of phase) {
    t.body.copy(chunk, at);
    for (const i of t.at.a) chunk.write(a, at + i, 'latin1');
    for (const i of t.at.b) chunk.write(b, at + i, 'latin1');
    for (const i of t.at.job) chunk.write(job, at + i, 'latin1');
    views.push(chunk.subarray(at, at + t.body.length));
    at += t.body.length;
  }
  for (const body of views) fake.emitEvent(EslEvent.fromFrame({ contentType: 'text/event-plain', headers: {}, body }));
}

async function feeder(template: CallTemplate, compactAfterMs?: number): Promise<Feeder> {
  const fake = new FakeConnection();
  const listener = new EventListener({
    connection: fake,
    syncOnConnect: false,
    ...(compactAfterMs === undefined ? {} : { compactAfterMs }),
  });
  await listener.connect();
  const state: Feeder = {
    fake,
    listener,
    jobsDone: 0,
    setup(n) {
      const [a, b, job] = [uuidOf(0xa, n), uuidOf(0xb, n), uuidOf(0xc, n)];
      const settled = listener.jobSettled;
      listener.registerJob(
        new Job({
          uuid: job,
          command: 'originate',
          sessUuid: a,
          timeoutMs: 120_000,
          onSettle: (j) => {
            if (j.state === 'done') state.jobsDone++;
            settled(j);
          },
        }),
      );
      emitPhase(fake, template.setup, a, b, job);
    },
    teardown(n) {
      const [a, b, job] = [uuidOf(0xa, n), uuidOf(0xb, n), uuidOf(0xc, n)];
      emitPhase(fake, template.teardown, a, b, job);
    },
  };
  return state;
}

interface Throughput {
  readonly calls: number;
  readonly events: number;
  readonly elapsedMs: number;
  readonly callsPerSecond: number;
  readonly eventsPerSecond: number;
  /** Calls per second of this process's CPU time (user + system): the rate on a quiet core. */
  readonly callsPerCpuSecond: number;
  /** Sessions never tracked through answer and hangup, plus jobs not settled `done`. */
  readonly missed: number;
}

async function measureThroughput(template: CallTemplate, calls: number): Promise<Throughput> {
  const f = await feeder(template);
  const started = performance.now();
  const cpu = process.cpuUsage();
  for (let n = 0; n < calls + OVERLAP; n++) {
    if (n < calls) f.setup(n);
    if (n >= OVERLAP) f.teardown(n - OVERLAP);
    if (n % CALLS_PER_TURN === 0) await turn();
  }
  const elapsedMs = performance.now() - started;
  const used = process.cpuUsage(cpu);
  const cpuMs = (used.user + used.system) / 1000;
  const missed =
    2 * calls - f.listener.countAnswered() + (calls - f.jobsDone) + f.listener.countSessions() + f.listener.countCalls();
  const events = calls * (template.setup.length + template.teardown.length);
  return {
    calls,
    events,
    elapsedMs: Math.round(elapsedMs),
    callsPerSecond: Math.round(calls / (elapsedMs / 1000)),
    eventsPerSecond: Math.round(events / (elapsedMs / 1000)),
    callsPerCpuSecond: Math.round(calls / (cpuMs / 1000)),
    missed,
  };
}

function gc(): void {
  const collect = (globalThis as { gc?: () => void }).gc;
  if (collect === undefined) throw new Error('run with node --expose-gc to measure memory');
  collect();
  collect();
}

function memory(): { heap: number; buffers: number } {
  gc();
  const m = process.memoryUsage();
  return { heap: m.heapUsed, buffers: m.arrayBuffers };
}

interface SessionMemory {
  readonly sessions: number;
  /** Once the sessions have been quiet (compacted), which is how calls that are up spend their time. */
  readonly bytesPerSession: number;
  readonly heapPerSession: number;
  readonly buffersPerSession: number;
  /** Right after their last event, still holding it. */
  readonly activeBytesPerSession: number;
  /** Bytes left per session after every call ended (should be ~0). */
  readonly leftPerSession: number;
}

async function measureSessionMemory(template: CallTemplate, sessions: number): Promise<SessionMemory> {
  // Compaction by hand, after measuring the sessions still holding their events.
  const f = await feeder(template, 0);
  const calls = Math.ceil(sessions / 2);
  const before = memory();
  for (let n = 0; n < calls; n++) {
    f.setup(n);
    if (n % CALLS_PER_TURN === 0) await turn();
  }
  await turn();
  const active = memory();
  f.listener.compactSessions();
  const up = memory();
  if (f.listener.countSessions() !== calls * 2) throw new Error(`expected ${calls * 2} sessions, tracked ${f.listener.countSessions()}`);
  for (let n = 0; n < calls; n++) {
    f.teardown(n);
    if (n % CALLS_PER_TURN === 0) await turn();
  }
  await turn();
  const after = memory();
  const n = calls * 2;
  const heap = (up.heap - before.heap) / n;
  const buffers = (up.buffers - before.buffers) / n;
  return {
    sessions: n,
    bytesPerSession: Math.round(heap + buffers),
    heapPerSession: Math.round(heap),
    buffersPerSession: Math.round(buffers),
    activeBytesPerSession: Math.round((active.heap + active.buffers - before.heap - before.buffers) / n),
    leftPerSession: Math.round((after.heap + after.buffers - before.heap - before.buffers) / n),
  };
}

interface Flatness {
  readonly calls: number;
  /** [calls so far, heap+buffers MB after a full gc]. */
  readonly samples: ReadonlyArray<readonly [number, number]>;
  /** Last sample minus the first (after warm-up), MB. */
  readonly growthMb: number;
}

async function measureFlatness(template: CallTemplate, calls: number): Promise<Flatness> {
  const f = await feeder(template);
  const every = Math.max(OVERLAP, Math.floor(calls / 10));
  const samples: Array<readonly [number, number]> = [];
  const sample = (n: number): void => {
    const m = memory();
    samples.push([n, Math.round(((m.heap + m.buffers) / 1024 / 1024) * 10) / 10]);
  };
  for (let n = 0; n < calls + OVERLAP; n++) {
    if (n < calls) f.setup(n);
    if (n >= OVERLAP) f.teardown(n - OVERLAP);
    if (n % CALLS_PER_TURN === 0) await turn();
    if (n > 0 && n % every === 0) sample(n);
  }
  await turn();
  const steady = samples.slice();
  sample(calls + OVERLAP);
  // Growth while calls flow (the last sample, after every call ended, is lower by design).
  const first = steady[0]?.[1] ?? 0;
  const last = steady.at(-1)?.[1] ?? 0;
  return { calls, samples, growthMb: Math.round((last - first) * 10) / 10 };
}

interface TcpThroughput {
  readonly calls: number;
  readonly events: number;
  readonly elapsedMs: number;
  readonly callsPerSecond: number;
  readonly missed: number;
}

async function measureTcp(calls: number): Promise<TcpThroughput | { readonly skipped: string }> {
  const sim = await startSimulator({ port: 0 });
  if (typeof (sim as { firehose?: unknown }).firehose !== 'function') {
    await sim.close();
    return { skipped: 'the simulator has no firehose' };
  }
  const listener = new EventListener({ host: sim.host, port: sim.port, events: ['sim::firehose'] });
  const client = new Client({ host: sim.host, port: sim.port, listener });
  try {
    await client.connect();
    let finished!: () => void;
    const done = new Promise<void>((resolve) => {
      finished = resolve;
    });
    await client.loadApp({ name: 'FirehoseEnd', handlers: { 'sim::firehose': () => finished() } });
    const started = performance.now();
    const generated = await sim.firehose({ calls });
    await done;
    const elapsedMs = performance.now() - started;
    const hungUp = listener.hangupCauses().NORMAL_CLEARING ?? 0;
    return {
      calls: generated.calls,
      events: generated.events,
      elapsedMs: Math.round(elapsedMs),
      callsPerSecond: Math.round(generated.calls / (elapsedMs / 1000)),
      missed: 2 * calls - listener.countAnswered() + (2 * calls - hungUp) + listener.countSessions(),
    };
  } finally {
    await client.close();
    await sim.close();
  }
}

export interface ListenerBenchOptions {
  readonly calls?: number;
  readonly memorySessions?: number;
  readonly flatCalls?: number;
  readonly tcpCalls?: number;
}

export interface ListenerBenchResult {
  readonly inProcess: Throughput;
  readonly memory: SessionMemory;
  readonly flat: Flatness;
  readonly tcp: TcpThroughput | { readonly skipped: string };
  readonly reference: { readonly switchio: { readonly callsPerSecond: 250; readonly concurrentCalls: 1000 } };
}

export async function benchListener(options: ListenerBenchOptions = {}): Promise<ListenerBenchResult> {
  const template = loopbackCallTemplate();
  await measureThroughput(template, 5000); // warm-up
  const inProcess = await measureThroughput(template, options.calls ?? 50_000);
  const mem = await measureSessionMemory(template, options.memorySessions ?? 50_000);
  const flat = await measureFlatness(template, options.flatCalls ?? 1_000_000);
  const tcp = await measureTcp(options.tcpCalls ?? 20_000);
  return { inProcess, memory: mem, flat, tcp, reference: { switchio: { callsPerSecond: 250, concurrentCalls: 1000 } } };
}

function envNumber(name: string): number | undefined {
  const v = process.env[name];
  return v === undefined ? undefined : Number(v);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const options: ListenerBenchOptions = {
    ...(envNumber('BENCH_CALLS') === undefined ? {} : { calls: envNumber('BENCH_CALLS')! }),
    ...(envNumber('BENCH_MEMORY_SESSIONS') === undefined ? {} : { memorySessions: envNumber('BENCH_MEMORY_SESSIONS')! }),
    ...(envNumber('BENCH_FLAT_CALLS') === undefined ? {} : { flatCalls: envNumber('BENCH_FLAT_CALLS')! }),
    ...(envNumber('BENCH_TCP_CALLS') === undefined ? {} : { tcpCalls: envNumber('BENCH_TCP_CALLS')! }),
  };
  const r = await benchListener(options);
  const tcp = 'skipped' in r.tcp ? `skipped: ${r.tcp.skipped}` : `${r.tcp.callsPerSecond} calls/s, ${r.tcp.missed} missed (${r.tcp.calls} calls, ${r.tcp.events} events)`;
  const ok = (pass: boolean) => (pass ? 'ok' : 'MISSED');
  console.log(`EventListener benchmark (load average ${(await import('node:os')).loadavg()[0]!.toFixed(1)})`);
  console.log(
    `  in process : ${r.inProcess.callsPerSecond} calls/s (${r.inProcess.eventsPerSecond} events/s; ${r.inProcess.callsPerCpuSecond} per CPU second), ${r.inProcess.missed} missed` +
      ` over ${r.inProcess.calls} calls — goal >= 5,000 calls/s, 0 missed: ${ok(r.inProcess.callsPerSecond >= 5000 && r.inProcess.missed === 0)}` +
      ` — ${(r.inProcess.callsPerSecond / 250).toFixed(0)}x switchio's 250 calls/s`,
  );
  console.log(`  over TCP   : ${tcp}`);
  console.log(
    `  memory     : ${r.memory.bytesPerSession} B per session at ${r.memory.sessions} sessions (heap ${r.memory.heapPerSession} B + buffers ${r.memory.buffersPerSession} B),` +
      ` ${r.memory.activeBytesPerSession} B while still holding their last event,` +
      ` ${r.memory.leftPerSession} B left after they ended — goal <= 4096 B: ${ok(r.memory.bytesPerSession <= 4096)}` +
      ` — ${(r.memory.sessions / 2 / 1000).toFixed(0)}x switchio's 1,000 concurrent calls`,
  );
  console.log(
    `  flat heap  : ${r.flat.growthMb} MB growth over ${r.flat.calls} calls (${r.flat.samples.map(([n, mb]) => `${n}:${mb}MB`).join(' ')})` +
      ` — ${ok(Math.abs(r.flat.growthMb) < 8)}`,
  );
}
