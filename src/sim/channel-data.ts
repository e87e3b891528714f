/**
 * The channel part of an event, as switch_channel.c writes it:
 * switch_channel_event_set_basic_data() (Channel-State ... codecs),
 * switch_caller_profile_event_set_data() (the `Caller-` block, empty fields
 * left out) and switch_channel_event_set_extended_data() (the `variable_`
 * block, only for the event types listed there).
 */
import type { HeaderList } from './event.js';

export const ChannelStateNames = [
  'CS_NEW',
  'CS_INIT',
  'CS_ROUTING',
  'CS_SOFT_EXECUTE',
  'CS_EXECUTE',
  'CS_EXCHANGE_MEDIA',
  'CS_PARK',
  'CS_CONSUME_MEDIA',
  'CS_HIBERNATE',
  'CS_RESET',
  'CS_HANGUP',
  'CS_REPORTING',
  'CS_DESTROY',
  'CS_NONE',
] as const;
export type ChannelStateName = (typeof ChannelStateNames)[number];

export const CallStateNames = ['DOWN', 'DIALING', 'RINGING', 'EARLY', 'ACTIVE', 'HELD', 'RING_WAIT', 'HANGUP', 'UNHELD'] as const;
export type CallStateName = (typeof CallStateNames)[number];

export type AnswerState = 'ringing' | 'early' | 'answered' | 'hangup';

export interface Codec {
  readonly name: string;
  readonly rate: number;
  readonly bitRate: number;
}

/** switch_caller_profile_t, the fields the event block shows, in its order. */
export interface CallerProfile {
  direction: 'inbound' | 'outbound';
  logicalDirection: 'inbound' | 'outbound';
  username: string;
  dialplan: string;
  callerIdName: string;
  callerIdNumber: string;
  origCallerIdName: string;
  origCallerIdNumber: string;
  calleeIdName: string;
  calleeIdNumber: string;
  networkAddr: string;
  ani: string;
  destinationNumber: string;
  source: string;
  context: string;
  channelName: string;
  profileIndex: number;
  profileCreated: number;
}

/** Microsecond timestamps of switch_channel_timetable_t (0 when not reached). */
export interface ChannelTimes {
  created: number;
  answered: number;
  progress: number;
  progressMedia: number;
  hungup: number;
  transferred: number;
  resurrected: number;
  bridged: number;
  lastHold: number;
  holdAccum: number;
}

/** Event types that carry the `variable_` block (switch_channel_event_set_extended_data). */
export const EVENTS_WITH_VARIABLES: ReadonlySet<string> = new Set([
  'CHANNEL_CREATE',
  'CHANNEL_ORIGINATE',
  'CHANNEL_UUID',
  'CHANNEL_ANSWER',
  'CHANNEL_PARK',
  'CHANNEL_UNPARK',
  'CHANNEL_BRIDGE',
  'CHANNEL_UNBRIDGE',
  'CHANNEL_PROGRESS',
  'CHANNEL_PROGRESS_MEDIA',
  'CHANNEL_HANGUP',
  'CHANNEL_HANGUP_COMPLETE',
  'REQUEST_PARAMS',
  'CHANNEL_DATA',
  'CHANNEL_EXECUTE',
  'CHANNEL_EXECUTE_COMPLETE',
  'CHANNEL_DESTROY',
  'SESSION_HEARTBEAT',
  'API',
  'RECORD_START',
  'RECORD_STOP',
  'PLAYBACK_START',
  'PLAYBACK_STOP',
  'CALL_UPDATE',
  'MEDIA_BUG_START',
  'MEDIA_BUG_STOP',
  'CHANNEL_HOLD',
  'CHANNEL_UNHOLD',
  'CUSTOM',
]);

/** What the event writer needs to see of a channel. */
export interface ChannelSnapshot {
  readonly uuid: string;
  readonly name: string;
  readonly direction: 'inbound' | 'outbound';
  readonly runningState: ChannelStateName;
  readonly stateNumber: number;
  readonly callState: CallStateName;
  readonly answerState: AnswerState;
  readonly hitDialplan: boolean;
  readonly callUuid: string;
  readonly hangupCause: string | undefined;
  readonly readCodec: Codec | undefined;
  readonly writeCodec: Codec | undefined;
  readonly profile: CallerProfile | undefined;
  readonly times: ChannelTimes;
  readonly vars: ReadonlyMap<string, string>;
  /** The caller profile linked by a bridge: originatee on the originator's side, originator on the other. */
  readonly otherLeg?: OtherLeg | undefined;
}

export interface OtherLeg {
  readonly type: 'originator' | 'originatee';
  readonly channel: ChannelSnapshot;
}

export function appendBasicData(h: HeaderList, ch: ChannelSnapshot): void {
  h.push(
    ['Channel-State', ch.runningState],
    ['Channel-Call-State', ch.callState],
    ['Channel-State-Number', String(ch.stateNumber)],
    ['Channel-Name', ch.name],
    ['Unique-ID', ch.uuid],
    ['Call-Direction', ch.direction],
    ['Presence-Call-Direction', ch.direction],
    ['Channel-HIT-Dialplan', ch.hitDialplan ? 'true' : 'false'],
    ['Channel-Call-UUID', ch.callUuid],
    ['Answer-State', ch.answerState],
  );
  if (ch.hangupCause !== undefined) h.push(['Hangup-Cause', ch.hangupCause]);
  if (ch.readCodec) {
    h.push(
      ['Channel-Read-Codec-Name', ch.readCodec.name],
      ['Channel-Read-Codec-Rate', String(ch.readCodec.rate)],
      ['Channel-Read-Codec-Bit-Rate', String(ch.readCodec.bitRate)],
    );
  }
  if (ch.writeCodec) {
    h.push(
      ['Channel-Write-Codec-Name', ch.writeCodec.name],
      ['Channel-Write-Codec-Rate', String(ch.writeCodec.rate)],
      ['Channel-Write-Codec-Bit-Rate', String(ch.writeCodec.bitRate)],
    );
  }
}

export function appendCallerProfile(h: HeaderList, ch: ChannelSnapshot, prefix = 'Caller'): void {
  const p = ch.profile;
  if (!p) return;
  const t = ch.times;
  const opt = (name: string, value: string): void => {
    if (value !== '') h.push([`${prefix}-${name}`, value]);
  };
  opt('Direction', p.direction);
  opt('Logical-Direction', p.logicalDirection);
  opt('Username', p.username);
  opt('Dialplan', p.dialplan);
  opt('Caller-ID-Name', p.callerIdName);
  opt('Caller-ID-Number', p.callerIdNumber);
  opt('Orig-Caller-ID-Name', p.origCallerIdName);
  opt('Orig-Caller-ID-Number', p.origCallerIdNumber);
  opt('Callee-ID-Name', p.calleeIdName);
  opt('Callee-ID-Number', p.calleeIdNumber);
  opt('Network-Addr', p.networkAddr);
  opt('ANI', p.ani);
  opt('Destination-Number', p.destinationNumber);
  opt('Unique-ID', ch.uuid);
  opt('Source', p.source);
  opt('Context', p.context);
  opt('Channel-Name', p.channelName);
  h.push(
    [`${prefix}-Profile-Index`, String(p.profileIndex)],
    [`${prefix}-Profile-Created-Time`, String(p.profileCreated)],
    [`${prefix}-Channel-Created-Time`, String(t.created)],
    [`${prefix}-Channel-Answered-Time`, String(t.answered)],
    [`${prefix}-Channel-Progress-Time`, String(t.progress)],
    [`${prefix}-Channel-Progress-Media-Time`, String(t.progressMedia)],
    [`${prefix}-Channel-Hangup-Time`, String(t.hungup)],
    [`${prefix}-Channel-Transfer-Time`, String(t.transferred)],
    [`${prefix}-Channel-Resurrect-Time`, String(t.resurrected)],
    [`${prefix}-Channel-Bridged-Time`, String(t.bridged)],
    [`${prefix}-Channel-Last-Hold`, String(t.lastHold)],
    [`${prefix}-Channel-Hold-Accum`, String(t.holdAccum)],
    [`${prefix}-Screen-Bit`, 'true'],
    [`${prefix}-Privacy-Hide-Name`, 'false'],
    [`${prefix}-Privacy-Hide-Number`, 'false'],
  );
}

export function appendVariables(h: HeaderList, ch: ChannelSnapshot): void {
  for (const [k, v] of ch.vars) h.push([`variable_${k}`, v]);
}

/** switch_channel_event_set_basic_data: state and codecs, the caller profile, the linked profile, no variables. */
export function appendBasicChannelData(h: HeaderList, ch: ChannelSnapshot): void {
  appendBasicData(h, ch);
  appendCallerProfile(h, ch);
  const other = ch.otherLeg;
  if (other) {
    h.push(['Other-Type', other.type]);
    appendCallerProfile(h, other.channel, 'Other-Leg');
  }
}

/** The whole channel block of an event of type `eventName`. */
export function appendChannelData(h: HeaderList, ch: ChannelSnapshot, eventName: string): void {
  appendBasicChannelData(h, ch);
  if (EVENTS_WITH_VARIABLES.has(eventName)) appendVariables(h, ch);
}
