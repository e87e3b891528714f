/**
 * Muting and level changes on a channel's audio (switch_ivr_async.c
 * switch_ivr_session_audio / switch_ivr_stop_session_audio, behind
 * mod_commands.c `uuid_audio`). The first start pre-answers the channel and
 * adds one media bug (function `audio`, target the command, `mute` or
 * `level`), kept in the channel's `__audio` private: MEDIA_BUG_START. Later
 * starts only change the bug's settings, so they fire nothing; `stop` and the
 * hangup remove it: MEDIA_BUG_STOP.
 */
import { preAnswerChannel } from './apps.js';
import type { SimChannel } from './channel.js';
import type { EventOrigin } from './event.js';

const BUG_START_ORIGIN: EventOrigin = { file: 'switch_core_media_bug.c', func: 'switch_core_media_bug_add', line: 1014 };
const BUG_STOP_ORIGIN: EventOrigin = { file: 'switch_core_media_bug.c', func: 'switch_core_media_bug_destroy', line: 84 };
const BUG_FUNCTION = 'audio';

export type AudioDirection = 'read' | 'write';

/** switch_session_audio_t: a mute (0 off, 1 silence, >1 comfort noise level) and a volume level per direction. */
export interface SessionAudio {
  readonly target: string;
  readMute: number;
  readLevel: number;
  writeMute: number;
  writeLevel: number;
}

const audioBugs = new WeakMap<SimChannel, SessionAudio>();

/**
 * Applies `mute <level>` or `level <level>` to one direction. A level outside
 * -4..4 is ignored (the bug is still added), as switch_ivr_session_audio does.
 * False when the channel cannot be pre-answered.
 */
export function setSessionAudio(ch: SimChannel, cmd: 'mute' | 'level', direction: AudioDirection, level: number): boolean {
  if (ch.hungup) return false;
  if (!ch.answered && ch.answerState !== 'early') preAnswerChannel(ch);
  if (ch.hungup) return false;
  let audio = audioBugs.get(ch);
  const added = audio === undefined;
  audio ??= { target: cmd, readMute: 0, readLevel: 0, writeMute: 0, writeLevel: 0 };
  if (cmd === 'mute') {
    if (direction === 'read') [audio.readMute, audio.readLevel] = [level, 0];
    else [audio.writeMute, audio.writeLevel] = [level, 0];
  } else if (level < 5 && level > -5) {
    if (direction === 'read') audio.readLevel = level;
    else audio.writeLevel = level;
  }
  if (added) {
    audioBugs.set(ch, audio);
    ch.fire('MEDIA_BUG_START', BUG_START_ORIGIN, { pre: bugHeaders(audio.target) });
  }
  return true;
}

/** The channel's audio settings while its `audio` bug is on. */
export function sessionAudio(ch: SimChannel): Readonly<SessionAudio> | undefined {
  return audioBugs.get(ch);
}

/** switch_ivr_stop_session_audio: removes the bug; false when there was none. */
export function stopSessionAudio(ch: SimChannel): boolean {
  const audio = audioBugs.get(ch);
  if (!audio) return false;
  audioBugs.delete(ch);
  ch.fire('MEDIA_BUG_STOP', BUG_STOP_ORIGIN, { pre: bugHeaders(audio.target) });
  return true;
}

function bugHeaders(target: string): Array<[string, string]> {
  return [
    ['Media-Bug-Function', BUG_FUNCTION],
    ['Media-Bug-Target', target],
  ];
}
