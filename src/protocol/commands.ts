/**
 * Command encoders: the complete bytes of one command to FreeSWITCH, ended by
 * the blank line mod_event_socket.c waits for. They follow how
 * mod_event_socket.c's parse_command() reads each command, and refuse (with
 * InvalidArgumentError naming the field) anything that would let a value start
 * a new line or a new command: a CR or LF anywhere, an empty command, a header
 * name with `:`. Nothing is produced when an argument is refused.
 */
import { InvalidArgumentError } from '../errors.js';
import type { EventFormat } from './names.js';

const END = '\n\n';
const FORMATS: ReadonlySet<string> = new Set(['plain', 'json', 'xml']);
/**
 * Header lines longer than this do not fit mod_event_socket's line buffer;
 * switch_ivr.c takes `execute-app-arg` from a text/plain body instead.
 */
export const MAX_APP_ARG_BYTES = 2048;

function refuse(fn: string, field: string, why: string): never {
  throw new InvalidArgumentError(`${fn}: ${field} ${why}`);
}

function noNewline(fn: string, field: string, value: string): string {
  if (typeof value !== 'string') refuse(fn, field, 'must be a string');
  if (value.includes('\n') || value.includes('\r')) refuse(fn, field, 'must not contain CR or LF');
  return value;
}

function nonEmpty(fn: string, field: string, value: string): string {
  noNewline(fn, field, value);
  if (value.trim() === '') refuse(fn, field, 'must not be empty');
  return value;
}

/** A single token: no whitespace at all (it is split on spaces by FreeSWITCH). */
function token(fn: string, field: string, value: string): string {
  nonEmpty(fn, field, value);
  if (/\s/.test(value)) refuse(fn, field, 'must not contain whitespace');
  return value;
}

function line(text: string): Buffer {
  return Buffer.from(text + END, 'utf8');
}

export function encodeAuth(password: string): Buffer {
  return line(`auth ${noNewline('encodeAuth', 'password', password)}`);
}

/** `userauth user@domain:password`; mod_event_socket splits at the first `:`, so the user cannot hold one. */
export function encodeUserAuth(user: string, password: string): Buffer {
  token('encodeUserAuth', 'user', user);
  if (user.includes(':')) refuse('encodeUserAuth', 'user', "must not contain ':'");
  noNewline('encodeUserAuth', 'password', password);
  return line(`userauth ${user}:${password}`);
}

export function encodeApi(command: string): Buffer {
  return line(`api ${nonEmpty('encodeApi', 'command', command)}`);
}

/** `bgapi CMD`, with the client's own Job-UUID header when given (FreeSWITCH then uses it). */
export function encodeBgapi(command: string, jobUuid?: string): Buffer {
  nonEmpty('encodeBgapi', 'command', command);
  if (jobUuid === undefined) return line(`bgapi ${command}`);
  token('encodeBgapi', 'jobUuid', jobUuid);
  return line(`bgapi ${command}\nJob-UUID: ${jobUuid}`);
}

/**
 * Orders event names as mod_event_socket needs them: after `CUSTOM` every
 * token is a subclass, so plain names come first, then `CUSTOM` and the
 * subclasses. A token with `::`, or one following `CUSTOM` in the same string
 * (`'CUSTOM sofia::register'`), is a subclass.
 */
function orderEvents(fn: string, events: readonly string[]): string {
  if (!Array.isArray(events)) refuse(fn, 'events', 'must be an array of event names');
  const names: string[] = [];
  const subclasses: string[] = [];
  let custom = false;
  events.forEach((entry, i) => {
    nonEmpty(fn, `events[${i}]`, entry);
    let afterCustom = false;
    for (const tok of entry.trim().split(/\s+/)) {
      if (tok === 'CUSTOM') {
        custom = afterCustom = true;
      } else if (afterCustom || tok.includes('::')) {
        if (!subclasses.includes(tok)) subclasses.push(tok);
      } else if (!names.includes(tok)) {
        names.push(tok);
      }
    }
  });
  if (custom || subclasses.length > 0) names.push('CUSTOM', ...subclasses);
  if (names.length === 0) refuse(fn, 'events', 'must name at least one event');
  return names.join(' ');
}

export function encodeEvent(format: EventFormat, events: readonly string[]): Buffer {
  if (!FORMATS.has(format)) refuse('encodeEvent', 'format', `must be plain, json or xml, not ${JSON.stringify(format)}`);
  return line(`event ${format} ${orderEvents('encodeEvent', events)}`);
}

export function encodeNixevent(events: readonly string[]): Buffer {
  return line(`nixevent ${orderEvents('encodeNixevent', events)}`);
}

export function encodeNoevents(): Buffer {
  return line('noevents');
}

/**
 * `filter Header value`. The value is the rest of the line (it may hold
 * spaces); a header literally named `add` or `delete` is escaped with
 * FreeSWITCH's `filter add` form so it is not read as the keyword.
 */
export function encodeFilter(header: string, value: string): Buffer {
  token('encodeFilter', 'header', header);
  nonEmpty('encodeFilter', 'value', value);
  const lower = header.toLowerCase();
  const prefix = lower === 'add' || lower === 'delete' ? 'add ' : '';
  return line(`filter ${prefix}${header} ${value}`);
}

/** `filter delete Header [value]`; `filter delete all` removes every filter. */
export function encodeFilterDelete(header: string, value?: string): Buffer {
  token('encodeFilterDelete', 'header', header);
  if (value === undefined) return line(`filter delete ${header}`);
  nonEmpty('encodeFilterDelete', 'value', value);
  return line(`filter delete ${header} ${value}`);
}

function headerLines(fn: string, headers: Record<string, string>): string {
  let out = '';
  for (const [name, value] of Object.entries(headers)) {
    nonEmpty(fn, 'header name', name);
    if (name.includes(':')) refuse(fn, `header name ${JSON.stringify(name)}`, "must not contain ':'");
    if (name !== name.trim()) refuse(fn, `header name ${JSON.stringify(name)}`, 'must not start or end with spaces');
    noNewline(fn, `header ${name}`, value);
    out += `\n${name}: ${value}`;
  }
  return out;
}

function withBody(head: string, body: string | Uint8Array | undefined): Buffer {
  if (body === undefined) return line(head);
  const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  const headBytes = Buffer.from(`${head}\ncontent-length: ${bytes.byteLength}${END}`, 'utf8');
  const out = Buffer.allocUnsafe(headBytes.length + bytes.byteLength);
  headBytes.copy(out, 0);
  out.set(bytes, headBytes.length);
  return out;
}

const isLength = (name: string): boolean => name.toLowerCase() === 'content-length';

/**
 * `sendmsg [uuid]` with its headers (`call-command`, `execute-app-name`,
 * `execute-app-arg`, ...) and an optional body. An `execute-app-arg` longer
 * than MAX_APP_ARG_BYTES or holding a newline is sent as a `text/plain` body,
 * which switch_ivr.c reads as the argument. Content-Length is always computed.
 */
export function encodeSendmsg(uuid: string | undefined, headers: Record<string, string>, body?: string | Uint8Array): Buffer {
  const fn = 'encodeSendmsg';
  if (uuid !== undefined) token(fn, 'uuid', uuid);
  const rest: Record<string, string> = {};
  let argBody: string | undefined;
  for (const [name, value] of Object.entries(headers)) {
    if (isLength(name)) continue;
    if (name.toLowerCase() === 'execute-app-arg' && typeof value === 'string') {
      if (/[\r\n]/.test(value) || Buffer.byteLength(value, 'utf8') > MAX_APP_ARG_BYTES) {
        argBody = value;
        continue;
      }
    }
    rest[name] = value;
  }
  if (argBody !== undefined) {
    if (body !== undefined) refuse(fn, 'body', 'cannot be given with an execute-app-arg that must travel as the body');
    if (Object.keys(rest).some((n) => n.toLowerCase() === 'content-type')) {
      refuse(fn, 'headers', 'cannot set content-type when execute-app-arg travels as the body');
    }
    rest['content-type'] = 'text/plain';
    body = argBody;
  }
  return withBody(`sendmsg${uuid === undefined ? '' : ` ${uuid}`}${headerLines(fn, rest)}`, body);
}

/** `sendevent NAME` with headers and an optional body (mod_event_socket fires it as an event). */
export function encodeSendevent(eventName: string, headers: Record<string, string>, body?: string | Uint8Array): Buffer {
  const fn = 'encodeSendevent';
  token(fn, 'eventName', eventName);
  const rest = Object.fromEntries(Object.entries(headers).filter(([name]) => !isLength(name)));
  return withBody(`sendevent ${eventName}${headerLines(fn, rest)}`, body);
}

/** `linger [seconds]`: keep the socket open after hangup to drain the last events. */
export function encodeLinger(seconds?: number): Buffer {
  if (seconds === undefined) return line('linger');
  if (!Number.isSafeInteger(seconds) || seconds < 0) refuse('encodeLinger', 'seconds', 'must be a non-negative integer');
  return line(`linger ${seconds}`);
}

export function encodeNolinger(): Buffer {
  return line('nolinger');
}

/** `log LEVEL`: a number 0-7 or a name (`debug`, `info`, ...). */
export function encodeLog(level: number | string): Buffer {
  if (typeof level === 'number') {
    if (!Number.isInteger(level) || level < 0 || level > 7) refuse('encodeLog', 'level', 'must be an integer 0-7');
    return line(`log ${level}`);
  }
  return line(`log ${token('encodeLog', 'level', level)}`);
}

export function encodeNolog(): Buffer {
  return line('nolog');
}

export function encodeExit(): Buffer {
  return line('exit');
}

/** Outbound socket: the first command, answered with the channel data. */
export function encodeConnect(): Buffer {
  return line('connect');
}

/** Outbound socket: subscribe to this channel's events only. */
export function encodeMyevents(format?: EventFormat): Buffer {
  if (format === undefined) return line('myevents');
  if (!FORMATS.has(format)) refuse('encodeMyevents', 'format', `must be plain, json or xml, not ${JSON.stringify(format)}`);
  return line(`myevents ${format}`);
}

export function encodeDivertEvents(on: boolean): Buffer {
  if (typeof on !== 'boolean') refuse('encodeDivertEvents', 'on', 'must be a boolean');
  return line(`divert_events ${on ? 'on' : 'off'}`);
}

export function encodeResume(): Buffer {
  return line('resume');
}

export function encodeGetvar(name: string): Buffer {
  return line(`getvar ${token('encodeGetvar', 'name', name)}`);
}
