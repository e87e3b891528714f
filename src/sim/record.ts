/**
 * Session recording (switch_ivr_async.c switch_ivr_record_session and its
 * media bug's record_callback): RECORD_START (Record-File-Path before the
 * channel data) when the bug is added; when it is removed (stop, the limit,
 * or the hangup's media bug cleanup) record_samples / record_seconds /
 * record_ms and record_completion_cause are set and RECORD_STOP carries
 * Record-File-Path and Record-Completion-Cause (send_record_stop_event). A
 * file shorter than RECORD_MIN_SEC (default 3 s) is discarded:
 * RECORD_DISCARDED=true, `input-too-short`; otherwise a hangup ends it with
 * `success-silence` (`no-input-timeout` before any audio) and anything else
 * with `success-maxtime`. Around them switch_core_media_bug.c fires
 * MEDIA_BUG_START after the INIT callback and MEDIA_BUG_STOP after CLOSE
 * (Media-Bug-Function `session_record`, Media-Bug-Target the path); bugs are
 * kept newest first, so `stop all` and the hangup close the newest first.
 * The api is
 * mod_commands.c session_record_function (`uuid_record`); the applications
 * are mod_dptools.c record_session / stop_record_session.
 */
import type { SimChannel } from './channel.js';
import type { EventOrigin } from './event.js';

const START_ORIGIN: EventOrigin = { file: 'switch_ivr_async.c', func: 'record_callback', line: 1264 };
const STOP_ORIGIN: EventOrigin = { file: 'switch_ivr_async.c', func: 'send_record_stop_event', line: 1203 };
const BUG_START_ORIGIN: EventOrigin = { file: 'switch_core_media_bug.c', func: 'switch_core_media_bug_add', line: 1014 };
const BUG_STOP_ORIGIN: EventOrigin = { file: 'switch_core_media_bug.c', func: 'switch_core_media_bug_destroy', line: 84 };
const BUG_FUNCTION = 'session_record';
/** Every simulated codec runs at 8 kHz. */
const SAMPLES_PER_MS = 8;
/** One 20 ms frame: a recording that has read one has "detected speech" (no silence detection configured). */
const FRAME_MS = 20;
const DEFAULT_MIN_SEC = 3;

interface Recording {
  readonly path: string;
  readonly startedAt: number;
  readonly limitTimer: NodeJS.Timeout | undefined;
  masked: boolean;
}

/** The media bugs of each channel, by file path, in the order they were added. */
const recordings = new WeakMap<SimChannel, Map<string, Recording>>();

function bugsOf(ch: SimChannel): Map<string, Recording> {
  let bugs = recordings.get(ch);
  if (!bugs) {
    bugs = new Map();
    recordings.set(ch, bugs);
  }
  return bugs;
}

/**
 * switch_ivr_record_session: pre-answers a channel without media, then adds
 * the bug; `limitSec` > 0 stops it after that long. False when the channel is
 * gone or the path is already being recorded.
 */
export function startRecording(ch: SimChannel, path: string, limitSec: number): boolean {
  if (ch.hungup || path === '') return false;
  if (!ch.answered && ch.answerState !== 'early') {
    if (ch.hooks.preAnswer) ch.hooks.preAnswer(ch);
    else ch.markPreAnswered();
  }
  if (ch.hungup) return false;
  const bugs = bugsOf(ch);
  if (bugs.has(path)) return false;
  const limitTimer = limitSec > 0 ? ch.core.timer(limitSec * 1000, () => removeBug(ch, path)) : undefined;
  bugs.set(path, { path, startedAt: Date.now(), limitTimer, masked: false });
  ch.fire('RECORD_START', START_ORIGIN, { pre: [['Record-File-Path', path]] });
  ch.fire('MEDIA_BUG_START', BUG_START_ORIGIN, { pre: bugHeaders(path) });
  return true;
}

/** switch_ivr_stop_record_session: `all` stops every recording; false when nothing matched. */
export function stopRecording(ch: SimChannel, path: string): boolean {
  const bugs = recordings.get(ch);
  if (!bugs || bugs.size === 0) return false;
  if (path === 'all') {
    for (const p of [...bugs.keys()].reverse()) removeBug(ch, p);
    return true;
  }
  if (!bugs.has(path)) return false;
  removeBug(ch, path);
  return true;
}

/** switch_ivr_record_session_mask: silence written instead of the audio, until unmasked. */
export function maskRecording(ch: SimChannel, path: string, mask: boolean): boolean {
  const rec = recordings.get(ch)?.get(path);
  if (!rec) return false;
  rec.masked = mask;
  return true;
}

/** Paths being recorded on the channel. */
export function activeRecordings(ch: SimChannel): string[] {
  return [...(recordings.get(ch)?.keys() ?? [])];
}

/** At CS_HANGUP every media bug is removed: each open recording ends with RECORD_STOP. */
export function stopAllRecordings(ch: SimChannel): void {
  const bugs = recordings.get(ch);
  if (!bugs) return;
  for (const p of [...bugs.keys()].reverse()) removeBug(ch, p);
  recordings.delete(ch);
}

function removeBug(ch: SimChannel, path: string): void {
  const bugs = recordings.get(ch);
  const rec = bugs?.get(path);
  if (!bugs || !rec) return;
  bugs.delete(path);
  ch.core.cancelTimer(rec.limitTimer);
  const ms = Date.now() - rec.startedAt;
  const samples = ms * SAMPLES_PER_MS;
  const cause = completionCause(ch, ms);
  ch.setVar('record_samples', String(samples));
  ch.setVar('record_seconds', String(Math.floor(ms / 1000)));
  ch.setVar('record_ms', String(ms));
  ch.setVar('record_completion_cause', cause);
  ch.fire('RECORD_STOP', STOP_ORIGIN, {
    post: [
      ['Record-File-Path', path],
      ['Record-Completion-Cause', cause],
    ],
  });
  ch.fire('MEDIA_BUG_STOP', BUG_STOP_ORIGIN, { pre: bugHeaders(path) });
}

function bugHeaders(path: string): Array<[string, string]> {
  return [
    ['Media-Bug-Function', BUG_FUNCTION],
    ['Media-Bug-Target', path],
  ];
}

/** record_callback's SWITCH_ABC_TYPE_CLOSE: the first cause set wins. */
function completionCause(ch: SimChannel, ms: number): string {
  const minText = ch.getVar('RECORD_MIN_SEC');
  const min = minText !== undefined && /^\d+$/.test(minText) ? Number(minText) : DEFAULT_MIN_SEC;
  if (ms < min * 1000) {
    ch.setVar('RECORD_DISCARDED', 'true');
    return 'input-too-short';
  }
  if (ch.hungup) return ms >= FRAME_MS ? 'success-silence' : 'no-input-timeout';
  return 'success-maxtime';
}

/**
 * mod_dptools record_session: `<path> [+<seconds>]`; a trailing ` +N` (a
 * space before the plus) is the limit, the path itself may contain spaces.
 */
export function recordSessionApp(ch: SimChannel, arg: string): void {
  const data = arg.trim();
  const m = /^(.*?) +\+(\d+)$/.exec(data);
  const path = m ? m[1]! : data;
  const limit = m ? Number.parseInt(m[2]!, 10) : 0;
  startRecording(ch, path, limit);
}

export function stopRecordSessionApp(ch: SimChannel, arg: string): void {
  stopRecording(ch, arg.trim());
}
