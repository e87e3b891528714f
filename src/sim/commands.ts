/**
 * The ESL commands of an inbound connection, checked in the order of
 * mod_event_socket.c parse_command(): the `reload mod_event_socket` cheat,
 * exit, auth/userauth (all that is allowed before auth), filter, myevents,
 * divert_events, sendmsg, then sendevent, api, bgapi, log, linger, nolinger,
 * nolog, event, nixevent, noevents. FreeSWITCH matches most of them by prefix
 * (`strncasecmp`), and so does this table. Anything else is
 * `-ERR command not found`.
 */
import { randomUUID } from 'node:crypto';
import type { ClientCommand } from './command-reader.js';
import type { PrivateCommand } from './channel.js';
import type { EventOrigin } from './event.js';
import { parseLogLevel } from './core.js';
import { canonicalEventName, SimEvent } from './event.js';
import { GOODBYE, type Listener } from './listener.js';

type Handler = (l: Listener, cmd: ClientCommand, rest: string) => void | Promise<void>;

const SENDEVENT_ORIGIN: EventOrigin = { file: 'mod_event_socket.c', func: 'parse_command', line: 2272 };

function header(cmd: ClientCommand, name: string): string | undefined {
  const lower = name.toLowerCase();
  for (const [k, v] of cmd.headers) if (k.toLowerCase() === lower) return v;
  return undefined;
}

const tokens = (text: string): string[] => text.split(' ').filter((t) => t !== '');

/** `exit` (and `...`): +OK bye, then the goodbye notice and close. */
const exitCommand: Handler = (l) => {
  l.reply('+OK bye');
  l.disconnect(GOODBYE);
};

const authCommand: Handler = (l, _cmd, rest) => {
  if (rest === l.host.sim.options.password) {
    l.authed = true;
    l.reply('+OK accepted');
  } else {
    l.reply('-ERR invalid');
    l.disconnect(GOODBYE);
  }
};

/** `userauth user@domain:password` against the simulator's users (or its password when it has none). */
const userauthCommand: Handler = (l, _cmd, rest) => {
  const at = rest.indexOf('@');
  const colon = rest.lastIndexOf(':');
  const user = at > 0 ? rest.slice(0, at) : '';
  const domain = at > 0 && colon > at ? rest.slice(at + 1, colon) : '';
  const pass = colon > 0 ? rest.slice(colon + 1) : '';
  const users = l.host.sim.options.users;
  const expected = users ? users.get(`${user}@${domain}`) : l.host.sim.options.password;
  if (user === '' || domain === '' || expected === undefined || expected !== pass) {
    l.reply('-ERR invalid');
    l.disconnect(GOODBYE);
    return;
  }
  l.authed = true;
  l.reply('+OK accepted', { 'Allowed-Events': 'all', 'Allowed-API': 'all', 'Allowed-LOG': 'true' });
};

const filterCommand: Handler = (l, _cmd, rest) => {
  const text = rest.replace(/^ +/, '');
  const sp = text.indexOf(' ');
  let name = sp < 0 ? text : text.slice(0, sp);
  let value: string | undefined = sp < 0 ? undefined : text.slice(sp + 1);
  if (name.toLowerCase() === 'delete' && value !== undefined) {
    const dsp = value.indexOf(' ');
    const target = dsp < 0 ? value : value.slice(0, dsp);
    const targetValue = dsp < 0 ? undefined : value.slice(dsp + 1);
    l.sub.deleteFilter(target, targetValue);
    l.reply(`+OK filter deleted. [${target}][${targetValue ?? ''}]`);
    return;
  }
  if (value === undefined) {
    l.reply('-ERR invalid syntax');
    return;
  }
  if (name.toLowerCase() === 'add') {
    const asp = value.indexOf(' ');
    name = asp < 0 ? value : value.slice(0, asp);
    value = asp < 0 ? '' : value.slice(asp + 1);
  }
  l.sub.addFilter(name, value);
  l.reply(`+OK filter added. [${name}]=[${value}]`);
};

/** `myevents <uuid> [format]` on an inbound connection. */
const myeventsCommand: Handler = (l, _cmd, rest) => {
  const [uuid = '', format] = tokens(rest);
  if (l.sub.myUuid !== undefined) {
    l.reply('-ERR aready enabled.');
    return;
  }
  if (!l.host.sim.channel(uuid) && format !== undefined) {
    l.reply('-ERR invalid uuid');
    return;
  }
  l.sub.myUuid = uuid;
  const names = 'CHANNEL_ANSWER CHANNEL_APPLICATION CHANNEL_BRIDGE CHANNEL_CREATE CHANNEL_DATA CHANNEL_DESTROY CHANNEL_EXECUTE CHANNEL_EXECUTE_COMPLETE CHANNEL_HANGUP CHANNEL_HANGUP_COMPLETE CHANNEL_ORIGINATE CHANNEL_UUID CHANNEL_OUTGOING CHANNEL_PARK CHANNEL_PROGRESS CHANNEL_PROGRESS_MEDIA CHANNEL_STATE CHANNEL_UNBRIDGE CHANNEL_UNPARK DETECTED_SPEECH DTMF NOTALK TALK';
  l.sub.subscribe(tokens(names));
  const f = (format ?? '').toLowerCase();
  if (f === 'xml' || f === 'json' || f === 'plain') l.sub.format = f;
  l.reply('+OK Events Enabled');
};

const sendmsgCommand: Handler = (l, cmd, rest) => {
  const uuid = rest.trim() !== '' ? rest.trim() : (header(cmd, 'session-id') ?? '');
  const ch = uuid !== '' ? l.host.sim.channel(uuid) : undefined;
  if (!ch || ch.destroyed) {
    l.reply(`-ERR invalid session id [${uuid}]`);
    return;
  }
  const body = cmd.body?.toString('utf8');
  const command: PrivateCommand = {
    headers: [['Command', cmd.line], ...cmd.headers.map(([k, v]) => [k, v] as [string, string])],
    body,
    fromBroadcast: false,
  };
  ch.queuePrivate(command);
  l.reply('+OK');
};

/** `sendevent NAME` with headers and body: fired as FreeSWITCH fires it (Event-UUID in the reply). */
const sendeventCommand: Handler = (l, cmd, rest) => {
  const core = l.host.sim.core;
  const eventUuid = randomUUID();
  const name = canonicalEventName(rest.trim()) ?? 'CLONE';
  const subclass = name === 'CUSTOM' ? header(cmd, 'Event-Subclass') : undefined;
  const headers: Array<[string, string]> = [['Command', cmd.line]];
  for (const [k, v] of cmd.headers) {
    if (subclass !== undefined && k.toLowerCase() === 'event-subclass') continue;
    headers.push([k, v]);
  }
  if (subclass !== undefined) headers.unshift(['Event-Subclass', subclass]);
  headers.push(['Event-UUID', eventUuid]);
  const target = header(cmd, 'unique-id');
  // Addressed to a live channel, the event goes to that session's queue and is not fired.
  if (target === undefined || !l.host.sim.channel(target)) {
    // The command's own headers come first; the base block is appended when it is fired.
    core.appendBaseHeaders(headers, name, SENDEVENT_ORIGIN);
    const body = cmd.body?.toString('utf8');
    core.fire(new SimEvent(name, headers, subclass, body !== '' ? body : undefined));
  }
  l.reply(`+OK ${eventUuid}`);
};

const apiCommand: Handler = async (l, _cmd, rest) => {
  const sp = rest.indexOf(' ');
  const command = sp < 0 ? rest : rest.slice(0, sp);
  const args = sp < 0 ? '' : rest.slice(sp + 1);
  const result = await l.host.sim.executeApi(command, args);
  l.apiResponse(result.text === '' ? '-ERR no reply\n' : result.text);
};

const bgapiCommand: Handler = (l, cmd, rest) => {
  const sp = rest.indexOf(' ');
  const command = sp < 0 ? rest : rest.slice(0, sp);
  const args = sp < 0 ? '' : rest.slice(sp + 1);
  const job = header(cmd, 'job-uuid') ?? randomUUID();
  l.reply(`+OK Job-UUID: ${job}`, { 'Job-UUID': job });
  l.host.sim.runBackgroundJob(job, command, args);
};

const logCommand: Handler = (l, _cmd, rest) => {
  // `log` alone is debug; `log X` takes X (a name or a number).
  const levelText = rest.startsWith(' ') ? rest.slice(1) : rest;
  const level = levelText === '' ? 7 : parseLogLevel(levelText);
  if (level === undefined) {
    l.reply('-ERR invalid log level');
    return;
  }
  l.logLevel = level;
  l.reply(`+OK log level ${levelText} [${level}]`);
};

const nologCommand: Handler = (l) => {
  if (l.logLevel === undefined) {
    l.reply('-ERR not loging');
    return;
  }
  l.logLevel = undefined;
  l.reply('+OK no longer logging');
};

const eventCommand: Handler = (l, _cmd, rest) => {
  const sp = rest.indexOf(' ');
  const keys = sp < 0 ? 0 : l.sub.subscribe(tokens(rest.slice(sp + 1)));
  if (keys === 0) {
    l.reply('-ERR no keywords supplied');
    return;
  }
  l.reply(`+OK event listener enabled ${l.sub.format}`);
};

const nixeventCommand: Handler = (l, _cmd, rest) => {
  const sp = rest.indexOf(' ');
  const keys = sp < 0 ? 0 : l.sub.nix(tokens(rest.slice(sp + 1)));
  l.reply(keys === 0 ? '-ERR no keywords supplied' : '+OK events nixed');
};

const noeventsCommand: Handler = (l) => {
  l.reply(l.sub.clear() ? '+OK no longer listening for events' : '-ERR not listening for events');
};

const notControlling: Handler = (l) => l.reply('-ERR not controlling a session');

/**
 * [prefix, handler, rest offset]: the prefix is matched case-insensitively at
 * the start of the command line; `rest` is what follows the offset.
 */
const AFTER_AUTH: ReadonlyArray<readonly [string, Handler, number]> = [
  ['filter ', filterCommand, 7],
  ['myevents ', myeventsCommand, 9],
  ['divert_events', (l) => l.reply('-ERR not controlling a session.'), 13],
  ['sendmsg', sendmsgCommand, 7],
  ['sendevent', sendeventCommand, 9],
  ['api ', apiCommand, 4],
  ['bgapi ', bgapiCommand, 6],
  ['log', logCommand, 3],
  ['linger', notControlling, 6],
  ['nolinger', notControlling, 8],
  ['nolog', nologCommand, 5],
  ['event', eventCommand, 0],
  ['nixevent', nixeventCommand, 0],
  ['noevents', noeventsCommand, 8],
];

const startsWithCi = (s: string, prefix: string): boolean => s.slice(0, prefix.length).toLowerCase() === prefix;

export async function dispatchCommand(l: Listener, cmd: ClientCommand): Promise<void> {
  let line = cmd.line;
  const lower = line.toLowerCase();
  if (lower.includes('mod_event_socket') && (lower.includes('unload') || lower.includes('reload'))) {
    line = lower.includes('unload') ? 'api bgapi unload mod_event_socket' : 'api bgapi reload mod_event_socket';
  }
  if (startsWithCi(line, 'exit') || line.startsWith('...')) return exitCommand(l, cmd, '');
  if (!l.authed) {
    if (startsWithCi(line, 'auth ')) return authCommand(l, cmd, line.slice(5));
    if (startsWithCi(line, 'userauth ')) return userauthCommand(l, cmd, line.slice(9));
    return l.reply('-ERR command not found');
  }
  for (const [prefix, handler, offset] of AFTER_AUTH) {
    if (startsWithCi(line, prefix)) return handler(l, { ...cmd, line }, line.slice(offset));
  }
  l.reply('-ERR command not found');
}
