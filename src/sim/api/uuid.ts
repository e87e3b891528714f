/**
 * Call-control api commands (mod_commands.c): uuid_answer, uuid_kill,
 * uuid_setvar, uuid_getvar, uuid_broadcast (switch_ivr_async.c
 * switch_ivr_broadcast), uuid_send_dtmf, uuid_exists, uuid_park, uuid_break,
 * uuid_pre_answer, hupall, originate.
 */
import { answerChannel, preAnswerChannel } from '../apps.js';
import { parkSession } from '../bridge.js';
import type { SimChannel } from '../channel.js';
import type { EventOrigin } from '../event.js';
import { parseCause } from '../hangup-causes.js';
import { originateApi } from '../originate.js';
import type { SimRuntime } from '../runtime.js';
import { separateString } from '../separate-string.js';
import type { ApiHandler } from './registry.js';

const NO_CHANNEL = '-ERR No such channel!\n';
const KILL_ORIGIN: EventOrigin = { file: 'switch_ivr.c', func: 'switch_ivr_kill_uuid', line: 4404 };
const HUPALL_ORIGIN: EventOrigin = { file: 'switch_core_session.c', func: 'switch_core_session_hupall', line: 539 };
const BROADCAST_ORIGIN: EventOrigin = { file: 'switch_ivr_async.c', func: 'switch_ivr_broadcast', line: 5732 };

/** Splits `uuid rest...` on the first space. */
function uuidAnd(args: string): [string, string] {
  const t = args.trim();
  const sp = t.indexOf(' ');
  return sp < 0 ? [t, ''] : [t.slice(0, sp), t.slice(sp + 1).trim()];
}

function live(sim: SimRuntime, uuid: string): SimChannel | undefined {
  const ch = sim.channel(uuid);
  return ch && !ch.hungup ? ch : undefined;
}

const uuidAnswer: ApiHandler = (sim, { args }) => {
  const ch = live(sim, uuidAnd(args)[0]);
  if (!ch) return NO_CHANNEL;
  return answerChannel(ch) ? '+OK\n' : '-ERR Could not answer\n';
};

const uuidPreAnswer: ApiHandler = (sim, { args }) => {
  const ch = live(sim, uuidAnd(args)[0]);
  if (!ch) return NO_CHANNEL;
  preAnswerChannel(ch);
  return '+OK\n';
};

const uuidKill: ApiHandler = (sim, { args }) => {
  const [uuid, rest] = uuidAnd(args);
  if (uuid === '') return '-USAGE: <uuid> [cause]\n';
  const ch = live(sim, uuid);
  if (!ch) return NO_CHANNEL;
  ch.hangup(parseCause(rest) ?? 'NORMAL_CLEARING', KILL_ORIGIN);
  return '+OK\n';
};

/**
 * uuid_setvar_function splits `<uuid> <var> [value]` with
 * switch_separate_string into at most three: the value runs to the end with
 * its inner spaces, but loses its quotes and edge spaces and has its escapes
 * resolved. No value (or an empty one) unsets the variable.
 */
const uuidSetvar: ApiHandler = (sim, { args }) => {
  const argv = separateString(args, ' ', 3);
  const [uuid = '', name = '', value = ''] = argv;
  if ((argv.length !== 2 && argv.length !== 3) || uuid === '') return '-USAGE: <uuid> <var> [value]\n';
  const ch = live(sim, uuid);
  if (!ch) return NO_CHANNEL;
  if (name === '') return '-ERR No variable specified\n';
  if (value === '' || value === 'undef' || value === '_undef_') ch.unsetVar(name);
  else ch.setVar(name, value);
  return '+OK\n';
};

const uuidGetvar: ApiHandler = (sim, { args }) => {
  const [uuid, name] = uuidAnd(args);
  if (uuid === '' || name === '') return '-USAGE: <uuid> <var>\n';
  const ch = live(sim, uuid);
  if (!ch) return NO_CHANNEL;
  return ch.getVar(name.split(' ')[0]!) ?? '_undef_';
};

/** Queues `execute playback <path>` on the leg(s), as switch_ivr_broadcast does. */
const uuidBroadcast: ApiHandler = (sim, { args }) => {
  const [uuid, rest] = uuidAnd(args);
  const parts = rest.split(/\s+/);
  const path = parts[0] ?? '';
  const flag = (parts[1] ?? 'aleg').toLowerCase();
  if (uuid === '' || path === '') return '-USAGE: <uuid> <path> [aleg|bleg|holdb|both]\n';
  const ch = live(sim, uuid);
  if (!ch) return NO_CHANNEL;
  const targets: SimChannel[] = [];
  if (flag === 'aleg' || flag === 'both') targets.push(ch);
  if ((flag === 'bleg' || flag === 'both') && ch.bridgedTo && !ch.bridgedTo.hungup) targets.push(ch.bridgedTo);
  for (const target of targets) {
    // The COMMAND event is created (and numbered) here but only ever seen inside PRIVATE_COMMAND.
    const command = sim.core.createEvent('COMMAND', BROADCAST_ORIGIN);
    command.add('call-command', 'execute');
    command.add('execute-app-name', 'playback');
    command.add('execute-app-arg', path);
    command.add('event-lock', 'true');
    command.add('lead-frames', '5');
    target.queuePrivate({ headers: command.headers, body: undefined, fromBroadcast: true });
  }
  return '+OK Message sent\n';
};

const uuidSendDtmf: ApiHandler = (sim, { args }) => {
  const [uuid, rest] = uuidAnd(args);
  if (uuid === '' || rest === '') return '-USAGE: <uuid> <dtmf_data>\n';
  const ch = live(sim, uuid);
  // uuid_send_dtmf_function's own wording, not the usual `No such channel!`.
  if (!ch) return '-ERR Cannot locate session!\n';
  const [digits = '', dur] = rest.split('@');
  const durationMs = dur !== undefined && Number.parseInt(dur, 10) > 0 ? Number.parseInt(dur, 10) : 250;
  ch.hooks.sendDtmf?.(ch, digits, durationMs);
  return `+OK ${uuid} sent DTMF ${rest}.\n`;
};

const uuidExists: ApiHandler = (sim, { args }) => (live(sim, uuidAnd(args)[0]) ? 'true' : 'false');

/** `uuid_park <uuid>`: the channel leaves its application for CS_PARK (switch_ivr_park_session). */
const uuidPark: ApiHandler = (sim, { args }) => {
  const uuid = args.trim();
  if (uuid === '') return '-USAGE: <uuid>\n';
  const ch = live(sim, uuid);
  if (!ch || !parkSession(ch)) return NO_CHANNEL;
  return '+OK\n';
};

/**
 * break_function sets CF_BREAK (or stops a broadcast, which sets it too): the
 * application running stops, whether the dialplan, a sendmsg execute or
 * uuid_broadcast started it, parked channel or not; park itself is not
 * broken. Success writes nothing; a missing channel is `-ERR No Such
 * Channel!`.
 */
const uuidBreak: ApiHandler = (sim, { args }) => {
  const [uuid] = uuidAnd(args);
  if (uuid === '') return '-USAGE: <uuid> [all]\n';
  const ch = live(sim, uuid);
  if (!ch) return '-ERR No Such Channel!\n';
  const running = ch.appStack[ch.appStack.length - 1];
  if (running !== undefined && running.name.toLowerCase() !== 'park') {
    ch.breakRequested = true;
    ch.wake();
  }
  return '';
};

/** `hupall [cause] [var value]` (switch_core_session_hupall / _matching_var). */
const hupall: ApiHandler = (sim, { args }) => {
  const [causeText = '', name, value] = args.trim().split(/\s+/);
  const cause = parseCause(causeText) ?? 'MANAGER_REQUEST';
  for (const ch of [...sim.core.channels.values()]) {
    if (ch.hungup) continue;
    if (name !== undefined && value !== undefined && ch.getVar(name) !== value) continue;
    ch.hangup(cause, HUPALL_ORIGIN);
  }
  if (name !== undefined && value !== undefined) {
    return `+OK hangup all channels matching [${name}]=[${value}] with cause: ${cause}\n`;
  }
  return `+OK hangup all channels with cause ${cause}\n`;
};

export const uuidApis: Readonly<Record<string, ApiHandler>> = {
  uuid_answer: uuidAnswer,
  uuid_pre_answer: uuidPreAnswer,
  uuid_kill: uuidKill,
  uuid_setvar: uuidSetvar,
  uuid_getvar: uuidGetvar,
  uuid_broadcast: uuidBroadcast,
  uuid_send_dtmf: uuidSendDtmf,
  uuid_exists: uuidExists,
  uuid_park: uuidPark,
  uuid_break: uuidBreak,
  hupall,
  originate: (sim, { args }) => originateApi(sim, args),
};
