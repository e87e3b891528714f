/**
 * Codec benchmark: events/s parsing the real captures, fed in 64 KiB chunks
 * like TCP reads, for
 * - switchyard: EslParser + EslEvent.fromFrame, reading Event-Name and Unique-ID of each event;
 * - modesl: its Parser (node_modules/modesl/lib/esl/Parser.js) on a fake socket,
 *   reading the same two headers from its Event objects;
 * - esl: its internal parser is not exported, so a FreeSwitchResponse is
 *   driven through a fake socket (it parses every event eagerly);
 * - boundaries: a baseline that only finds frame boundaries (indexOf + Content-Length).
 * All measured in the same run, after a warm-up, median of several runs, in
 * events per second of CPU time (the process's; a loaded machine's wall
 * clock also counts other processes' turns). Every side gets the same
 * 64 KiB chunks and reads Event-Name and Unique-ID of every event (esl
 * parses every header itself, and never delivers event-xml: n/a there).
 *
 * Run alone: node --import tsx test/bench/codec.ts [STREAM...]
 * (STREAM: part of a stream's name, to measure only those, e.g. `json long`).
 */
import { EventEmitter } from 'node:events';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { FreeSwitchResponse } from 'esl';
import { EslEvent } from '../../src/protocol/event.js';
import { EslParser } from '../../src/protocol/parser.js';
import { listCaptures, readCapture } from '../support/captures.js';

const CHUNK = 64 * 1024;
const LONG_TARGET_BYTES = 50 * 1024 * 1024;
/** Captures made mostly of event-plain events (the default format), repeated into the long stream. */
const EVENT_HEAVY = ['burst-hupall', 'loopback-plain', 'sip-call', 'utf8-and-bodies'];

interface Stream {
  name: string;
  chunks: Buffer[];
  bytes: number;
  events: number;
}

type Impl = (chunks: readonly Buffer[]) => number;

const require = createRequire(import.meta.url);
const ModeslParser = require('modesl/lib/esl/Parser.js') as new (socket: EventEmitter) => EventEmitter;

function toChunks(bytes: Buffer): Buffer[] {
  const chunks: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += CHUNK) chunks.push(bytes.subarray(i, i + CHUNK));
  return chunks;
}

/** switchyard: frames, then the two headers every dispatcher reads. */
const switchyard: Impl = (chunks) => {
  let events = 0;
  let sink = 0;
  const parser = new EslParser((frame) => {
    if (frame.contentType.startsWith('text/event-')) {
      const ev = EslEvent.fromFrame(frame);
      sink += ev.name.length + (ev.uuid?.length ?? 0);
      events++;
    }
  });
  for (const c of chunks) parser.write(c);
  return sink >= 0 ? events : -1;
};

interface ModeslEvent {
  getHeader(name: string): unknown;
  headers: unknown[];
}

const modesl: Impl = (chunks) => {
  const socket = new EventEmitter();
  const parser = new ModeslParser(socket);
  let events = 0;
  let sink = 0;
  parser.on('esl::event', (ev: ModeslEvent) => {
    const name = ev.getHeader('Event-Name');
    if (name === null || name === undefined) return;
    sink += String(name).length + String(ev.getHeader('Unique-ID') ?? '').length;
    events++;
  });
  for (const c of chunks) socket.emit('data', c);
  return sink >= 0 ? events : -1;
};

const silent = { debug() {}, info() {}, error() {} };

const esl: Impl = (chunks) => {
  const socket = Object.assign(new EventEmitter(), {
    setKeepAlive() {},
    setNoDelay() {},
    end() {},
    write() {
      return true;
    },
  });
  const res = new FreeSwitchResponse(socket as never, silent as never);
  for (const c of chunks) socket.emit('data', c);
  return Number(res.stats.events);
};

const CL = Buffer.from('Content-Length: ');

/** Only the frame boundaries: the least any parser must do. */
const boundaries: Impl = (chunks) => {
  let pending: Buffer = Buffer.alloc(0);
  let events = 0;
  for (const c of chunks) {
    const buf = pending.length === 0 ? c : Buffer.concat([pending, c]);
    let pos = 0;
    for (;;) {
      const end = buf.indexOf('\n\n', pos);
      if (end < 0) break;
      const cl = buf.indexOf(CL, pos);
      let length = 0;
      if (cl >= 0 && cl < end) {
        for (let i = cl + CL.length; buf[i] !== 0x0a; i++) length = length * 10 + buf[i]! - 0x30;
      }
      if (end + 2 + length > buf.length) break;
      if (buf[pos] === 0x43 && buf[pos + 8] === 0x4c) events++; // "Content-Length" first: an event frame
      pos = end + 2 + length;
    }
    pending = buf.subarray(pos);
  }
  return events;
};

const IMPLS: Record<string, Impl> = { switchyard, modesl, esl, boundaries };

function streams(): Stream[] {
  const list: Stream[] = [];
  for (const name of listCaptures()) {
    const bytes = readCapture(name).in;
    const events = switchyard(toChunks(bytes));
    if (events > 0) list.push({ name, chunks: toChunks(bytes), bytes: bytes.length, events });
  }
  const unit = Buffer.concat(EVENT_HEAVY.map((n) => readCapture(n).in));
  const long = Buffer.concat(Array.from({ length: Math.ceil(LONG_TARGET_BYTES / unit.length) }, () => unit));
  list.push({ name: 'long (~50 MB)', chunks: toChunks(long), bytes: long.length, events: switchyard(toChunks(long)) });
  return list;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/** CPU time of this process in ms: on a shared machine wall time counts other processes' turns too. */
function cpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

/** One sample: events per CPU second of `impl` on `stream`, repeating it for at least `minMs`. */
function sample(impl: Impl, stream: Stream, minMs: number): number {
  let events = 0;
  const t0 = cpuMs();
  let elapsed = 0;
  do {
    events += impl(stream.chunks);
    elapsed = cpuMs() - t0;
  } while (elapsed < minMs || elapsed === 0);
  return (events / elapsed) * 1000;
}

/**
 * Median events/s of every implementation on one stream. The samples are
 * interleaved (one of each in turn) so that a busy machine slows all alike.
 */
function measureAll(stream: Stream, runs: number, minMs: number): Record<string, number> {
  const names = Object.keys(IMPLS);
  for (const name of names) sample(IMPLS[name]!, stream, minMs); // warm-up
  const rates: Record<string, number[]> = Object.fromEntries(names.map((n) => [n, []]));
  for (let r = 0; r < runs; r++) {
    for (const name of names) rates[name]!.push(sample(IMPLS[name]!, stream, minMs));
  }
  return Object.fromEntries(names.map((n) => [n, median(rates[n]!)]));
}

export async function benchCodec(only: readonly string[] = []): Promise<Record<string, number>> {
  const list = streams().filter((s) => only.length === 0 || only.some((part) => s.name.includes(part)));
  const results: Record<string, number> = {};
  for (const stream of list) {
    const isLong = stream.name.startsWith('long');
    const rates = measureAll(stream, isLong ? 3 : 7, isLong ? 0 : 60);
    for (const [name, rate] of Object.entries(rates)) results[`${stream.name}.${name}.events_per_s`] = Math.round(rate);
    results[`${stream.name}.ratio_vs_modesl`] = rates.switchyard! / rates.modesl!;
    results[`${stream.name}.ratio_vs_esl`] = rates.esl! > 0 ? rates.switchyard! / rates.esl! : Number.NaN;
    results[`${stream.name}.ratio_vs_boundaries`] = rates.switchyard! / rates.boundaries!;
    results[`${stream.name}.events`] = stream.events;
    results[`${stream.name}.bytes`] = stream.bytes;
  }
  return results;
}

function printTable(results: Record<string, number>): void {
  const names = [...new Set(Object.keys(results).map((k) => k.split('.').slice(0, -2).join('.') || k.split('.')[0]!))];
  const rows = names
    .filter((n) => results[`${n}.events`] !== undefined)
    .map((n) => ({
      stream: n,
      events: results[`${n}.events`],
      'switchyard ev/s': results[`${n}.switchyard.events_per_s`],
      'modesl ev/s': results[`${n}.modesl.events_per_s`],
      'esl ev/s': results[`${n}.esl.events_per_s`],
      'boundaries ev/s': results[`${n}.boundaries.events_per_s`],
      'x modesl': Number(results[`${n}.ratio_vs_modesl`]!.toFixed(1)),
      'x esl': Number.isNaN(results[`${n}.ratio_vs_esl`]) ? 'n/a' : Number(results[`${n}.ratio_vs_esl`]!.toFixed(1)),
      'of boundaries': Number(results[`${n}.ratio_vs_boundaries`]!.toFixed(2)),
    }));
  console.table(rows);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  benchCodec(process.argv.slice(2)).then(printTable, (err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  });
}
