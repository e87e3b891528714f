/**
 * Firehose: the events of N loopback calls (originate, park, answer, park,
 * hangup, destroy: the recorded sequence, 43 events a call) generated as fast
 * as the subscribers' sockets take them, for benchmarking clients. No timers
 * and no channel table: each call is built and torn down at once, and
 * generation pauses whenever a listener's socket asks to drain.
 */
import { randomUUID } from 'node:crypto';
import type { EventFormat } from '../protocol/names.js';
import { SimChannel } from './channel.js';
import { nowMicros } from './clock.js';
import { type EventOrigin, SimEvent } from './event.js';
import { codecVariables, fireCodecEvents, L16, OUTGOING_ORIGIN, originatedCallerId, profileFor } from './endpoints/loopback.js';
import type { SimRuntime } from './runtime.js';
import { createEvents, finishSession } from './session.js';

export interface FirehoseOptions {
  /** How many calls to generate. */
  readonly calls: number;
  /** Called each time generation pauses because a subscriber's socket is full. */
  readonly onBackpressure?: () => void;
}

export interface FirehoseResult {
  readonly calls: number;
  readonly events: number;
  readonly elapsedMs: number;
}

/** A listener as the firehose sees it: whether it must wait, and for what. */
export interface DrainableSink {
  readonly needsDrain: boolean;
  waitDrain(): Promise<void>;
}

const EXEC: EventOrigin = { file: 'switch_core_session.c', func: 'switch_core_session_exec', line: 2949 };
const EXEC_DONE: EventOrigin = { file: 'switch_core_session.c', func: 'switch_core_session_exec', line: 2972 };
const PARK: EventOrigin = { file: 'switch_ivr.c', func: 'switch_ivr_park', line: 1002 };
const UNPARK: EventOrigin = { file: 'switch_ivr.c', func: 'switch_ivr_park', line: 1213 };
const FLIP: EventOrigin = { file: 'switch_channel.c', func: 'switch_channel_flip_cid', line: 3279 };
const KILL: EventOrigin = { file: 'switch_ivr.c', func: 'switch_ivr_kill_uuid', line: 4404 };
const DONE: EventOrigin = { file: 'switch_core.c', func: 'sim_firehose', line: 1 };
/** Yield to I/O this often even when no socket is full, so commands are still served. */
const YIELD_EVERY_CALLS = 64;

function parkEvents(ch: SimChannel, appUuid: string): void {
  ch.setStateNumber('CS_EXECUTE');
  ch.enterState('CS_EXECUTE');
  ch.setVar('call_uuid', ch.callUuid);
  ch.setVar('current_application', 'park');
  ch.fire('CHANNEL_EXECUTE', EXEC, { post: [['Application', 'park'], ['Application-UUID', appUuid]] });
  ch.fire('CHANNEL_PARK', PARK);
}

function unparkEvents(ch: SimChannel, appUuid: string): void {
  ch.fire('CHANNEL_UNPARK', UNPARK);
  ch.fire('CHANNEL_EXECUTE_COMPLETE', EXEC_DONE, {
    post: [['Application', 'park'], ['Application-Response', '_none_'], ['Application-UUID', appUuid]],
  });
}

/** One whole loopback call, synchronously; returns the uuids it used (legs, then applications). */
function syntheticCall(sim: SimRuntime, n: number): string[] {
  const core = sim.core;
  const data = 'park/switchyard';
  const a = new SimChannel(core, { name: `loopback/${data}-a`, direction: 'outbound', hitDialplan: false });
  const cid = {
    ...originatedCallerId('firehose', String(1000 + (n % 9000)), data),
    destinationNumber: 'park',
    source: 'mod_loopback',
    context: 'switchyard',
    dialplan: 'xml',
  };
  fireCodecEvents(a, L16);
  a.name = 'loopback/park-a';
  a.profile = profileFor(a, { direction: 'outbound', ...cid });
  a.setStateNumber('CS_INIT');
  for (const [k, v] of [['direction', 'outbound'], ['is_outbound', 'true'], ['session_id', String(a.sessionId)]]) a.setVar(k!, v!);
  codecVariables(a, L16);
  a.setVar('channel_name', a.name);
  a.setVar('uuid', a.uuid);
  a.setVar('call_uuid', a.callUuid);
  a.fire('CHANNEL_OUTGOING', OUTGOING_ORIGIN);
  a.enterState('CS_INIT');
  const b = new SimChannel(core, { name: 'loopback/park-b', direction: 'inbound', hitDialplan: true });
  fireCodecEvents(b, L16);
  b.profile = profileFor(b, { direction: 'inbound', ...cid });
  for (const [k, v] of [['direction', 'inbound'], ['uuid', b.uuid], ['call_uuid', b.uuid], ['session_id', String(b.sessionId)], ['channel_name', b.name]]) {
    b.setVar(k!, v!);
  }
  codecVariables(b, L16);
  a.setVar('other_loopback_leg_uuid', b.uuid);
  a.setVar('loopback_leg', 'A');
  b.setVar('other_loopback_leg_uuid', a.uuid);
  b.setVar('loopback_leg', 'B');
  createEvents(a, true);
  a.enterState('CS_ROUTING');
  a.enterState('CS_CONSUME_MEDIA');
  b.enterState('CS_INIT');
  createEvents(b, false);
  b.runningState = 'CS_ROUTING';
  b.setCallState('RINGING');
  b.enterState('CS_ROUTING');
  const bApp = randomUUID();
  parkEvents(b, bApp);
  b.markAnswered();
  a.markAnswered();
  a.setVar('endpoint_disposition', 'ANSWER');
  a.flipCallerId();
  a.fire('CALL_UPDATE', FLIP, { pre: [['Direction', 'RECV']] });
  const aApp = randomUUID();
  parkEvents(a, aApp);
  a.hangup('NORMAL_CLEARING', KILL);
  unparkEvents(a, aApp);
  void finishSession(a);
  b.hangup('NORMAL_CLEARING', KILL);
  unparkEvents(b, bApp);
  void finishSession(b);
  return [a.uuid, b.uuid, aApp, bApp];
}

export async function runFirehose(
  sim: SimRuntime,
  sinks: () => Iterable<DrainableSink>,
  options: FirehoseOptions,
): Promise<FirehoseResult> {
  const started = performance.now();
  const before = sim.core.firedCount;
  const templates = new TemplateCalls(sim);
  let calls = 0;
  while (calls < options.calls && !sim.core.closed) {
    templates.emitCall(calls);
    calls++;
    const blocked = [...sinks()].filter((s) => s.needsDrain);
    if (blocked.length > 0) {
      options.onBackpressure?.();
      await Promise.all(blocked.map((s) => s.waitDrain()));
    } else if (calls % YIELD_EVERY_CALLS === 0) {
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }
  const result = { calls, events: sim.core.firedCount - before, elapsedMs: Math.round(performance.now() - started) };
  const done = sim.core.createEvent('CUSTOM', DONE, 'sim::firehose');
  done.headers.push(
    ['Firehose-Calls', String(result.calls)],
    ['Firehose-Events', String(result.events)],
    ['Firehose-Elapsed-MS', String(result.elapsedMs)],
  );
  sim.core.fire(done);
  return result;
}

/** Where, in one encoded frame, the values that change from call to call are. */
interface FramePatch {
  readonly bytes: Buffer;
  /** Per template uuid, the offsets of its occurrences. */
  readonly uuidOffsets: readonly (readonly number[])[];
  readonly seqOffset: number;
  readonly stampOffset: number;
}

const KEYS: Record<EventFormat, (name: string) => string> = {
  plain: (name) => `\n${name}: `,
  json: (name) => `"${name}":"`,
  xml: (name) => `<${name}>`,
};

function findValue(bytes: Buffer, format: EventFormat, name: string): number {
  const key = KEYS[format](name);
  const at = bytes.indexOf(key);
  return at < 0 ? -1 : at + Buffer.byteLength(key);
}

function offsetsOf(bytes: Buffer, needle: string): number[] {
  const out: number[] = [];
  for (let at = bytes.indexOf(needle); at >= 0; at = bytes.indexOf(needle, at + needle.length)) out.push(at);
  return out;
}

/**
 * Encoding ~100 headers an event costs more than a client takes to parse it,
 * so each call after the first of a second is a copy of that "template" call's
 * encoded frames with fresh uuids, Event-Sequence and Event-Date-Timestamp
 * written in place (same widths, so every Content-Length still holds). The
 * template is rebuilt every second (Event-Date-Local/GMT) and whenever the
 * sequence numbers grow a digit.
 */
class TemplateCalls {
  readonly #sim: SimRuntime;
  #events: SimEvent[] = [];
  #uuids: string[] = [];
  #second = -1;
  #seqWidth = 0;
  readonly #patches = new Map<SimEvent, Partial<Record<EventFormat, FramePatch>>>();

  constructor(sim: SimRuntime) {
    this.#sim = sim;
  }

  emitCall(n: number): void {
    const core = this.#sim.core;
    const now = nowMicros();
    if (Math.floor(now / 1_000_000) !== this.#second) {
      this.#rebuild(n);
      return;
    }
    const count = this.#events.length;
    const base = core.reserveSequences(count);
    if (String(base).length !== this.#seqWidth || String(base + count - 1).length !== this.#seqWidth) {
      this.#rebuild(n);
      return;
    }
    const uuids = this.#uuids.map(() => randomUUID());
    const map = new Map(this.#uuids.map((u, i) => [u, uuids[i]!]));
    const stamp = String(now);
    this.#events.forEach((template, i) => {
      core.fire(new CopiedEvent(template, map, (format) => this.#patched(template, format, uuids, String(base + i), stamp)));
    });
  }

  /** A real call, fired as is; its events become the template. */
  #rebuild(n: number): void {
    const core = this.#sim.core;
    let uuids: string[] = [];
    this.#events = core.capture(() => {
      uuids = syntheticCall(this.#sim, n);
    });
    this.#uuids = uuids;
    this.#patches.clear();
    const first = this.#events[0]?.get('Event-Sequence') ?? '';
    const last = this.#events[this.#events.length - 1]?.get('Event-Sequence') ?? '';
    this.#seqWidth = first.length === last.length ? first.length : 0;
    this.#second = Math.floor(nowMicros() / 1_000_000);
    for (const e of this.#events) core.fire(e);
  }

  #patched(template: SimEvent, format: EventFormat, uuids: readonly string[], seq: string, stamp: string): Buffer {
    let perFormat = this.#patches.get(template);
    if (!perFormat) {
      perFormat = {};
      this.#patches.set(template, perFormat);
    }
    let patch = perFormat[format];
    if (!patch) {
      const bytes = template.encode(format);
      patch = {
        bytes,
        uuidOffsets: this.#uuids.map((u) => offsetsOf(bytes, u)),
        seqOffset: findValue(bytes, format, 'Event-Sequence'),
        stampOffset: findValue(bytes, format, 'Event-Date-Timestamp'),
      };
      perFormat[format] = patch;
    }
    const out = Buffer.allocUnsafe(patch.bytes.length);
    patch.bytes.copy(out);
    patch.uuidOffsets.forEach((offsets, i) => {
      for (const at of offsets) out.write(uuids[i]!, at, 'latin1');
    });
    if (patch.seqOffset >= 0) out.write(seq, patch.seqOffset, 'latin1');
    if (patch.stampOffset >= 0) out.write(stamp, patch.stampOffset, 'latin1');
    return out;
  }
}

/** A template event seen with this call's uuids (for filters), encoded by patching the template's bytes. */
class CopiedEvent extends SimEvent {
  readonly #map: ReadonlyMap<string, string>;
  readonly #encodeCopy: (format: EventFormat) => Buffer;

  constructor(template: SimEvent, map: ReadonlyMap<string, string>, encode: (format: EventFormat) => Buffer) {
    super(template.name, template.headers, template.subclass, template.body);
    this.#map = map;
    this.#encodeCopy = encode;
  }

  override get(name: string): string | undefined {
    const value = super.get(name);
    return value === undefined ? undefined : (this.#map.get(value) ?? value);
  }

  protected override serialize(format: EventFormat): Buffer {
    return this.#encodeCopy(format);
  }
}
