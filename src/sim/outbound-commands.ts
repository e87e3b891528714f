/**
 * The commands of an outbound socket, in the order of mod_event_socket.c
 * parse_command() for a listener that controls a session: exit, filter,
 * resume, connect, getvar, myevents, divert_events, sendmsg; then, only when
 * the socket is `full`, api, bgapi, log, linger, nolinger, nolog, event,
 * nixevent, noevents. An empty reply (a refused command, an unset getvar)
 * becomes `-ERR command not found`, as parse_command's `done:` label does.
 */
import { randomUUID } from 'node:crypto';
import type { ClientCommand } from './command-reader.js';
import type { PrivateCommand } from './channel.js';
import { parseLogLevel } from './core.js';
import type { OutboundSimListener } from './outbound-listener.js';
import { drainPrivate } from './session.js';

type Handler = (l: OutboundSimListener, cmd: ClientCommand, rest: string) => string | undefined | Promise<string | undefined>;

const NOT_FOUND = '-ERR command not found';

const tokens = (text: string): string[] => text.split(' ').filter((t) => t !== '');

function header(cmd: ClientCommand, name: string): string | undefined {
  const lower = name.toLowerCase();
  for (const [k, v] of cmd.headers) if (k.toLowerCase() === lower) return v;
  return undefined;
}

const filterCommand: Handler = (l, _cmd, rest) => {
  const text = rest.replace(/^ +/, '');
  const sp = text.indexOf(' ');
  const name = sp < 0 ? text : text.slice(0, sp);
  const value = sp < 0 ? undefined : text.slice(sp + 1);
  if (name.toLowerCase() === 'delete' && value !== undefined) {
    const dsp = value.indexOf(' ');
    const target = dsp < 0 ? value : value.slice(0, dsp);
    const targetValue = dsp < 0 ? undefined : value.slice(dsp + 1);
    l.sub.deleteFilter(target, targetValue);
    return `+OK filter deleted. [${target}][${targetValue ?? ''}]`;
  }
  if (value === undefined) return '-ERR invalid syntax';
  l.sub.addFilter(name, value);
  return `+OK filter added. [${name}]=[${value}]`;
};

const MYEVENTS =
  'CHANNEL_ANSWER CHANNEL_APPLICATION CHANNEL_BRIDGE CHANNEL_CREATE CHANNEL_DATA CHANNEL_DESTROY CHANNEL_EXECUTE CHANNEL_EXECUTE_COMPLETE CHANNEL_HANGUP CHANNEL_HANGUP_COMPLETE CHANNEL_ORIGINATE CHANNEL_UUID CHANNEL_OUTGOING CHANNEL_PARK CHANNEL_PROGRESS CHANNEL_PROGRESS_MEDIA CHANNEL_STATE CHANNEL_UNBRIDGE CHANNEL_UNPARK DETECTED_SPEECH DTMF NOTALK TALK';

/** `myevents [format]`: the channel's events only; the format is found anywhere in the line (strstr). */
const myeventsCommand: Handler = (l, cmd) => {
  if (l.sub.myUuid !== undefined) return '-ERR aready enabled.';
  l.sub.myUuid = l.channel.uuid;
  l.sub.subscribe(tokens(MYEVENTS));
  if (/xml/i.test(cmd.line)) l.sub.format = 'xml';
  if (/json/i.test(cmd.line)) l.sub.format = 'json';
  return '+OK Events Enabled';
};

const divertCommand: Handler = (_l, _cmd, rest) => {
  const onoff = rest.trim();
  if (onoff === '') return '-ERR missing value.';
  return onoff.toLowerCase() === 'on' ? '+OK events diverted' : '+OK events not diverted';
};

/** `sendmsg` without a uuid (or with this channel's) runs on this channel: queued in async mode, inline in static mode. */
const sendmsgCommand: Handler = async (l, cmd, rest) => {
  let uuid = rest.trim();
  if (uuid === '') uuid = header(cmd, 'session-id') ?? '';
  const own = uuid === '' || uuid === l.channel.uuid;
  const body = cmd.body?.toString('utf8');
  const command: PrivateCommand = {
    headers: [['Command', cmd.line], ...cmd.headers.map(([k, v]) => [k, v] as [string, string])],
    body,
    fromBroadcast: false,
  };
  if (own) {
    const async = l.async || /^(true|yes|on|1)$/i.test(header(cmd, 'async') ?? '');
    l.channel.queuePrivate(command);
    // Static mode runs the message on the session thread before answering (switch_ivr_parse_event).
    if (!async) await drainPrivate(l.channel);
    return '+OK';
  }
  const other = l.runtime?.channel(uuid);
  if (!other || other.destroyed) return `-ERR invalid session id [${uuid}]`;
  other.queuePrivate(command);
  return '+OK';
};

const apiCommand: Handler = async (l, _cmd, rest) => {
  const runtime = l.runtime;
  if (!runtime) return NOT_FOUND;
  const sp = rest.indexOf(' ');
  const result = await runtime.executeApi(sp < 0 ? rest : rest.slice(0, sp), sp < 0 ? '' : rest.slice(sp + 1));
  l.apiResponse(result.text === '' ? '-ERR no reply\n' : result.text);
  return undefined;
};

const bgapiCommand: Handler = (l, cmd, rest) => {
  const runtime = l.runtime;
  if (!runtime) return NOT_FOUND;
  const sp = rest.indexOf(' ');
  const job = header(cmd, 'job-uuid') ?? randomUUID();
  l.reply(`+OK Job-UUID: ${job}`, { 'Job-UUID': job });
  runtime.runBackgroundJob(job, sp < 0 ? rest : rest.slice(0, sp), sp < 0 ? '' : rest.slice(sp + 1));
  return undefined;
};

const logCommand: Handler = (l, _cmd, rest) => {
  const levelText = rest.startsWith(' ') ? rest.slice(1) : rest;
  const level = levelText === '' ? 7 : parseLogLevel(levelText);
  if (level === undefined) return '-ERR invalid log level';
  l.logLevel = level;
  return `+OK log level ${levelText} [${level}]`;
};

/** `linger [seconds]`: bare means until the client leaves (-1). */
const lingerCommand: Handler = (l, _cmd, rest) => {
  const seconds = rest.startsWith(' ') && rest.length > 1 ? Number.parseInt(rest.slice(1), 10) || 0 : -1;
  l.lingerSeconds = seconds;
  return seconds === -1 ? '+OK will linger' : `+OK will linger ${seconds} seconds`;
};

const eventCommand: Handler = (l, _cmd, rest) => {
  const sp = rest.indexOf(' ');
  const keys = sp < 0 ? 0 : l.sub.subscribe(tokens(rest.slice(sp + 1)));
  return keys === 0 ? '-ERR no keywords supplied' : `+OK event listener enabled ${l.sub.format}`;
};

const nixeventCommand: Handler = (l, _cmd, rest) => {
  const sp = rest.indexOf(' ');
  const keys = sp < 0 ? 0 : l.sub.nix(tokens(rest.slice(sp + 1)));
  return keys === 0 ? '-ERR no keywords supplied' : '+OK events nixed';
};

/** Allowed on every outbound socket ([prefix, handler, rest offset]). */
const SESSION_COMMANDS: ReadonlyArray<readonly [string, Handler, number]> = [
  ['filter ', filterCommand, 7],
  [
    'resume',
    (l) => {
      l.resume = true;
      l.channel.setVar('socket_resume', 'true');
      return '+OK';
    },
    6,
  ],
  ['connect', (l) => l.sendChannelData(), 7],
  ['getvar', (l, _cmd, rest) => (rest.startsWith(' ') ? (l.channel.getVar(rest.slice(1)) ?? '') : ''), 6],
  ['myevents', myeventsCommand, 8],
  ['divert_events', divertCommand, 13],
  ['sendmsg', sendmsgCommand, 7],
];

/** Only with `full` (LFLAG_FULL). */
const FULL_COMMANDS: ReadonlyArray<readonly [string, Handler, number]> = [
  ['api ', apiCommand, 4],
  ['bgapi ', bgapiCommand, 6],
  ['log', logCommand, 3],
  ['linger', lingerCommand, 6],
  [
    'nolinger',
    (l) => {
      l.lingerSeconds = undefined;
      return '+OK will not linger';
    },
    8,
  ],
  [
    'nolog',
    (l) => {
      if (l.logLevel === undefined) return '-ERR not loging';
      l.logLevel = undefined;
      return '+OK no longer logging';
    },
    5,
  ],
  ['event', eventCommand, 0],
  ['nixevent', nixeventCommand, 0],
  ['noevents', (l) => (l.sub.clear() ? '+OK no longer listening for events' : '-ERR not listening for events'), 8],
];

const startsWithCi = (s: string, prefix: string): boolean => s.slice(0, prefix.length).toLowerCase() === prefix;

/** Runs one command; resolves with the Reply-Text to write (undefined when the handler answered itself). */
export async function outboundCommand(l: OutboundSimListener, cmd: ClientCommand): Promise<string | undefined> {
  const line = cmd.line;
  for (const [prefix, handler, offset] of SESSION_COMMANDS) {
    if (startsWithCi(line, prefix)) return orNotFound(await handler(l, cmd, line.slice(offset)));
  }
  if (!l.full) return NOT_FOUND;
  for (const [prefix, handler, offset] of FULL_COMMANDS) {
    if (startsWithCi(line, prefix)) return orNotFound(await handler(l, cmd, line.slice(offset)));
  }
  return NOT_FOUND;
}

function orNotFound(reply: string | undefined): string | undefined {
  return reply === '' ? NOT_FOUND : reply;
}
