/**
 * Core api commands (mod_commands.c): status, version, global_getvar,
 * hostname, uptime, show, fsctl, sofia status, bgapi, reload/load/unload.
 * Texts are FreeSWITCH 1.11's, byte for byte where the recordings show them.
 */
import { randomUUID } from 'node:crypto';
import { formatUptime, nowMicros } from '../clock.js';
import type { SimRuntime } from '../runtime.js';
import type { ApiHandler } from './registry.js';
import { runFirehose } from '../firehose.js';
import { showApi } from './show.js';

function statusText(sim: SimRuntime): string {
  const core = sim.core;
  const s = core.stats;
  const version = core.identity.version.replace('~', '  ');
  return [
    `UP ${formatUptime(nowMicros() - core.startedAt)}`,
    `FreeSWITCH (Version ${version}) is ready`,
    `${s.sinceStartup} session(s) since startup`,
    `${core.channels.size} session(s) - peak ${s.peak}, last 5min ${s.peakFiveMin} `,
    `${s.perSecondLast} session(s) per Sec out of max ${core.limits.sessionsPerSecond}, peak ${s.perSecondMax}, last 5min ${s.perSecondMax} `,
    `${core.limits.maxSessions} session(s) max`,
    `min idle cpu 0.00/${core.idleCpu.toFixed(2)}`,
    'Current Stack Size/Max 240K/8192K',
    '',
  ].join('\n');
}

/** The global variables `global_getvar` knows (switch_core.c sets these at startup). */
function globalVars(sim: SimRuntime): Array<[string, string]> {
  const id = sim.core.identity;
  return [
    ['hostname', id.hostname],
    ['local_ip_v4', id.ipv4],
    ['local_ip_v6', id.ipv6],
    ['core_uuid', id.coreUuid],
    ['switch_serial', id.coreUuid.slice(0, 8)],
    ['domain', id.ipv4],
    ['domain_name', id.ipv4],
    ['sound_prefix', '/usr/share/freeswitch/sounds/en/us/callie'],
    ['default_password', '1234'],
    ['external_sip_port', String(sim.options.sipSelf.split(':')[1] ?? '5080')],
  ];
}

const globalGetvar: ApiHandler = (sim, { args }) => {
  const name = args.trim();
  const vars = globalVars(sim);
  if (name === '') return vars.map(([k, v]) => `${k}=${v}\n`).join('');
  // An unset variable prints nothing (api_exec then answers `-ERR no reply`).
  return vars.find(([k]) => k === name)?.[1] ?? '';
};

/** `fsctl max_sessions N` / `fsctl sps N` change the limits the originate path enforces. */
const fsctl: ApiHandler = (sim, { args }) => {
  const [cmd = '', value] = args.trim().split(/\s+/);
  const limits = sim.core.limits;
  const n = value !== undefined ? Number.parseInt(value, 10) : Number.NaN;
  switch (cmd.toLowerCase()) {
    case 'max_sessions':
      if (Number.isFinite(n) && n > 0) limits.maxSessions = n;
      return `+OK max sessions: ${limits.maxSessions}\n`;
    case 'sps':
      if (Number.isFinite(n) && n > 0) limits.sessionsPerSecond = n;
      return `+OK sessions per second: ${limits.sessionsPerSecond}\n`;
    case 'loglevel':
      return '+OK log level: info [6]\n';
    case '':
      return '-USAGE: [api_expansion [on|off]|recover|send_sighup|hupall|pause [inbound|outbound]|resume [inbound|outbound]|shutdown [cancel|elegant|asap|now|restart]|sps|sps_peak_reset|sync_clock|sync_clock_when_idle|reclaim_mem|max_sessions|min_dtmf_duration [num]|max_dtmf_duration [num]|default_dtmf_duration [num]|min_idle_cpu|loglevel [level]|debug_level [level]|mdns_resolve [enable|disable]]\n';
    default:
      return '+OK\n';
  }
};

const sofia: ApiHandler = (sim, { args }) => {
  const line = '='.repeat(97);
  const sub = args.trim().toLowerCase();
  if (sub !== '' && sub !== 'status') return '-ERR Usage: sofia status\n';
  const url = `sip:mod_sofia@${sim.options.sipSelf}`;
  return [
    `${'Name'.padStart(25)}\t${'Type'.padStart(7)}\t${'Data'.padStart(42)}\tState`,
    line,
    `${'external'.padStart(25)}\t${'profile'.padStart(7)}\t${url.padStart(42)}\tRUNNING (0)`,
    line,
    '1 profile 0 aliases',
    '',
  ].join('\n');
};

/** `bgapi <cmd>` as an api (mod_commands.c bgapi_function). */
const bgapi: ApiHandler = (sim, { args }) => {
  const text = args.trim();
  if (text === '') return '-ERR Invalid syntax\n';
  const space = text.indexOf(' ');
  const command = space < 0 ? text : text.slice(0, space);
  const rest = space < 0 ? '' : text.slice(space + 1);
  const job = randomUUID();
  sim.runBackgroundJob(job, command, rest);
  return `+OK Job-UUID: ${job}\n`;
};

const reload: ApiHandler = (sim, { args }) => {
  const module = args.trim();
  if (module === 'mod_event_socket') {
    sim.server?.reloadEventSocket();
    return '+OK Reloading XML\n+OK module unloaded\n+OK module loaded\n';
  }
  return module === '' ? '-ERR Invalid syntax\n' : '+OK Reloading XML\n+OK module unloaded\n+OK module loaded\n';
};

/**
 * `sim_firehose <calls>` (simulator only): starts generating the events of
 * that many calls and answers at once; a CUSTOM `sim::firehose` event
 * (Firehose-Calls, Firehose-Events, Firehose-Elapsed-MS) tells when it is done.
 */
const simFirehose: ApiHandler = (sim, { args }) => {
  const calls = Number.parseInt(args.trim(), 10);
  if (!Number.isFinite(calls) || calls <= 0) return '-USAGE: sim_firehose <calls>\n';
  void runFirehose(sim, () => sim.server?.listeners ?? [], { calls }).catch((err: unknown) => {
    sim.logger.error({ err }, 'firehose failed');
  });
  return `+OK firehose ${calls} calls\n`;
};

export const coreApis: Readonly<Record<string, ApiHandler>> = {
  status: statusText,
  version: (sim) => `FreeSWITCH Version ${sim.core.identity.version} ( 64bit)\n`,
  global_getvar: globalGetvar,
  hostname: (sim) => sim.core.identity.hostname,
  uptime: (sim, { args }) => {
    const us = nowMicros() - sim.core.startedAt;
    const unit = args.trim();
    const div: Record<string, number> = { us: 1, ms: 1000, s: 1_000_000, m: 60_000_000, h: 3_600_000_000 };
    return `${Math.floor(us / (div[unit] ?? 1_000_000))}\n`;
  },
  show: showApi,
  fsctl,
  sofia,
  bgapi,
  reload,
  load: () => '+OK Reloading XML\n+OK\n',
  unload: (sim, call) => (call.args.trim() === 'mod_event_socket' ? reload(sim, call) : '+OK\n'),
  eval: (_sim, { args }) => args,
  echo: (_sim, { args }) => args,
  sim_firehose: simFirehose,
};
