/**
 * uuid_bridge and uuid_transfer: state changes asked of a channel from
 * outside, run by its own session thread once its application has let go
 * (SimChannel.divert).
 *
 * uuid_bridge follows switch_ivr_bridge.c: switch_ivr_uuid_bridge sets
 * bridge_channel / bridge_uuid / signal_bond on both legs and sends both to
 * CS_HIBERNATE; uuid_bridge_on_hibernate moves them to CS_RESET and the
 * originator to CS_SOFT_EXECUTE, where uuid_bridge_on_soft_execute brings the
 * other one to CS_SOFT_EXECUTE, fires a CHANNEL_EXECUTE `uuid_bridge` for
 * each and runs switch_ivr_multi_threaded_bridge: the originatee goes to
 * CS_EXCHANGE_MEDIA, the originator fires CHANNEL_BRIDGE (Bridge-A/B-Unique-ID,
 * Other-Type originatee, Other-Leg-*). When one side hangs up the originator
 * fires CHANNEL_UNBRIDGE; a surviving originatee is hung up
 * (audio_bridge_on_exchange_media), a surviving originator goes back to
 * CS_EXECUTE and the rest of its extension (or hangs up with the other's cause
 * when hangup_after_bridge is true).
 *
 * uuid_transfer follows switch_ivr.c switch_ivr_session_transfer: the new
 * destination and context, CS_ROUTING, the dialplan again. uuid_park follows
 * switch_ivr_park_session: CS_PARK, where the state machine parks the channel
 * without running an application (no CHANNEL_EXECUTE).
 */
import { park } from './apps.js';
import type { SimChannel } from './channel.js';
import { nowMicros } from './clock.js';
import { route } from './dialplan.js';
import type { EventOrigin } from './event.js';
import type { SimRuntime } from './runtime.js';
import { runApps } from './session.js';

const SOFT_EXECUTE_ORIGIN: EventOrigin = { file: 'switch_ivr_bridge.c', func: 'uuid_bridge_on_soft_execute', line: 1005 };
const BRIDGE_ORIGIN: EventOrigin = { file: 'switch_ivr_bridge.c', func: 'switch_ivr_multi_threaded_bridge', line: 1670 };
/** How long the first leg waits for the other to reach CS_RESET (uuid_bridge_on_soft_execute's loop). */
const BRIDGE_WAIT_MS = 20_000;
const UNBRIDGE_ORIGIN: EventOrigin = { file: 'switch_ivr_bridge.c', func: 'audio_bridge_thread', line: 1102 };

/** Shared by the two legs' threads: the bridge starts when both have arrived. */
interface PendingBridge {
  readonly originator: SimChannel;
  readonly originatee: SimChannel;
  arrived: number;
  readonly started: Promise<boolean>;
  start(ok: boolean): void;
}

/**
 * switch_ivr_uuid_bridge: false when either leg is missing, gone, the same
 * one, or already bridged (the api then answers `-ERR Invalid uuid`).
 */
export function uuidBridge(sim: SimRuntime, originatorUuid: string, originateeUuid: string): boolean {
  const a = sim.channel(originatorUuid);
  const b = sim.channel(originateeUuid);
  if (!a || !b || a === b || a.hungup || b.hungup || a.destroyed || b.destroyed) return false;
  if (a.bridgedTo || b.bridgedTo || a.divert || b.divert) return false;
  for (const [ch, other] of [
    [a, b],
    [b, a],
  ] as const) {
    ch.setVar('bridge_channel', other.name);
    ch.setVar('bridge_uuid', other.uuid);
    ch.setVar('signal_bond', other.uuid);
  }
  a.setVar('uuid_bridge', b.uuid);
  // The profiles are linked here, so every event from now on shows the other leg.
  a.otherLeg = { type: 'originatee', channel: b };
  b.otherLeg = { type: 'originator', channel: a };
  let start!: (ok: boolean) => void;
  const started = new Promise<boolean>((resolve) => {
    start = resolve;
  });
  const pending: PendingBridge = { originator: a, originatee: b, arrived: 0, started, start };
  a.requestDivert((ch) => bridgeLeg(pending, ch));
  b.requestDivert((ch) => bridgeLeg(pending, ch));
  return true;
}

/** One leg's thread: hibernate, reset, meet the other leg, stay bridged until one side hangs up. */
async function bridgeLeg(p: PendingBridge, ch: SimChannel): Promise<'continue' | 'done'> {
  const isOriginator = ch === p.originator;
  const other = isOriginator ? p.originatee : p.originator;
  ch.enterState('CS_HIBERNATE');
  ch.enterState('CS_RESET');
  if (isOriginator) ch.enterState('CS_SOFT_EXECUTE');
  p.arrived++;
  if (p.arrived === 2) startBridge(p);
  else {
    // The other leg has not let go of its application yet: it may hang up instead,
    // or never come (uuid_bridge_on_soft_execute gives up after 1000 x 20 ms).
    void other.whenHungup().then(() => p.start(false));
    void ch.whenHungup().then(() => p.start(false));
    const giveUp = ch.core.timer(BRIDGE_WAIT_MS, () => {
      other.hangup('DESTINATION_OUT_OF_ORDER', SOFT_EXECUTE_ORIGIN);
      p.start(false);
    });
    void p.started.then(() => ch.core.cancelTimer(giveUp));
  }
  const ok = await p.started;
  if (!ok) {
    if (isOriginator) ch.unsetVar('uuid_bridge');
    // uuid_bridge_on_soft_execute: the other leg is gone, this one is hung up too.
    if (!ch.hungup) ch.hangup(other.hangupCause ?? 'DESTINATION_OUT_OF_ORDER', SOFT_EXECUTE_ORIGIN);
    return 'done';
  }
  await Promise.race([ch.whenHungup(), other.whenHungup()]);
  return isOriginator ? endOriginator(ch, other) : endOriginatee(ch, other);
}

function startBridge(p: PendingBridge): void {
  const a = p.originator;
  const b = p.originatee;
  if (a.hungup || b.hungup) {
    p.start(false);
    return;
  }
  a.unsetVar('uuid_bridge');
  b.enterState('CS_SOFT_EXECUTE');
  a.fire('CHANNEL_EXECUTE', SOFT_EXECUTE_ORIGIN, { post: [['Application', 'uuid_bridge'], ['Application-Data', b.uuid]] });
  b.fire('CHANNEL_EXECUTE', SOFT_EXECUTE_ORIGIN, { post: [['Application', 'uuid_bridge'], ['Application-Data', a.uuid]] });
  const now = nowMicros();
  a.times.bridged = now;
  b.times.bridged = now;
  a.bridgedTo = b;
  b.bridgedTo = a;
  a.setVar('bridge_to', b.uuid);
  a.setVar('last_bridge_to', b.uuid);
  b.setVar('bridge_to', a.uuid);
  b.setVar('last_bridge_to', a.uuid);
  // The call is the originator's now: listeners group both legs by call_uuid.
  b.callUuid = a.callUuid;
  b.setVar('call_uuid', a.callUuid);
  b.enterState('CS_EXCHANGE_MEDIA');
  a.fire('CHANNEL_BRIDGE', BRIDGE_ORIGIN, {
    pre: [
      ['Bridge-A-Unique-ID', a.uuid],
      ['Bridge-B-Unique-ID', b.uuid],
    ],
  });
  p.start(true);
}

function endOriginator(a: SimChannel, b: SimChannel): 'continue' | 'done' {
  unlink(a);
  a.fire('CHANNEL_UNBRIDGE', UNBRIDGE_ORIGIN, {
    pre: [
      ['Bridge-A-Unique-ID', a.uuid],
      ['Bridge-B-Unique-ID', b.uuid],
    ],
  });
  if (a.hungup) return 'done';
  if (a.getVar('hangup_after_bridge') === 'true') {
    a.hangup(b.hangupCause ?? 'NORMAL_CLEARING', UNBRIDGE_ORIGIN);
    return 'done';
  }
  a.enterState('CS_EXECUTE');
  return 'continue';
}

function endOriginatee(b: SimChannel, a: SimChannel): 'continue' | 'done' {
  unlink(b);
  if (!b.hungup) b.hangup(a.hangupCause ?? 'NORMAL_CLEARING', UNBRIDGE_ORIGIN);
  return 'done';
}

function unlink(ch: SimChannel): void {
  ch.bridgedTo = undefined;
  ch.unsetVar('bridge_to');
}

/**
 * switch_ivr_session_transfer: leave the current extension, take the new
 * destination (and dialplan, context), route again. False when the channel is
 * gone.
 */
export function transfer(sim: SimRuntime, ch: SimChannel, dest: string, dialplan: string, context: string): boolean {
  if (ch.hungup || ch.destroyed || ch.divert) return false;
  ch.requestDivert(async () => {
    const p = ch.profile;
    if (p) {
      p.destinationNumber = dest;
      p.context = context;
      p.dialplan = dialplan;
      p.profileIndex++;
    }
    ch.times.transferred = nowMicros();
    ch.enterState('CS_ROUTING');
    const apps = route(sim.dialplan, context, dest);
    if (apps === undefined) {
      ch.hangup('NO_ROUTE_DESTINATION');
      return 'done';
    }
    await runApps(ch, apps);
    return 'done';
  });
  return true;
}

/** switch_ivr_park_session: false when the channel is gone. */
export function parkSession(ch: SimChannel): boolean {
  if (ch.hungup || ch.destroyed) return false;
  ch.requestDivert(async () => {
    ch.enterState('CS_PARK');
    await park(ch);
    return 'done';
  });
  return true;
}
