/**
 * `sofia/<profile>/<user>@<host>[:port]` and `sofia/gateway/<gw>/<user>`
 * (mod_sofia): an outgoing SIP leg. A call to the simulator's own `external`
 * profile (127.0.0.1:5080) comes back in as a second, inbound leg in context
 * `switchio` (which parks), exactly as in the sip-call recording: X- headers
 * travel as `sip_h_X-...` variables, an answer on the inbound leg answers the
 * outgoing one (183 then 200), DTMF goes over "RFC 2833" to the other leg,
 * and a hangup sends a BYE that hangs the other leg up ~20 ms later.
 * The docker configuration's own profiles answer too: through `switchyard`
 * to 127.0.0.1:5090 (profile `loop`) or to our address on 5080 (profile
 * `switchyard`), the call comes back in context `switchyard`.
 *
 * Any other destination is a simulated remote phone chosen by its user part:
 * `busy` (486), `reject` (603), `unavailable` (480), `noanswer` (rings until
 * the originate times out), `early` (183, answers later), anything else
 * rings after `ringDelayMs` and answers `answerDelayMs` later.
 */
import { SimChannel } from '../channel.js';
import type { Codec } from '../channel-data.js';
import { route } from '../dialplan.js';
import type { EventOrigin } from '../event.js';
import { sipToCause } from '../hangup-causes.js';
import type { OutboundRequest, SimRuntime } from '../runtime.js';
import { createEvents, runInbound, runOriginated, startThread } from '../session.js';
import { fireCodecEvents, OUTGOING_ORIGIN, originatedCallerId, profileFor } from './loopback.js';
import {
  byeReceivedVars,
  inboundAckVars,
  inboundAnswerVars,
  inboundEarlyVars,
  inboundInviteVars,
  newDialog,
  outbound200Vars,
  outboundInviteVars,
  rtpStatsVars,
  type SipDialog,
} from './sofia-vars.js';

export const PCMU: Codec = { name: 'PCMU', rate: 8000, bitRate: 64000 };
const REAL_READ_CODEC: EventOrigin = {
  file: 'switch_core_codec.c',
  func: 'switch_core_session_set_real_read_codec',
  line: 189,
};
const BYE_ORIGIN: EventOrigin = { file: 'sofia.c', func: 'sofia_handle_sip_i_bye', line: 1101 };
/** One SIP hop on the loopback interface. */
const SIP_HOP_MS = 20;
/** The port of the docker configuration's `loop` profile (127.0.0.1 only). */
const LOOP_PORT = 5090;

/** One of our own SIP profiles: where an INVITE sent to it comes back in. */
interface OwnProfile {
  readonly name: string;
  readonly context: string;
}

interface SofiaTarget {
  readonly profile: string;
  readonly user: string;
  readonly host: string;
  readonly port: number;
}

function parseTarget(data: string): SofiaTarget | undefined {
  const parts = data.split('/');
  if (parts[0] === 'gateway' && parts.length >= 3) {
    return { profile: 'external', user: parts.slice(2).join('/'), host: parts[1]!, port: 5060 };
  }
  if (parts.length < 2) return undefined;
  const uri = parts.slice(1).join('/').replace(/^sips?:/, '');
  const at = uri.indexOf('@');
  if (at <= 0) return undefined;
  const hostPart = uri.slice(at + 1).split(';')[0]!;
  const colon = hostPart.lastIndexOf(':');
  const port = colon > 0 ? Number.parseInt(hostPart.slice(colon + 1), 10) : 5060;
  return {
    profile: parts[0]!,
    user: uri.slice(0, at),
    host: colon > 0 ? hostPart.slice(0, colon) : hostPart,
    port: Number.isFinite(port) ? port : 5060,
  };
}

export function sofiaEndpoint(sim: SimRuntime, req: OutboundRequest): SimChannel | string {
  const target = parseTarget(req.data);
  if (!target) return 'INVALID_NUMBER_FORMAT';
  const core = sim.core;
  const uuid = req.uuid !== undefined && !core.channels.has(req.uuid) ? req.uuid : undefined;
  const a = new SimChannel(core, {
    ...(uuid !== undefined ? { uuid } : {}),
    name: `sofia/${req.data}`,
    direction: 'outbound',
    hitDialplan: false,
  });
  core.registerChannel(a);
  a.profile = profileFor(a, {
    direction: 'outbound',
    ...originatedCallerId(req.cidName, req.cidNum, req.data),
    destinationNumber: target.user,
    source: 'src/switch_ivr_originate.c',
    context: 'default',
  });
  const dialog = newDialog(target.profile, target.user, target.host, target.port, req.cidNum);
  a.setStateNumber('CS_INIT');
  outboundInviteVars(a, dialog, req.vars);
  a.fire('CHANNEL_OUTGOING', OUTGOING_ORIGIN);
  a.enterState('CS_INIT');
  createEvents(a, true);
  const counters = { dtmfIn: 0, dtmfOut: 0 };
  Object.assign(a.hooks, sipHooks(sim, counters, 'send_bye'));
  startThread(a, runOriginated(a));
  const own = ownProfile(sim, target);
  if (own) {
    core.timer(SIP_HOP_MS, () => {
      if (!a.hungup) inboundLeg(sim, a, dialog, req, own);
    });
  } else {
    remotePhone(sim, a, dialog);
  }
  return a;
}

/**
 * Which of our profiles listens at the target, if any. Both configurations
 * are served at once: the recorded one (`external` on 5080, context
 * `switchio`) and the docker one (`switchyard` on 5080 and `loop` on
 * 127.0.0.1:5090, both in context `switchyard`, see docker/README.md). On
 * 5080 the profile the call leaves through tells them apart.
 */
function ownProfile(sim: SimRuntime, target: SofiaTarget): OwnProfile | undefined {
  const [selfHost = '127.0.0.1', selfPort = '5080'] = sim.options.sipSelf.split(':');
  const local = new Set([selfHost, '127.0.0.1', 'localhost', sim.core.identity.ipv4]);
  if (!local.has(target.host)) return undefined;
  if (target.port === LOOP_PORT) return { name: 'loop', context: 'switchyard' };
  if (String(target.port) !== selfPort) return undefined;
  return target.profile === 'switchyard' ? { name: 'switchyard', context: 'switchyard' } : { name: 'external', context: 'switchio' };
}

/** The INVITE arriving on our own profile: the B leg, routed in that profile's context. */
function inboundLeg(sim: SimRuntime, a: SimChannel, outgoing: SipDialog, req: OutboundRequest, own: OwnProfile): void {
  const core = sim.core;
  const d: SipDialog = { ...outgoing, profile: own.name };
  const b = new SimChannel(core, {
    name: `sofia/${own.name}/${d.fromUser}@${d.fromHost}`,
    direction: 'inbound',
    hitDialplan: true,
  });
  core.registerChannel(b);
  a.peer = b;
  b.peer = a;
  b.enterState('CS_NEW');
  b.profile = profileFor(b, {
    direction: 'inbound',
    username: d.fromUser,
    dialplan: 'XML',
    callerIdName: req.cidName !== '' ? req.cidName : d.fromUser,
    callerIdNumber: d.fromUser,
    origCallerIdName: req.cidName !== '' ? req.cidName : d.fromUser,
    origCallerIdNumber: d.fromUser,
    networkAddr: d.fromHost,
    ani: d.fromUser,
    destinationNumber: d.user,
    source: 'mod_sofia',
    context: own.context,
  });
  const xHeaders = req.vars.filter(([k]) => k.startsWith('sip_h_')).map(([k, v]) => [k, v] as [string, string]);
  inboundInviteVars(b, d, xHeaders);
  const counters = { dtmfIn: 0, dtmfOut: 0 };
  Object.assign(b.hooks, sipHooks(sim, counters, 'recv_bye'), {
    answer: (ch: SimChannel) => answerInbound(ch, d),
    preAnswer: (ch: SimChannel) => earlyInbound(ch, d, true),
    // ring_ready sends 180 Ringing: the outgoing leg marks ring ready too.
    onRingReady: () => {
      if (!a.hungup) a.markRingReady();
    },
  });
  b.enterState('CS_INIT');
  createEvents(b, false);
  startThread(
    b,
    runInbound(b, () => route(sim.dialplan, own.context, d.user)),
  );
}

/**
 * Media negotiated on the inbound leg (CHANNEL_PROGRESS_MEDIA). Only a real
 * pre-answer sends the 183 that gives the caller early media; an answer goes
 * through the same step but sends the 200 straight away.
 */
function earlyInbound(b: SimChannel, d: SipDialog, send183: boolean): void {
  if (b.hungup || b.answerState !== 'ringing') return;
  fireCodecEvents(b, PCMU, REAL_READ_CODEC);
  inboundEarlyVars(b, d);
  b.markPreAnswered();
  const a = b.peer;
  if (send183 && a && !a.hungup) a.markPreAnswered();
}

/** 200 OK from the inbound leg: it answers, then the outgoing leg gets the 200 and answers too. */
function answerInbound(b: SimChannel, d: SipDialog): boolean {
  if (b.hungup) return false;
  if (b.answered) return true;
  earlyInbound(b, d, false);
  inboundAnswerVars(b, d);
  b.markAnswered();
  const a = b.peer;
  if (a && !a.hungup) answerOutbound(a, d);
  inboundAckVars(b, d);
  return true;
}

function answerOutbound(a: SimChannel, d: SipDialog): void {
  if (a.answered || a.hungup || !a.profile) return;
  a.profile.calleeIdName = d.user;
  a.profile.calleeIdNumber = d.user;
  a.profile.networkAddr = d.host;
  fireCodecEvents(a, PCMU, REAL_READ_CODEC);
  outbound200Vars(a, d);
  a.markAnswered();
}

/** A phone at another address, simulated by what its user part asks for. */
function remotePhone(sim: SimRuntime, a: SimChannel, d: SipDialog): void {
  const { ringDelayMs, answerDelayMs } = sim.options;
  const refuse = (status: number): void => {
    if (!a.hungup) a.hangup(sipToCause(status), BYE_ORIGIN);
  };
  const behaviour = d.user.toLowerCase();
  sim.core.timer(ringDelayMs, () => {
    if (a.hungup) return;
    if (behaviour === 'busy') return refuse(486);
    if (behaviour === 'reject') return refuse(603);
    if (behaviour === 'unavailable') return refuse(480);
    if (behaviour === 'early') {
      fireCodecEvents(a, PCMU, REAL_READ_CODEC);
      a.markPreAnswered();
    } else {
      a.markRingReady();
    }
    if (behaviour === 'noanswer') return;
    sim.core.timer(answerDelayMs, () => answerOutbound(a, d));
  });
}

function sipHooks(
  sim: SimRuntime,
  counters: { dtmfIn: number; dtmfOut: number },
  disposition: 'send_bye' | 'recv_bye',
): Partial<SimChannel['hooks']> {
  return {
    onHangup: (ch, cause) => {
      const other = ch.peer;
      if (!other || other.hungup) return;
      // The BYE reaches the other leg one hop later.
      sim.core.timer(SIP_HOP_MS, () => {
        if (other.hungup) return;
        byeReceivedVars(other, cause);
        other.hangup(cause, BYE_ORIGIN);
        other.setVar('sip_hangup_disposition', 'recv_bye');
      });
    },
    cdrVariables: (ch) => [
      ['sip_hangup_disposition', ch.getVar('sip_hangup_disposition') ?? disposition],
      ...rtpStatsVars(ch, counters.dtmfIn, counters.dtmfOut),
    ],
    sendDtmf: (ch, digits, durationMs) => sendDtmf(sim, ch, digits, durationMs, counters),
  };
}

/**
 * RFC 2833: each digit lasts `durationMs`, with as much silence after it; the
 * other leg sees a DTMF event when a digit ends (its duration in samples).
 */
function sendDtmf(
  sim: SimRuntime,
  ch: SimChannel,
  digits: string,
  durationMs: number,
  counters: { dtmfIn: number; dtmfOut: number },
): void {
  ch.setVar('last_dtmf_duration', String(durationMs * 8));
  const other = ch.peer;
  const valid = [...digits].filter((c) => /[0-9A-D*#]/i.test(c));
  valid.forEach((digit, i) => {
    const at = durationMs + 10 + i * (2 * durationMs + 30);
    counters.dtmfOut += 15;
    sim.core.timer(at, () => {
      if (other && !ch.hungup) other.receiveDtmf(digit.toUpperCase(), (durationMs + 10) * 8, 'RTP');
    });
  });
}
