/**
 * Media api commands (mod_commands.c): `uuid_record <uuid>
 * start|stop|mask|unmask <path> [<limit>]` (session_record_function over
 * switch_ivr_async.c) and `uuid_audio <uuid> [start [read|write]
 * [mute|level <level>]|stop]` (session_audio_function over
 * switch_ivr_session_audio). Texts are mod_commands.c's.
 */
import { setSessionAudio, stopSessionAudio } from '../audio.js';
import { maskRecording, startRecording, stopRecording } from '../record.js';
import { separateString } from '../separate-string.js';
import type { ApiHandler } from './registry.js';

const RECORD_USAGE = '-USAGE: <uuid> [start|stop|mask|unmask] <path> [<limit>]\n';

const uuidRecord: ApiHandler = (sim, { args }) => {
  const argv = args.trim().split(' ').filter((t) => t !== '');
  if (argv.length < 3) return RECORD_USAGE;
  const [uuid = '', action = '', path = '', limitText] = argv;
  const ch = sim.channel(uuid);
  if (!ch || ch.destroyed) return '-ERR Cannot locate session!\n';
  // atoi: a limit that is not a number is 0 (no limit).
  const limit = limitText !== undefined ? Number.parseInt(limitText, 10) || 0 : 0;
  switch (action.toLowerCase()) {
    case 'start':
      return startRecording(ch, path, limit) ? '+OK Success\n' : '-ERR Cannot record session!\n';
    case 'stop':
      return stopRecording(ch, path) ? '+OK Success\n' : '-ERR Cannot stop record session!\n';
    case 'mask':
      return maskRecording(ch, path, true) ? '+OK Success\n' : '-ERR Cannot mask recording session!\n';
    case 'unmask':
      return maskRecording(ch, path, false) ? '+OK Success\n' : '-ERR Cannot unmask recording session!\n';
    default:
      return RECORD_USAGE;
  }
};

const AUDIO_USAGE = '-USAGE: <uuid> [start [read|write] [mute|level <level>]|stop]\n';

/**
 * session_audio_function: a missing channel writes `-ERR No Such Channel!`
 * and then, as nothing counted as a failure, `+OK` as well; every other
 * outcome that is not a usage error is `+OK`, even when the bug could not be
 * added.
 */
const uuidAudio: ApiHandler = (sim, { args }) => {
  const argv = separateString(args, ' ', 5);
  if (argv.length < 2) return AUDIO_USAGE;
  const [uuid = '', action = '', direction = '', cmd = '', levelText = ''] = argv;
  const ch = sim.channel(uuid);
  if (!ch || ch.destroyed) return '-ERR No Such Channel!\n+OK\n';
  if (action.toLowerCase() === 'stop') {
    stopSessionAudio(ch);
    return '+OK\n';
  }
  const dir = direction.toLowerCase();
  const what = cmd.toLowerCase();
  if (action.toLowerCase() !== 'start' || argv.length < 5 || (dir !== 'read' && dir !== 'write')) return AUDIO_USAGE;
  if (what !== 'mute' && what !== 'level') return AUDIO_USAGE;
  // atoi: leading digits, else 0.
  setSessionAudio(ch, what, dir, Number.parseInt(levelText, 10) || 0);
  return '+OK\n';
};

export const mediaApis: Readonly<Record<string, ApiHandler>> = {
  uuid_record: uuidRecord,
  uuid_audio: uuidAudio,
};
