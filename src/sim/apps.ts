/**
 * Dialplan applications (mod_dptools.c, switch_ivr.c, switch_ivr_play_say.c),
 * one function each, looked up by name. An application returns when it is
 * done or when the channel hangs up; the events around it (CHANNEL_EXECUTE,
 * CHANNEL_EXECUTE_COMPLETE) are session.ts's.
 */
import { bertTestApp } from './bert.js';
import type { SimChannel } from './channel.js';
import { LogLevel } from './core.js';
import type { EventOrigin } from './event.js';
import { parseCause, sipToCause } from './hangup-causes.js';
import { ENDLESS, mediaDurationMs, playbackFileType } from './media.js';
import { socketApp } from './outbound-socket.js';
import { recordSessionApp, stopRecordSessionApp } from './record.js';
import { drainPrivate } from './session.js';

export type Application = (ch: SimChannel, arg: string) => Promise<void> | void;

const PARK_ORIGIN: EventOrigin = { file: 'switch_ivr.c', func: 'switch_ivr_park', line: 1002 };
const UNPARK_ORIGIN: EventOrigin = { file: 'switch_ivr.c', func: 'switch_ivr_park', line: 1213 };
const PLAY_START: EventOrigin = { file: 'switch_ivr_play_say.c', func: 'switch_ivr_play_file', line: 1649 };
const PLAY_STOP: EventOrigin = { file: 'switch_ivr_play_say.c', func: 'switch_ivr_play_file', line: 2023 };
const DPTOOLS: EventOrigin = { file: 'mod_dptools.c', func: 'hangup_function', line: 1366 };

/** Samples per millisecond: every simulated codec runs at 8 kHz. */
const SAMPLES_PER_MS = 8;

/** switch_channel_answer through the endpoint (sofia sends 183 before 200 on an inbound leg). */
export function answerChannel(ch: SimChannel): boolean {
  if (ch.hooks.answer) return ch.hooks.answer(ch);
  return ch.markAnswered();
}

export function preAnswerChannel(ch: SimChannel): void {
  if (ch.hooks.preAnswer) ch.hooks.preAnswer(ch);
  else ch.markPreAnswered();
}

/** switch_ivr_park: CHANNEL_PARK, then sendmsg commands run until hangup or unpark. */
export async function park(ch: SimChannel): Promise<void> {
  ch.fire('CHANNEL_PARK', PARK_ORIGIN);
  ch.parked = true;
  while (!ch.hungup && ch.parked && ch.divert === undefined) {
    if (ch.privateQueue.length > 0) {
      await drainPrivate(ch);
      continue;
    }
    await ch.sleep(undefined);
  }
  ch.parked = false;
  ch.fire('CHANNEL_UNPARK', UNPARK_ORIGIN);
}

/** mod_dptools echo: media back to the caller until hangup; commands still run. */
async function echo(ch: SimChannel): Promise<void> {
  while (!ch.hungup && !ch.breakRequested && ch.divert === undefined) {
    if (ch.privateQueue.length > 0) {
      await drainPrivate(ch);
      continue;
    }
    await ch.sleep(undefined);
  }
  ch.breakRequested = false;
}

/** switch_ivr_play_file: PLAYBACK_START, the file's duration, PLAYBACK_STOP. */
async function playback(ch: SimChannel, arg: string): Promise<void> {
  if (!ch.answered && ch.answerState !== 'early') preAnswerChannel(ch);
  if (ch.hungup) return;
  const path = arg;
  const fileHeaders: Array<[string, string]> = [
    ['Playback-File-Type', playbackFileType(path)],
    ['Playback-File-Path', path],
  ];
  ch.fire('PLAYBACK_START', PLAY_START, { post: fileHeaders });
  const durationMs = mediaDurationMs(path, ch.core.defaultFileMs);
  const started = Date.now();
  let status = 'done';
  for (;;) {
    const left = durationMs === ENDLESS ? undefined : durationMs - (Date.now() - started);
    if (left !== undefined && left <= 0) break;
    await ch.sleep(left);
    if (ch.hungup || ch.breakRequested || ch.divert !== undefined) {
      status = 'break';
      break;
    }
  }
  ch.breakRequested = false;
  const playedMs = Math.min(Date.now() - started, durationMs === ENDLESS ? Number.MAX_SAFE_INTEGER : durationMs);
  const samples = playedMs * SAMPLES_PER_MS;
  ch.setVar('playback_last_offset_pos', String(samples));
  ch.setVar('playback_seconds', String(Math.floor(playedMs / 1000)));
  ch.setVar('playback_ms', String(playedMs));
  ch.setVar('playback_samples', String(samples));
  ch.fire('PLAYBACK_STOP', PLAY_STOP, { post: [...fileHeaders, ['Playback-Status', status]] });
  ch.setVar('current_application_response', 'FILE PLAYED');
}

async function sleepApp(ch: SimChannel, arg: string): Promise<void> {
  const ms = Number.parseInt(arg, 10);
  const until = Date.now() + (Number.isFinite(ms) ? ms : 0);
  // switch_ivr_sleep ends early on CF_BREAK (uuid_break), clearing it.
  while (!ch.hungup && ch.divert === undefined && !ch.breakRequested && Date.now() < until) await ch.sleep(until - Date.now());
  ch.breakRequested = false;
}

/** `set name=value` (an empty value unsets, as mod_dptools does). */
function setApp(ch: SimChannel, arg: string): void {
  const eq = arg.indexOf('=');
  if (eq <= 0) return;
  const name = arg.slice(0, eq);
  const value = arg.slice(eq + 1);
  if (value === '' || value === '_undef_') ch.unsetVar(name);
  else ch.setVar(name, value);
}

function multisetApp(ch: SimChannel, arg: string): void {
  for (const pair of arg.split(/\s+/)) if (pair) setApp(ch, pair);
}

function hangupApp(ch: SimChannel, arg: string): void {
  ch.hangup(parseCause(arg) ?? 'NORMAL_CLEARING', DPTOOLS);
}

/** `respond 486`: a final SIP status refuses the unanswered call with the matching cause. */
function respondApp(ch: SimChannel, arg: string): void {
  const status = Number.parseInt(arg, 10);
  if (ch.answered || !Number.isFinite(status)) return;
  if (status === 183) {
    preAnswerChannel(ch);
  } else if (status === 180) {
    ch.markRingReady();
  } else if (status >= 300) {
    ch.hangup(sipToCause(status), { file: 'mod_dptools.c', func: 'respond_function', line: 1152 });
  }
}

function logApp(ch: SimChannel, arg: string): void {
  const space = arg.indexOf(' ');
  const text = space > 0 ? arg.slice(space + 1) : arg;
  ch.core.log(LogLevel.INFO, { file: 'mod_dptools.c', func: 'log_function', line: 1701 }, text, ch.uuid);
}

export const APPLICATIONS: ReadonlyMap<string, Application> = new Map<string, Application>([
  ['park', park],
  ['answer', (ch) => void answerChannel(ch)],
  ['pre_answer', (ch) => preAnswerChannel(ch)],
  ['ring_ready', (ch) => ch.markRingReady()],
  ['echo', echo],
  ['playback', playback],
  ['sleep', sleepApp],
  ['set', setApp],
  ['export', setApp],
  ['multiset', multisetApp],
  ['unset', (ch, arg) => ch.unsetVar(arg.trim())],
  ['hangup', hangupApp],
  ['respond', respondApp],
  ['log', logApp],
  ['record_session', recordSessionApp],
  ['stop_record_session', stopRecordSessionApp],
  ['socket', socketApp],
  ['bert_test', bertTestApp],
]);

/** Applications whose module is optional: they exist only while it is loaded. */
export const APPLICATION_MODULES: ReadonlyMap<string, string> = new Map([['bert_test', 'mod_bert']]);
