/**
 * Module api commands: `module_exists <mod>` (mod_commands.c
 * module_exists_function: `true` / `false`, nothing for no name) over the
 * simulator's loaded modules, and `sim_bert_lose <uuid> [windows]`
 * (simulator only) making mod_bert's bert_test lose sync.
 */
import { BERT_LOSE_VAR } from '../bert.js';
import type { ApiHandler } from './registry.js';

/** What docker/freeswitch/conf/autoload_configs/modules.conf.xml loads. */
export const DEFAULT_MODULES: readonly string[] = [
  'mod_console',
  'mod_logfile',
  'mod_event_socket',
  'mod_sofia',
  'mod_loopback',
  'mod_commands',
  'mod_dptools',
  'mod_dialplan_xml',
  'mod_sndfile',
  'mod_native_file',
  'mod_tone_stream',
];

const moduleExists: ApiHandler = (sim, { args }) => {
  const name = args.trim();
  if (name === '') return '';
  return sim.core.modules.has(name) ? 'true' : 'false';
};

const simBertLose: ApiHandler = (sim, { args }) => {
  const [uuid = '', windowsText] = args.trim().split(/\s+/);
  if (uuid === '') return '-USAGE: sim_bert_lose <uuid> [windows]\n';
  if (!sim.core.modules.has('mod_bert')) return '-ERR mod_bert is not loaded\n';
  const ch = sim.channel(uuid);
  if (!ch || ch.hungup) return '-ERR No such channel!\n';
  const windows = Number.parseInt(windowsText ?? '1', 10);
  ch.setVar(BERT_LOSE_VAR, String(Number.isFinite(windows) && windows > 0 ? windows : 1));
  return '+OK\n';
};

export const moduleApis: Readonly<Record<string, ApiHandler>> = {
  module_exists: moduleExists,
  sim_bert_lose: simBertLose,
};
