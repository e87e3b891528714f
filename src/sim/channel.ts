/**
 * A simulated FreeSWITCH channel (switch_channel_t plus its session): state,
 * call state, answer state, caller profile, variables, codecs and timestamps,
 * and the primitive transitions that fire FreeSWITCH's channel events with the
 * same headers, in the same order (switch_channel.c: set_running_state,
 * set_callstate, mark_ring_ready, mark_pre_answered, mark_answered,
 * perform_hangup; switch_core_state_machine.c for the state numbers).
 *
 * What a channel does over time (its "session thread") is in session.ts.
 */
import { randomUUID } from 'node:crypto';
import { nowMicros } from './clock.js';
import {
  type AnswerState,
  appendChannelData,
  type CallerProfile,
  type CallStateName,
  CallStateNames,
  type ChannelSnapshot,
  type ChannelStateName,
  ChannelStateNames,
  type ChannelTimes,
  type Codec,
  type OtherLeg,
} from './channel-data.js';
import { LogLevel, type SimCore } from './core.js';
import type { EventOrigin, HeaderList, SimEvent } from './event.js';
import type { DialplanApps } from './session.js';

/** A `sendmsg` (or uuid_broadcast) queued for the channel (switch_ivr_parse_event). */
export interface PrivateCommand {
  /** The headers of the command event as they will be shown again in PRIVATE_COMMAND. */
  readonly headers: HeaderList;
  readonly body: string | undefined;
  /** Whether the original event was a COMMAND fired with its own base headers. */
  readonly fromBroadcast: boolean;
}

/** What an endpoint module (mod_loopback, mod_sofia) adds to the generic channel. */
export interface EndpointHooks {
  /** How the endpoint answers (default: mark answered); false when it cannot. */
  answer?(ch: SimChannel): boolean;
  preAnswer?(ch: SimChannel): void;
  /** After the channel is answered (loopback answers its other leg). */
  onAnswer?(ch: SimChannel): void;
  onPreAnswer?(ch: SimChannel): void;
  onRingReady?(ch: SimChannel): void;
  /** Right before CHANNEL_HANGUP is fired (sofia sets its SIP hangup variables). */
  beforeHangupEvent?(ch: SimChannel, cause: string): void;
  /** After CHANNEL_HANGUP (loopback and SIP hang the other side up). */
  onHangup?(ch: SimChannel, cause: string): void;
  /** Extra CDR variables at the end of switch_channel_set_timestamps (is_loopback, rtp stats). */
  cdrVariables?(ch: SimChannel): Array<[string, string]>;
  /** Digits sent with uuid_send_dtmf (SIP: RFC 2833 to the other leg). */
  sendDtmf?(ch: SimChannel, digits: string, durationMs: number): void;
}

export interface ChannelInit {
  readonly uuid?: string;
  readonly name: string;
  readonly direction: 'inbound' | 'outbound';
  readonly profile?: CallerProfile;
  readonly codec?: Codec;
  readonly hitDialplan?: boolean;
  readonly hooks?: EndpointHooks;
}

export const STATE_EVENT_ORIGIN: EventOrigin = {
  file: 'switch_channel.c',
  func: 'switch_channel_perform_set_running_state',
  line: 2409,
};
const CALLSTATE_ORIGIN: EventOrigin = { file: 'switch_channel.c', func: 'switch_channel_perform_set_callstate', line: 302 };
const ANSWER_ORIGIN: EventOrigin = { file: 'switch_channel.c', func: 'switch_channel_perform_mark_answered', line: 3848 };
const PRE_ANSWER_ORIGIN: EventOrigin = {
  file: 'switch_channel.c',
  func: 'switch_channel_perform_mark_pre_answered',
  line: 3562,
};
const RING_ORIGIN: EventOrigin = { file: 'switch_channel.c', func: 'switch_channel_perform_mark_ring_ready_value', line: 3475 };
const DTMF_ORIGIN: EventOrigin = { file: 'switch_channel.c', func: 'switch_channel_dequeue_dtmf', line: 678 };
const NEW_CHANNEL_ORIGIN: EventOrigin = { file: 'switch_channel.c', func: 'switch_channel_set_name', line: 1142 };
const HANGUP_ORIGIN: EventOrigin = { file: 'switch_channel.c', func: 'switch_channel_perform_hangup', line: 3447 };

export interface FireOptions {
  /** Event-specific headers before the channel block (Original-Channel-Call-State, Direction, Hangup-Cause). */
  readonly pre?: HeaderList;
  /** Event-specific headers after it (Application, Playback-*, DTMF-*). */
  readonly post?: HeaderList;
  readonly body?: string;
  /** Headers placed before the base block (a re-fired command's own headers). */
  readonly leading?: HeaderList;
}

export class SimChannel implements ChannelSnapshot {
  readonly core: SimCore<SimChannel>;
  uuid: string;
  name: string;
  readonly direction: 'inbound' | 'outbound';
  runningState: ChannelStateName = 'CS_NONE';
  stateNumber = 0;
  callState: CallStateName = 'DOWN';
  answerState: AnswerState = 'ringing';
  hitDialplan: boolean;
  callUuid: string;
  hangupCause: string | undefined;
  readCodec: Codec | undefined;
  writeCodec: Codec | undefined;
  profile: CallerProfile | undefined;
  readonly times: ChannelTimes;
  readonly vars = new Map<string, string>();
  readonly hooks: EndpointHooks;
  readonly sessionId: number;
  /** The other leg of a loopback pair or a SIP call, for the endpoint's own use. */
  peer: SimChannel | undefined;
  /** The leg this one is bridged to (uuid_bridge, bridge), if any. */
  bridgedTo: SimChannel | undefined;
  /** The profile a bridge linked to this one (Other-Type, Other-Leg-*); it stays after the bridge ends. */
  otherLeg: OtherLeg | undefined;
  /**
   * A state change asked of the session thread from outside (uuid_bridge,
   * uuid_transfer set CF_REDIRECT/CF_TRANSFER): the running application
   * returns and the thread runs this instead. 'done' drops the rest of the
   * extension (a transfer routes anew), 'continue' resumes it.
   */
  divert: ((ch: SimChannel) => Promise<'continue' | 'done'>) | undefined;
  /** Applications running, innermost last (park, then a playback run from a sendmsg). */
  readonly appStack: Array<{ name: string; arg: string; uuid: string }> = [];
  readonly privateQueue: PrivateCommand[] = [];
  /** Wakes whatever the session thread waits on (park, playback, echo, sleep) when something happens. */
  #wake: (() => void) | undefined;
  readonly #hungup: Promise<void>;
  #resolveHungup!: () => void;
  readonly #answered: Promise<void>;
  #resolveAnswered!: () => void;
  readonly #released: Promise<DialplanApps>;
  #release!: (apps: DialplanApps) => void;
  destroyed = false;
  /** In switch_ivr_park; cleared to unpark. */
  parked = false;
  /** uuid_break: stop the current playback or echo. */
  breakRequested = false;
  /** The last application started (last_app, last_arg). */
  lastApp: { name: string; arg: string } | undefined;
  /** Digits received (digits_dialed). */
  digitsDialed = '';

  constructor(core: SimCore<SimChannel>, init: ChannelInit) {
    this.core = core;
    this.uuid = init.uuid ?? randomUUID();
    this.callUuid = this.uuid;
    this.name = init.name;
    this.direction = init.direction;
    this.profile = init.profile;
    this.hitDialplan = init.hitDialplan ?? init.direction === 'inbound';
    this.readCodec = init.codec;
    this.writeCodec = init.codec;
    this.hooks = init.hooks ?? {};
    const now = nowMicros();
    this.times = {
      created: now,
      answered: 0,
      progress: 0,
      progressMedia: 0,
      hungup: 0,
      transferred: 0,
      resurrected: 0,
      bridged: 0,
      lastHold: 0,
      holdAccum: 0,
    };
    this.sessionId = core.nextSessionId();
    this.#hungup = new Promise((resolve) => {
      this.#resolveHungup = resolve;
    });
    this.#answered = new Promise((resolve) => {
      this.#resolveAnswered = resolve;
    });
    this.#released = new Promise((resolve) => {
      this.#release = resolve;
    });
    core.log(LogLevel.NOTICE, NEW_CHANNEL_ORIGIN, `New Channel ${this.name} [${this.uuid}]`, this.uuid);
  }

  /** An originated leg waits in CS_CONSUME_MEDIA until originate hands it its applications. */
  whenReleased(): Promise<DialplanApps> {
    return this.#released;
  }

  release(apps: DialplanApps): void {
    this.#release(apps);
  }

  get answered(): boolean {
    return this.times.answered > 0;
  }

  get hungup(): boolean {
    return this.hangupCause !== undefined;
  }

  /** Resolves when the channel is hung up (for whoever waits on it). */
  whenHungup(): Promise<void> {
    return this.#hungup;
  }

  whenAnswered(): Promise<void> {
    return this.#answered;
  }

  /** switch_channel_set_variable: an update moves the variable to the end, as FreeSWITCH's event list does. */
  setVar(name: string, value: string): void {
    this.vars.delete(name);
    if (value !== '') this.vars.set(name, value);
  }

  getVar(name: string): string | undefined {
    return this.vars.get(name);
  }

  unsetVar(name: string): void {
    this.vars.delete(name);
  }

  /** Builds and fires one event carrying this channel's data. */
  fire(name: string, origin: EventOrigin, opts: FireOptions = {}): SimEvent {
    const event = this.core.createEvent(name, origin);
    if (opts.leading) event.headers.unshift(...opts.leading);
    if (opts.pre) event.headers.push(...opts.pre);
    appendChannelData(event.headers, this, name);
    if (opts.post) event.headers.push(...opts.post);
    if (opts.body !== undefined) event.body = opts.body;
    this.core.fire(event);
    return event;
  }

  /** switch_channel_set_state: the number only; the state machine enters it later. */
  setStateNumber(state: ChannelStateName): void {
    this.stateNumber = ChannelStateNames.indexOf(state);
  }

  /** switch_channel_perform_set_running_state: fires CHANNEL_STATE. */
  enterState(state: ChannelStateName): void {
    this.runningState = state;
    this.stateNumber = ChannelStateNames.indexOf(state);
    this.fire('CHANNEL_STATE', STATE_EVENT_ORIGIN);
  }

  /** switch_channel_perform_set_callstate: fires CHANNEL_CALLSTATE when the state changes. */
  setCallState(state: CallStateName): void {
    const original = this.callState;
    if (original === state) return;
    this.callState = state;
    if (state === 'HANGUP') this.times.hungup = nowMicros();
    this.fire('CHANNEL_CALLSTATE', CALLSTATE_ORIGIN, {
      pre: [
        ['Original-Channel-Call-State', original],
        ['Channel-Call-State-Number', String(CallStateNames.indexOf(state))],
      ],
    });
  }

  markRingReady(): void {
    if (this.hungup || this.times.progress > 0 || this.answerState !== 'ringing') return;
    this.times.progress = nowMicros();
    this.fire('CHANNEL_PROGRESS', RING_ORIGIN);
    this.setCallState('RINGING');
    this.hooks.onRingReady?.(this);
  }

  markPreAnswered(): void {
    if (this.hungup || this.answerState !== 'ringing') return;
    this.times.progressMedia = nowMicros();
    this.answerState = 'early';
    this.fire('CHANNEL_PROGRESS_MEDIA', PRE_ANSWER_ORIGIN);
    this.setCallState('EARLY');
    this.hooks.onPreAnswer?.(this);
  }

  /** switch_channel_perform_mark_answered. Returns false when it cannot be answered. */
  markAnswered(): boolean {
    if (this.hungup) return false;
    if (this.answered) return true;
    this.times.answered = nowMicros();
    this.answerState = 'answered';
    this.fire('CHANNEL_ANSWER', ANSWER_ORIGIN);
    this.setCallState('ACTIVE');
    this.core.log(LogLevel.NOTICE, ANSWER_ORIGIN, `Channel [${this.name}] has been answered`, this.uuid);
    this.#resolveAnswered();
    this.hooks.onAnswer?.(this);
    return true;
  }

  /**
   * switch_channel_perform_hangup: the part run by whoever hangs up (an api
   * command, the other leg); the session thread then runs the rest
   * (session.ts finishSession).
   */
  hangup(cause: string, origin: EventOrigin = HANGUP_ORIGIN): boolean {
    if (this.hungup || this.destroyed) return false;
    this.core.log(LogLevel.NOTICE, origin, `Hangup ${this.name} [${this.runningState}] [${cause}]`, this.uuid);
    this.hangupCause = cause;
    this.answerState = 'hangup';
    this.setStateNumber('CS_HANGUP');
    this.hooks.beforeHangupEvent?.(this, cause);
    this.fire('CHANNEL_HANGUP', HANGUP_ORIGIN);
    this.#resolveHungup();
    this.wake();
    this.hooks.onHangup?.(this, cause);
    return true;
  }

  /** Asks the session thread to leave its application and run `divert` (see the field). */
  requestDivert(divert: (ch: SimChannel) => Promise<'continue' | 'done'>): void {
    this.divert = divert;
    this.wake();
  }

  /** Lets the session thread re-check its queue and state. */
  wake(): void {
    const w = this.#wake;
    this.#wake = undefined;
    w?.();
  }

  /** Waits until woken (a private command, a hangup) or `ms` elapses; `ms` undefined waits forever. */
  sleep(ms: number | undefined): Promise<'woken' | 'timeout'> {
    return new Promise((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      this.#wake = () => {
        this.core.cancelTimer(timer);
        resolve('woken');
      };
      if (ms !== undefined) {
        timer = this.core.timer(Math.max(0, ms), () => {
          this.#wake = undefined;
          resolve('timeout');
        });
      }
    });
  }

  /** A digit received (switch_channel_dequeue_dtmf): a DTMF event, and digits_dialed grows. */
  receiveDtmf(digit: string, durationSamples: number, source: 'RTP' | 'APP' | 'INBAND_AUDIO'): void {
    if (this.hungup) return;
    this.digitsDialed += digit;
    this.fire('DTMF', DTMF_ORIGIN, {
      post: [
        ['DTMF-Digit', digit],
        ['DTMF-Duration', String(durationSamples)],
        ['DTMF-Source', source],
      ],
    });
  }

  queuePrivate(command: PrivateCommand): void {
    this.privateQueue.push(command);
    this.wake();
  }

  /** `"name" <number>`, or the number alone when there is no name (switch_channel_set_timestamps). */
  callerIdString(): string {
    const p = this.profile;
    if (!p) return '';
    return p.callerIdName !== '' ? `"${p.callerIdName}" <${p.callerIdNumber}>` : p.callerIdNumber;
  }

  /** switch_channel_flip_cid: an answered outbound leg shows the callee as its caller. */
  flipCallerId(): void {
    const p = this.profile;
    if (!p) return;
    if (p.callerIdName !== '') this.setVar('pre_transfer_caller_id_name', p.callerIdName);
    if (p.callerIdNumber !== '') this.setVar('pre_transfer_caller_id_number', p.callerIdNumber);
    const name = p.callerIdName;
    const number = p.callerIdNumber;
    p.callerIdName = p.calleeIdName;
    p.callerIdNumber = p.calleeIdNumber;
    p.calleeIdName = name;
    p.calleeIdNumber = number;
    this.setVar('channel_cid_flipped', 'yes');
    this.hitDialplan = true;
  }
}
