/**
 * `loopback/<exten>[/<context>[/<dialplan>]]` (mod_loopback.c): two legs,
 * A (outbound, the originated one) and B (inbound, run through the dialplan).
 * What happens to one is mirrored on the other: B's ring, early media and
 * answer reach A; a hangup of either hangs the other up. The order of events
 * and the variables set follow the recordings loopback-plain/json/xml.
 */
import { SimChannel } from '../channel.js';
import type { CallerProfile, Codec } from '../channel-data.js';
import { route } from '../dialplan.js';
import type { EventOrigin } from '../event.js';
import type { OutboundRequest, SimRuntime } from '../runtime.js';
import { createEvents, runInbound, runOriginated, startThread } from '../session.js';

export const L16: Codec = { name: 'L16', rate: 8000, bitRate: 128000 };
const HANGUP_ORIGIN: EventOrigin = { file: 'mod_loopback.c', func: 'channel_on_hangup', line: 585 };
const UUID_ORIGIN: EventOrigin = { file: 'switch_core_session.c', func: 'switch_core_session_set_uuid', line: 2056 };
export const OUTGOING_ORIGIN: EventOrigin = {
  file: 'switch_core_session.c',
  func: 'switch_core_session_outgoing_channel',
  line: 768,
};
const READ_CODEC_ORIGIN: EventOrigin = { file: 'switch_core_codec.c', func: 'switch_core_session_set_read_codec', line: 300 };
const WRITE_CODEC_ORIGIN: EventOrigin = {
  file: 'switch_core_codec.c',
  func: 'switch_core_session_set_write_codec',
  line: 471,
};

/** The two CODEC events of switch_core_session_set_read_codec / set_write_codec. */
export function fireCodecEvents(ch: SimChannel, codec: Codec, readOrigin: EventOrigin = READ_CODEC_ORIGIN): void {
  ch.readCodec = codec;
  ch.writeCodec = undefined;
  ch.fire('CODEC', readOrigin, {
    post: [
      ['channel-read-codec-name', codec.name],
      ['channel-read-codec-rate', String(codec.rate)],
      ['channel-read-codec-bit-rate', String(codec.bitRate)],
    ],
  });
  ch.writeCodec = codec;
  ch.fire('CODEC', WRITE_CODEC_ORIGIN, {
    post: [
      ['Channel-Write-Codec-Name', codec.name],
      ['Channel-Write-Codec-Rate', String(codec.rate)],
      ['Channel-Write-codec-bit-rate', String(codec.bitRate)],
    ],
  });
}

export function codecVariables(ch: SimChannel, codec: Codec): void {
  ch.setVar('read_codec', codec.name);
  ch.setVar('read_rate', String(codec.rate));
  ch.setVar('write_codec', codec.name);
  ch.setVar('write_rate', String(codec.rate));
}

export function profileFor(
  ch: SimChannel,
  fields: Partial<CallerProfile> & Pick<CallerProfile, 'direction' | 'destinationNumber' | 'source' | 'context'>,
): CallerProfile {
  return {
    logicalDirection: fields.direction,
    username: '',
    dialplan: '',
    callerIdName: '',
    callerIdNumber: '',
    origCallerIdName: '',
    origCallerIdNumber: '',
    calleeIdName: '',
    calleeIdNumber: '',
    networkAddr: '',
    ani: '',
    channelName: ch.name,
    profileIndex: 1,
    profileCreated: ch.times.created,
    ...fields,
  };
}

/** The last part of a dial string's data, its user part: FreeSWITCH's Callee-ID-Number of an outbound leg. */
function calleeNumber(data: string): string {
  const last = data.slice(data.lastIndexOf('/') + 1);
  const at = last.indexOf('@');
  return at < 0 ? last : last.slice(0, at);
}

/**
 * The caller-id part of an originated (outbound) leg's profile, as
 * switch_ivr_originate.c fills it from the origination caller id and the dial
 * string: the same for every endpoint.
 */
export function originatedCallerId(name: string, number: string, data: string) {
  return {
    callerIdName: name,
    callerIdNumber: number,
    origCallerIdName: name,
    origCallerIdNumber: number,
    calleeIdName: 'Outbound Call',
    calleeIdNumber: calleeNumber(data),
    ani: number,
  };
}

export function loopbackEndpoint(sim: SimRuntime, req: OutboundRequest): SimChannel | string {
  const [exten = '', context = 'default', dialplan = 'xml'] = req.data.split('/');
  if (exten === '') return 'INVALID_NUMBER_FORMAT';
  const core = sim.core;
  const a = new SimChannel(core, { name: `loopback/${req.data}-a`, direction: 'outbound', hitDialplan: false });
  core.registerChannel(a);
  fireCodecEvents(a, L16);
  const cid = {
    ...originatedCallerId(req.cidName, req.cidNum, req.data),
    destinationNumber: exten,
    source: 'mod_loopback',
    context,
    dialplan,
  };
  a.name = `loopback/${exten}-a`;
  a.setStateNumber('CS_INIT');
  a.profile = profileFor(a, { direction: 'outbound', ...cid });
  if (req.uuid !== undefined && req.uuid !== a.uuid && !core.channels.has(req.uuid)) {
    const old = a.uuid;
    a.uuid = req.uuid;
    a.callUuid = req.uuid;
    core.renameChannel(old, a);
    baseVariables(a, 'outbound');
    a.fire('CHANNEL_UUID', UUID_ORIGIN, { pre: [['Old-Unique-ID', old]] });
  } else {
    baseVariables(a, 'outbound');
  }
  a.fire('CHANNEL_OUTGOING', OUTGOING_ORIGIN);
  a.enterState('CS_INIT');

  const b = new SimChannel(core, { name: `loopback/${exten}-b`, direction: 'inbound', hitDialplan: true });
  core.registerChannel(b);
  fireCodecEvents(b, L16);
  b.profile = profileFor(b, { direction: 'inbound', ...cid });
  for (const [k, v] of [['direction', 'inbound'], ['uuid', b.uuid], ['call_uuid', b.uuid], ['session_id', String(b.sessionId)], ['channel_name', b.name]]) {
    b.setVar(k!, v!);
  }
  codecVariables(b, L16);
  for (const [k, v] of req.vars) {
    a.setVar(k, v);
    b.setVar(k, v);
  }
  a.setVar('originate_early_media', 'true');
  a.setVar('originate_endpoint', 'loopback');
  a.setVar('other_loopback_leg_uuid', b.uuid);
  a.setVar('loopback_leg', 'A');
  b.setVar('other_loopback_leg_uuid', a.uuid);
  b.setVar('loopback_leg', 'B');
  a.peer = b;
  b.peer = a;
  Object.assign(a.hooks, legHooks(sim));
  Object.assign(b.hooks, legHooks(sim), {
    onAnswer: () => a.markAnswered(),
    onPreAnswer: () => a.markPreAnswered(),
    onRingReady: () => a.markRingReady(),
  });

  createEvents(a, true);
  startThread(a, runOriginated(a));
  b.enterState('CS_INIT');
  createEvents(b, false);
  startThread(
    b,
    runInbound(b, () => route(sim.dialplan, context, exten)),
  );
  return a;
}

function baseVariables(ch: SimChannel, direction: 'outbound'): void {
  ch.setVar('direction', direction);
  ch.setVar('is_outbound', 'true');
  ch.setVar('session_id', String(ch.sessionId));
  codecVariables(ch, L16);
  ch.setVar('channel_name', ch.name);
  ch.setVar('uuid', ch.uuid);
  ch.setVar('call_uuid', ch.callUuid);
}

function legHooks(sim: SimRuntime): Partial<SimChannel['hooks']> {
  return {
    // Digits sent on one leg are queued on the other, one per tone length.
    sendDtmf: (ch, digits, durationMs) => {
      [...digits].filter((c) => /[0-9A-D*#]/i.test(c)).forEach((digit, i) => {
        sim.core.timer((i + 1) * durationMs, () => ch.peer?.receiveDtmf(digit.toUpperCase(), durationMs * 8, 'APP'));
      });
    },
    onHangup: (ch, cause) => {
      const other = ch.peer;
      if (other && !other.hungup) other.hangup(cause, HANGUP_ORIGIN);
    },
    cdrVariables: () => [['is_loopback', '1']],
  };
}
