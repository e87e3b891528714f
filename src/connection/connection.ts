/**
 * An inbound Event Socket connection to FreeSWITCH, following
 * mod_event_socket.c: what is said on a link. Per socket:
 *
 *   auth/request -> `auth` (or `userauth`) -> +OK accepted -> [restore] -> queued commands
 *
 * then `command/reply` and `api/response` frames settle commands first in,
 * first out (reply-queue.ts), events and log lines go to listeners, and a
 * `text/disconnect-notice` ends the link unless its Content-Disposition is
 * `linger`. Opening, losing, reconnecting and closing are in lifecycle.ts.
 */

import { randomUUID } from 'node:crypto';
import { AuthError, CommandError, DisconnectedError, InvalidArgumentError } from '../errors.js';
import {
  encodeApi,
  encodeAuth,
  encodeBgapi,
  encodeEvent,
  encodeFilter,
  encodeFilterDelete,
  encodeLinger,
  encodeLog,
  encodeNixevent,
  encodeNoevents,
  encodeNolinger,
  encodeNolog,
  encodeSendmsg,
  encodeUserAuth,
} from '../protocol/commands.js';
import { EslEvent } from '../protocol/event.js';
import type { Frame } from '../protocol/frame.js';
import { ContentType, type EventFormat, Header } from '../protocol/names.js';
import { checkCommandBytes, replyText } from './command-bytes.js';
import { ConnectionLifecycle } from './lifecycle.js';
import type { Link } from './link.js';
import { describeCommand } from './redact.js';
import type { PendingCommand } from './reply-queue.js';
import { eventTokens, splitEventTokens } from './subscriptions.js';
import type { ConnectionOptions } from './types.js';

const FORMATS: readonly EventFormat[] = ['plain', 'json', 'xml'];

export interface BgapiResult {
  readonly jobUuid: string;
  /** FreeSWITCH's Reply-Text, `+OK Job-UUID: ...`. */
  readonly reply: string;
}

export class Connection extends ConnectionLifecycle {
  readonly #password: string;
  readonly #user: string | undefined;
  readonly #debug: boolean;

  constructor(options: ConnectionOptions) {
    super(options);
    this.#password = options.password;
    this.#user = options.user;
    this.#debug = this.logger.isLevelEnabled('debug');
  }

  // ---- inbound frames ---------------------------------------------------

  /** Provoke a reply, unless one is already owed or FreeSWITCH's own HEARTBEAT will come. */
  protected override probe(link: Link): void {
    if (link !== this.link || this.queue.inFlight > 0) return;
    if (this.subs.hearsHeartbeat && this.subs.filters.length === 0) return;
    this.enqueue(encodeApi('version'), true).catch(() => undefined);
  }

  protected override dispatch(link: Link, frame: Frame): void {
    try {
      switch (frame.contentType) {
        case ContentType.EventPlain:
        case ContentType.EventJson:
        case ContentType.EventXml:
          this.#onEvent(frame);
          break;
        case ContentType.CommandReply:
        case ContentType.ApiResponse:
          this.#onReply(link, frame);
          break;
        case ContentType.AuthRequest:
          this.#onAuthRequest(link);
          break;
        case ContentType.LogData:
          this.#onLogData(frame);
          break;
        case ContentType.DisconnectNotice:
          this.#onDisconnectNotice(link, frame);
          break;
        case ContentType.RudeRejection:
          this.#onRudeRejection(link, frame);
          break;
        default:
          this.logger.debug({ contentType: frame.contentType }, 'ignoring a frame of unknown type');
      }
    } catch (error) {
      // One handler's exception must not stop the stream for everyone else.
      this.logger.error({ err: error, contentType: frame.contentType }, 'a handler threw');
    }
  }

  #onEvent(frame: Frame): void {
    // Decoding costs; skip it entirely when nobody listens.
    if (this.listenerCount('event') === 0) return;
    let event: EslEvent;
    try {
      event = EslEvent.fromFrame(frame);
    } catch (error) {
      // The framing is intact, so the stream goes on; this one event is unusable.
      this.logger.error({ err: error, contentType: frame.contentType }, 'dropped a malformed event');
      return;
    }
    this.emit('event', event);
  }

  #onAuthRequest(link: Link): void {
    if (link.phase !== 'greeting') {
      this.logger.warn('unexpected auth/request after the greeting: ignored');
      return;
    }
    link.phase = 'authenticating';
    const bytes = this.#user === undefined ? encodeAuth(this.#password) : encodeUserAuth(this.#user, this.#password);
    if (this.#debug) this.logger.debug({ command: describeCommand(bytes) }, 'send');
    link.write(bytes);
  }

  #onReply(link: Link, frame: Frame): void {
    if (link.phase === 'authenticating') {
      this.#onAuthReply(link, frame);
      return;
    }
    const command = this.queue.shift();
    if (command === undefined) {
      this.logger.warn({ reply: replyText(frame) }, 'a reply with no command waiting: ignored');
      return;
    }
    command.resolve(frame);
  }

  #onAuthReply(link: Link, frame: Frame): void {
    const reply = replyText(frame);
    if (!reply.startsWith('+OK')) {
      const error = new AuthError(`${this.where} refused authentication: ${reply}`, reply);
      this.logger.error({ reply }, 'authentication failed');
      link.authFailed(error);
      link.abort('closed', error);
      return;
    }
    link.phase = 'ready';
    link.restored = this.#restore();
    link.restored.catch(() => undefined);
    this.flush(link);
    link.authSucceeded();
  }

  #onLogData(frame: Frame): void {
    if (this.listenerCount('log') === 0) return;
    const level = Number.parseInt(frame.headers['Log-Level'] ?? '', 10);
    this.emit('log', { level: Number.isNaN(level) ? -1 : level, text: frame.body?.toString('utf8') ?? '', headers: frame.headers });
  }

  #onDisconnectNotice(link: Link, frame: Frame): void {
    const text = frame.body?.toString('utf8').trim() ?? '';
    // A linger notice says the channel hung up but the socket stays for the remaining events.
    if (frame.headers[Header.ContentDisposition] === 'linger') {
      this.logger.info({ notice: text }, 'FreeSWITCH is lingering');
      return;
    }
    const reason = this.closing ? 'closed' : 'notice';
    link.abort(reason, new DisconnectedError(`${this.where} sent a disconnect notice: ${text}`, reason));
  }

  #onRudeRejection(link: Link, frame: Frame): void {
    const text = frame.body?.toString('utf8').trim() ?? '';
    const error = new AuthError(`${this.where} rejected the connection (ACL): ${text}`, text);
    this.logger.error({ reply: text }, 'rude rejection');
    link.authFailed(error);
    link.abort('closed', error);
  }

  // ---- outbound commands ------------------------------------------------

  /** After a reconnect, asks again for what the last link had (events, filters, log), ahead of waiting commands. */
  #restore(): Promise<void> {
    const bytes: Buffer[] = [];
    const selection = this.subs.selection;
    const format = this.subs.format;
    if (selection !== undefined && format !== undefined) bytes.push(encodeEvent(format, eventTokens(selection)));
    for (const [header, value] of this.subs.filters) bytes.push(encodeFilter(header, value));
    const level = this.subs.logLevel;
    if (level !== undefined) bytes.push(encodeLog(level));
    if (bytes.length === 0) return Promise.resolve();
    const pending: PendingCommand[] = [];
    const replies = bytes.map(
      (b) =>
        new Promise<Frame>((resolve, reject) => {
          pending.push({ bytes: b, resolve, reject, internal: true });
        }),
    );
    this.queue.insertBeforeQueued(pending);
    return Promise.all(replies).then((frames) => {
      frames.forEach((frame, i) => {
        const reply = replyText(frame);
        if (!reply.startsWith('+OK')) this.logger.warn({ command: describeCommand(bytes[i]!), reply }, 'restoring after reconnect failed');
      });
    });
  }

  /** Sends one command and resolves with its `command/reply` or `api/response` frame, whatever it says. */
  send(command: Buffer | string): Promise<Frame> {
    let bytes: Buffer;
    try {
      bytes = checkCommandBytes(command);
    } catch (error) {
      return Promise.reject(error);
    }
    return this.enqueue(bytes);
  }

  /** `api <cmd>`: the response body, as FreeSWITCH wrote it (`-ERR ...` is returned, not thrown). */
  async api(command: string): Promise<string> {
    return replyText(await this.enqueue(encodeApi(command)));
  }

  /** `bgapi <cmd>` with a client-chosen Job-UUID, so a BACKGROUND_JOB can be matched even if it races the reply. */
  async bgapi(command: string, options: { readonly jobUuid?: string } = {}): Promise<BgapiResult> {
    const jobUuid = options.jobUuid ?? randomUUID();
    const frame = await this.enqueue(encodeBgapi(command, jobUuid));
    const reply = replyText(frame);
    if (!reply.startsWith('+OK')) throw new CommandError(`bgapi ${command}`, reply);
    return { jobUuid: frame.headers[Header.JobUuid] ?? jobUuid, reply };
  }

  /** `event <format> ...`: names first, CUSTOM and its subclasses (`a::b`) last, as FreeSWITCH needs. */
  async subscribe(events: readonly string[], format: EventFormat = 'plain'): Promise<string> {
    if (!FORMATS.includes(format)) throw new InvalidArgumentError(`event format must be plain, json or xml, got ${String(format)}`);
    const selection = splitEventTokens(events);
    if (selection.events.length === 0 && selection.subclasses.length === 0) throw new InvalidArgumentError('subscribe needs at least one event');
    const reply = await this.#command(encodeEvent(format, eventTokens(selection)));
    this.subs.subscribed(selection, format);
    return reply;
  }

  /** `nixevent ...`. */
  async unsubscribe(events: readonly string[]): Promise<string> {
    const selection = splitEventTokens(events);
    if (selection.events.length === 0 && selection.subclasses.length === 0) throw new InvalidArgumentError('unsubscribe needs at least one event');
    const reply = await this.#command(encodeNixevent(eventTokens(selection)));
    this.subs.unsubscribed(selection);
    return reply;
  }

  /** `noevents`: stop all events (filters stay). */
  async noevents(): Promise<string> {
    const reply = await this.#command(encodeNoevents());
    this.subs.noEvents();
    return reply;
  }

  async filter(header: string, value: string): Promise<string> {
    const reply = await this.#command(encodeFilter(header, value));
    this.subs.filterAdded(header, value);
    return reply;
  }

  async filterDelete(header: string, value?: string): Promise<string> {
    const reply = await this.#command(encodeFilterDelete(header, value));
    this.subs.filterDeleted(header, value);
    return reply;
  }

  /** `sendmsg [uuid]` with headers as FreeSWITCH names them (`call-command`, `execute-app-name`, ...). */
  sendmsg(uuid: string | undefined, headers: Readonly<Record<string, string>>, body?: string | Buffer): Promise<string> {
    return this.#commandSafe(() => encodeSendmsg(uuid, headers, body));
  }

  linger(seconds?: number): Promise<string> {
    return this.#commandSafe(() => encodeLinger(seconds));
  }

  nolinger(): Promise<string> {
    return this.#commandSafe(() => encodeNolinger());
  }

  /** `log <level>`: FreeSWITCH log lines arrive as `log` events. */
  async log(level: number | string): Promise<string> {
    const reply = await this.#command(encodeLog(level));
    this.subs.logging(level);
    return reply;
  }

  async nolog(): Promise<string> {
    const reply = await this.#command(encodeNolog());
    this.subs.logging(undefined);
    return reply;
  }

  async #commandSafe(encode: () => Buffer): Promise<string> {
    return this.#command(encode());
  }

  /** A command whose `-ERR` reply becomes a CommandError; resolves with the Reply-Text. */
  async #command(bytes: Buffer): Promise<string> {
    const frame = await this.enqueue(bytes);
    const reply = replyText(frame);
    if (reply.startsWith('-ERR')) throw new CommandError(describeCommand(bytes), reply);
    return reply;
  }
}
