/**
 * Media api commands (mod_commands.c): `uuid_record <uuid>
 * start|stop|mask|unmask <path> [<limit>]` (session_record_function over
 * switch_ivr_async.c). Texts are mod_commands.c's.
 */
import { maskRecording, startRecording, stopRecording } from '../record.js';
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

export const mediaApis: Readonly<Record<string, ApiHandler>> = {
  uuid_record: uuidRecord,
};
