/**
 * Session: one FreeSWITCH channel, tracked from its events, controlled with
 * the `uuid_*` commands of mod_commands.c or, for dialplan applications, with
 * `sendmsg <uuid>` + `call-command: execute` (mod_event_socket.c), whose
 * completion is the CHANNEL_EXECUTE_COMPLETE carrying our `Event-UUID` as
 * its `Application-UUID` (switch_ivr.c sets it as the channel's app_uuid).
 *
 * Every verb resolves when FreeSWITCH confirms it: the api reply (`+OK`), or
 * the application's completion. A verb left un-awaited never becomes an
 * unhandled rejection (its failure is logged at debug): await it to see it.
 */

import { randomUUID } from 'node:crypto';
import { assertNoLineBreak, escapeArg, escapeForSplit, escapeLastArg } from '../client/escape.js';
import { CommandError, InvalidArgumentError } from '../errors.js';
import type { EslEvent } from '../protocol/event.js';
import { apiOk, type SessionCommands } from './commands.js';
import { eventTimeMs } from './event-util.js';
import { SessionBase, type WaitOptions } from './session-base.js';

export type { SessionTimes, WaitOptions } from './session-base.js';

export interface ExecuteOptions extends WaitOptions {
  /** Runs the application this many times (`loops` header). */
  readonly loops?: number;
  /** Queue behind the channel's current application (`event-lock: true`). */
  readonly eventLock?: boolean;
}

export interface PlaybackOptions extends WaitOptions {
  /** `endless_playback` instead of `playback`. */
  readonly endless?: boolean;
}

export type AudioDirection = 'read' | 'write';
export type BroadcastLeg = 'aleg' | 'bleg' | 'both';

const CAUSE = /^[A-Z0-9_]+$/;
const DTMF = /^[0-9A-Da-d*#wW]+$/;
const noop = (): void => {};

export class Session extends SessionBase {
  /** Answers the channel (`uuid_answer`). */
  answer(): Promise<void> {
    return this.#run(() => `uuid_answer ${this.uuid}`);
  }

  /** Hangs up with a Q.850 cause name (`uuid_kill`). */
  hangup(cause = 'NORMAL_CLEARING'): Promise<void> {
    return this.#run(() => `uuid_kill ${this.uuid} ${checkCause(cause)}`);
  }

  /** Parks the channel (`uuid_park`). */
  park(): Promise<void> {
    return this.#run(() => `uuid_park ${this.uuid}`);
  }

  /** Plays files in turn (`file_string://` for several); resolves when playback ends. */
  playback(file: string | readonly string[], options: PlaybackOptions = {}): Promise<EslEvent> {
    const files = typeof file === 'string' ? [file] : file;
    if (files.length === 0) {
      return this.#guard(Promise.reject(new InvalidArgumentError('playback needs at least one file')), 'playback');
    }
    const arg = files.length === 1 ? files[0]! : `file_string://${files.join('!')}`;
    return this.execute(options.endless === true ? 'endless_playback' : 'playback', arg, options);
  }

  /** Stops what the channel is playing (`uuid_break`; `all` empties the queue too). */
  breakMedia(all = false): Promise<void> {
    // uuid_break writes nothing on success, which api_exec() reports as "-ERR no reply".
    return this.#api(() => `uuid_break ${this.uuid}${all ? ' all' : ''}`, (reply) => reply.catch(acceptNoReply).then(noop));
  }

  /**
   * Bridges to another channel (a Session or uuid: `uuid_bridge`) or dials a
   * dial string (contains `/`: the `bridge` application, resolving when the
   * bridge ends).
   */
  bridge(target: SessionBase | string): Promise<void> {
    if (typeof target === 'string' && target.includes('/')) {
      return this.#guard(this.execute('bridge', target).then(noop), 'bridge');
    }
    const other = typeof target === 'string' ? target : target.uuid;
    return this.#run(() => `uuid_bridge ${this.uuid} ${escapeArg(other, 'bridge target')}`);
  }

  /** Plays a file or runs `app::args` on a leg without waiting (`uuid_broadcast`). */
  broadcast(path: string, leg: BroadcastLeg = 'aleg'): Promise<void> {
    return this.#run(() => `uuid_broadcast ${this.uuid} ${escapeArg(path, 'path')} ${leg}`);
  }

  /** Starts recording to a file on the FreeSWITCH host (`uuid_record start`). */
  startRecord(path: string, options: { readonly limitSeconds?: number } = {}): Promise<void> {
    return this.#run(() => {
      const limit = options.limitSeconds === undefined ? '' : ` ${checkCount(options.limitSeconds, 'limitSeconds')}`;
      return `uuid_record ${this.uuid} start ${escapeArg(path, 'path')}${limit}`;
    });
  }

  /** Stops one recording, or all of them (`uuid_record stop`). */
  stopRecord(path = 'all'): Promise<void> {
    return this.#run(() => `uuid_record ${this.uuid} stop ${escapeArg(path, 'path')}`);
  }

  /** Sends DTMF digits (`uuid_send_dtmf`), each `durationMs` long when given. */
  sendDtmf(digits: string, durationMs?: number): Promise<void> {
    return this.#run(() => {
      if (!DTMF.test(digits)) throw new InvalidArgumentError(`invalid DTMF digits ${JSON.stringify(digits)}`);
      const duration = durationMs === undefined ? '' : `@${checkCount(durationMs, 'durationMs')}`;
      return `uuid_send_dtmf ${this.uuid} ${digits}${duration}`;
    });
  }

  /** Hangs up in `seconds` (`sched_hangup`). */
  schedHangup(seconds: number, cause = 'NORMAL_CLEARING'): Promise<void> {
    return this.#run(() => `sched_hangup +${checkCount(seconds, 'seconds')} ${this.uuid} ${checkCause(cause)}`);
  }

  /** Sets a channel variable (`uuid_setvar`). */
  setVar(name: string, value: string): Promise<void> {
    return this.#run(() => `uuid_setvar ${this.uuid} ${checkName(name)} ${escapeLastArg(value, `value of ${name}`)}`);
  }

  /**
   * Sets several channel variables in one command (`uuid_setvar_multi`,
   * which splits on the first space, then on `;`, then at the first `=`).
   */
  setVars(vars: Readonly<Record<string, string>>): Promise<void> {
    if (Object.keys(vars).length === 0) return Promise.resolve();
    return this.#run(() => {
      const pairs = Object.entries(vars).map(([name, value]) => {
        assertNoLineBreak(value, `value of ${name}`);
        return `${checkName(name)}=${escapeForSplit(value, ';')}`;
      });
      return `uuid_setvar_multi ${this.uuid} ${pairs.join(';')}`;
    });
  }

  /** Unsets a channel variable (`uuid_setvar` without a value). */
  unsetVar(name: string): Promise<void> {
    return this.#run(() => `uuid_setvar ${this.uuid} ${checkName(name)}`);
  }

  /** A channel variable's current value from FreeSWITCH, or undefined when unset (`uuid_getvar`). */
  getVar(name: string): Promise<string | undefined> {
    return this.#api(
      () => `uuid_getvar ${this.uuid} ${checkName(name)}`,
      (reply) => reply.then((value) => (value === '_undef_' ? undefined : value)),
    );
  }

  /**
   * Runs a dialplan application on the channel (`sendmsg` execute) and
   * resolves with its CHANNEL_EXECUTE_COMPLETE (see `Application-Response`).
   */
  execute(app: string, arg?: string, options: ExecuteOptions = {}): Promise<EslEvent> {
    let headers: Record<string, string>;
    let commands: SessionCommands;
    const appUuid = randomUUID();
    try {
      headers = executeHeaders(app, arg, appUuid, options);
      commands = this.#commands();
    } catch (error) {
      return this.#guard(Promise.reject(error), `execute ${app}`);
    }
    this.ctx.wantEvent?.('CHANNEL_EXECUTE');
    this.ctx.wantEvent?.('CHANNEL_EXECUTE_COMPLETE');
    // Wait first: the completion can arrive on the event socket before the reply.
    const done = this.expect(lastLoopCompleted(appUuid, options.loops ?? 1), `CHANNEL_EXECUTE_COMPLETE of ${app}`, options);
    done.promise.catch(noop);
    const result = commands.sendmsg(this.uuid, headers).then(
      () => done.promise,
      (error: unknown) => {
        done.cancel(error);
        throw error;
      },
    );
    return this.#guard(result, `execute ${app}`);
  }

  /** Echoes the caller's audio back until hangup or `breakMedia()`. */
  echo(options: WaitOptions = {}): Promise<EslEvent> {
    return this.execute('echo', undefined, options);
  }

  /** Mutes what the channel hears (`write`) or sends (`read`) (`uuid_audio ... mute`). */
  mute(direction: AudioDirection = 'write', level = 1): Promise<void> {
    return this.#run(() => `uuid_audio ${this.uuid} start ${checkDirection(direction)} mute ${Math.trunc(level)}`);
  }

  unmute(direction: AudioDirection = 'write'): Promise<void> {
    return this.mute(direction, 0);
  }

  /** Text to speech with the `speak` application (`engine|voice|text`). */
  speak(text: string, options: WaitOptions & { readonly engine?: string; readonly voice?: string } = {}): Promise<EslEvent> {
    return this.execute('speak', `${options.engine ?? 'flite'}|${options.voice ?? 'kal'}|${text}`, options);
  }

  /** Answers an unanswered inbound call with a SIP response (`respond 486`). */
  respond(response: number | string, options: WaitOptions = {}): Promise<EslEvent> {
    return this.execute('respond', String(response), options);
  }

  /** Redirects an answered SIP call with a REFER (`deflect sip:...`). */
  deflect(uri: string, options: WaitOptions = {}): Promise<EslEvent> {
    return this.execute('deflect', uri, options);
  }

  #commands(): SessionCommands {
    const commands = this.ctx.commands;
    if (commands === undefined) {
      throw new InvalidArgumentError(
        `session ${this.uuid} has no command connection: create a Client with this listener (or use an outbound socket session)`,
      );
    }
    return commands;
  }

  /** Builds and sends an api command; a refused argument rejects like a refused command. */
  #run(build: () => string): Promise<void> {
    return this.#api(build, (reply) => reply.then(noop));
  }

  /** Sends `api <build()>`; `then` shapes the reply; the final promise is guarded. */
  #api<T>(build: () => string, then: (reply: Promise<string>) => Promise<T>): Promise<T> {
    let command = 'api';
    let reply: Promise<string>;
    try {
      command = build();
      reply = apiOk(this.#commands(), command);
    } catch (error) {
      reply = Promise.reject(error);
    }
    return this.#guard(then(reply), command);
  }

  /** Marks the promise handled (a fire-and-forget verb must not crash the process) and logs its failure. */
  #guard<T>(promise: Promise<T>, what: string): Promise<T> {
    promise.catch((error: unknown) => {
      this.ctx.logger.debug({ uuid: this.uuid, err: error }, `${firstWord(what)} failed`);
    });
    return promise;
  }
}

function executeHeaders(app: string, arg: string | undefined, appUuid: string, options: ExecuteOptions): Record<string, string> {
  if (!/^[A-Za-z0-9_]+$/.test(app)) throw new InvalidArgumentError(`invalid application name ${JSON.stringify(app)}`);
  const headers: Record<string, string> = {
    'call-command': 'execute',
    'execute-app-name': app,
    'Event-UUID': appUuid,
  };
  if (arg !== undefined && arg !== '') headers['execute-app-arg'] = arg;
  if (options.loops !== undefined) headers.loops = String(checkCount(options.loops, 'loops'));
  if (options.eventLock === true) headers['event-lock'] = 'true';
  return headers;
}

function acceptNoReply(error: unknown): string {
  if (error instanceof CommandError && error.reply.startsWith('-ERR no reply')) return '';
  throw error;
}

function checkCause(cause: string): string {
  if (!CAUSE.test(cause)) throw new InvalidArgumentError(`invalid hangup cause ${JSON.stringify(cause)}`);
  return cause;
}

function checkName(name: string): string {
  if (!/^[A-Za-z0-9_][A-Za-z0-9_.:-]*$/.test(name)) {
    throw new InvalidArgumentError(`invalid channel variable name ${JSON.stringify(name)}`);
  }
  return name;
}

function checkCount(n: number, what: string): number {
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError(`${what} must be a whole number >= 0, got ${n}`);
  return n;
}

function checkDirection(direction: string): string {
  if (direction !== 'read' && direction !== 'write') {
    throw new InvalidArgumentError(`direction must be read or write, got ${JSON.stringify(direction)}`);
  }
  return direction;
}

function firstWord(s: string): string {
  const i = s.indexOf(' ');
  return i < 0 ? s : s.slice(0, i);
}

/**
 * Matches the CHANNEL_EXECUTE_COMPLETE that ends a `sendmsg` execute of
 * `loops` iterations. Every iteration carries the same Application-UUID (our
 * Event-UUID), and switch_ivr.c (switch_ivr_parse_event) stops looping early
 * when an iteration lasted under 500 ms, so the last completion is the
 * `loops`-th one or the first short one.
 */
function lastLoopCompleted(appUuid: string, loops: number): (event: EslEvent) => boolean {
  let completed = 0;
  let startedAt: number | undefined;
  return (event) => {
    if (event.get('Application-UUID') !== appUuid) return false;
    if (event.name === 'CHANNEL_EXECUTE') {
      startedAt = eventTimeMs(event);
      return false;
    }
    if (event.name !== 'CHANNEL_EXECUTE_COMPLETE') return false;
    completed++;
    const short = startedAt !== undefined && eventTimeMs(event) - startedAt < SHORT_LOOP_MS;
    return completed >= loops || short;
  };
}

/** switch_ivr.c ends a looped execute after an iteration shorter than this. */
const SHORT_LOOP_MS = 500;
