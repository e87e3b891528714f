/**
 * One outbound Event Socket connection: FreeSWITCH's `socket` application
 * (mod_event_socket.c socket_function) dialled us to hand over one channel.
 * No auth/request is sent on such a socket; the first command must be
 * `connect` (listener_run() parses the first packet without writing any
 * reply but connect's, which writes its own), then commands are answered in
 * order, events interleave, and:
 *
 *   hangup, lingering  -> text/disconnect-notice, Content-Disposition: linger;
 *                         the channel's last events keep coming until we `exit`
 *   hangup, no linger  -> text/disconnect-notice, Content-Disposition: disconnect;
 *                         FreeSWITCH closes the socket
 *   our `exit`         -> +OK bye, then the disconnect notice, then close
 *
 * The same building blocks as an inbound Connection are used: a Link (parser
 * and inbox batching off the socket) and the FIFO ReplyQueue. The Session
 * controls its channel through this socket (SessionCommands): `sendmsg`
 * without a uuid for this channel, and `api` over the socket, which FreeSWITCH
 * only allows in `full` mode.
 */

import type { Socket } from 'node:net';
import { EventEmitter } from 'eventemitter3';
import type { Logger } from 'pino';
import { replyText } from '../connection/command-bytes.js';
import { Link, type LinkHooks } from '../connection/link.js';
import { describeCommand } from '../connection/redact.js';
import { type PendingCommand, ReplyQueue } from '../connection/reply-queue.js';
import { eventTokens, splitEventTokens } from '../connection/subscriptions.js';
import { CommandError, type DisconnectReason, DisconnectedError, TimeoutError } from '../errors.js';
import type { SessionCommands } from '../models/commands.js';
import { eventTimeMs } from '../models/event-util.js';
import { Session } from '../models/session.js';
import {
  encodeApi,
  encodeConnect,
  encodeDivertEvents,
  encodeEvent,
  encodeExit,
  encodeGetvar,
  encodeLinger,
  encodeMyevents,
  encodeNolinger,
  encodeResume,
  encodeSendmsg,
} from '../protocol/commands.js';
import { EslEvent } from '../protocol/event.js';
import type { Frame } from '../protocol/frame.js';
import { ContentType, type EventFormat, Header } from '../protocol/names.js';
import { type ChannelData, type ControlMode, MYEVENTS, parseConnectReply, type SocketMode } from './channel-data.js';

/** parse_command() turns an empty reply (a refused command, an unset getvar) into this. */
const NOT_FOUND = '-ERR command not found';

export interface OutboundSocketOptions {
  readonly logger: Logger;
  /** `myevents` format. Default plain. */
  readonly eventFormat?: EventFormat;
  /** After a linger notice, how long to wait for CHANNEL_HANGUP_COMPLETE before `exit`. Default 5 s. */
  readonly lingerDrainMs?: number;
  /** After `exit`, how long to wait for FreeSWITCH to close. Default 1 s. */
  readonly closeTimeoutMs?: number;
  readonly dispatchBatchSize?: number;
  readonly lagThreshold?: number;
}

export interface LingerNotice {
  /** Linger-Time: seconds, or -1 for as long as we keep the socket. */
  readonly lingerTime: number;
}

export interface OutboundClosedInfo {
  readonly reason: DisconnectReason;
  readonly error: DisconnectedError;
}

export interface OutboundSocketEvents {
  /** Every event FreeSWITCH sent on this socket, after the Session saw it. */
  event: (event: EslEvent) => void;
  /** The channel hung up; FreeSWITCH keeps the socket for its last events. */
  linger: (notice: LingerNotice) => void;
  closed: (info: OutboundClosedInfo) => void;
}

export class OutboundSocket extends EventEmitter<OutboundSocketEvents> implements SessionCommands {
  readonly remoteAddress: string;
  readonly #link: Link;
  readonly #queue = new ReplyQueue();
  #logger: Logger;
  readonly #format: EventFormat;
  readonly #lingerDrainMs: number;
  readonly #closeTimeoutMs: number;
  #data: ChannelData | undefined;
  #session: Session | undefined;
  readonly #wanted = new Set<string>();
  #lingering = false;
  #hangupComplete = false;
  #lingerTimer: ReturnType<typeof setTimeout> | undefined;
  #closing: Promise<void> | undefined;
  #closedInfo: OutboundClosedInfo | undefined;
  readonly done: Promise<OutboundClosedInfo>;
  #markDone!: (info: OutboundClosedInfo) => void;

  constructor(socket: Socket, options: OutboundSocketOptions) {
    super();
    socket.setNoDelay(true);
    // No HEARTBEAT comes on an outbound socket: let TCP notice a FreeSWITCH that vanished without a FIN.
    socket.setKeepAlive(true, 15_000);
    this.remoteAddress = `${socket.remoteAddress ?? '?'}:${socket.remotePort ?? '?'}`;
    this.#logger = options.logger.child({ peer: this.remoteAddress });
    this.#format = options.eventFormat ?? 'plain';
    this.#lingerDrainMs = options.lingerDrainMs ?? 5000;
    this.#closeTimeoutMs = options.closeTimeoutMs ?? 1000;
    this.done = new Promise((resolve) => {
      this.#markDone = resolve;
    });
    this.#link = new Link(socket, this.#hooks, {
      batchSize: options.dispatchBatchSize ?? 256,
      lagThreshold: options.lagThreshold ?? 5000,
    });
    // No auth on an outbound socket: commands may be written at once.
    this.#link.phase = 'ready';
  }

  /** The channel's uuid (after `connect`). */
  get uuid(): string | undefined {
    return this.#data?.uuid;
  }

  /** The CHANNEL_DATA of the connect reply. */
  get channelData(): EslEvent | undefined {
    return this.#data?.event;
  }

  get socketMode(): SocketMode | undefined {
    return this.#data?.socketMode;
  }

  get control(): ControlMode | undefined {
    return this.#data?.control;
  }

  get session(): Session | undefined {
    return this.#session;
  }

  /** True once FreeSWITCH said it lingers (the channel is hung up). */
  get lingering(): boolean {
    return this.#lingering;
  }

  get closed(): boolean {
    return this.#closedInfo !== undefined;
  }

  /**
   * `connect`, then `myevents` (and `linger`, `divert_events` when asked):
   * resolves with the Session of the channel. A refusal rejects with
   * CommandError, a malformed reply with ProtocolError, and no reply within
   * `timeoutMs` with TimeoutError (the socket is then closed).
   */
  async start(options: { readonly linger: boolean | number; readonly divertEvents: boolean; readonly timeoutMs: number }): Promise<Session> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        reject(new TimeoutError(`outbound socket ${this.remoteAddress} did not complete connect within ${options.timeoutMs} ms`, options.timeoutMs));
      }, options.timeoutMs);
    });
    timedOut.catch(() => undefined);
    try {
      return await Promise.race([this.#handshake(options), timedOut]);
    } catch (error) {
      this.#link.abort('closed', error as Error);
      throw error;
    } finally {
      clearTimeout(timer);
    }
  }

  async #handshake(options: { readonly linger: boolean | number; readonly divertEvents: boolean }): Promise<Session> {
    const data = parseConnectReply(await this.#enqueue(encodeConnect()));
    this.#data = data;
    this.#logger = this.#logger.child({ uuid: data.uuid });
    const session = new Session(data.uuid, data.event, {
      commands: this,
      logger: this.#logger,
      wantEvent: (name) => this.#want(name),
    });
    if (data.event.get(Header.AnswerState) === 'answered') session.markAnswered(eventTimeMs(data.event));
    this.#session = session;
    // Bare `myevents` is plain (the outbound listener's default format), as FreeSWITCH's own clients send it.
    const steps: Promise<unknown>[] = [this.#command(encodeMyevents(this.#format === 'plain' ? undefined : this.#format))];
    if (options.linger !== false) {
      if (data.control === 'full') {
        steps.push(this.linger(options.linger === true ? undefined : options.linger));
      } else {
        // parse_command() refuses linger unless the socket is `full`: the last events may be lost.
        this.#logger.warn('single-channel outbound socket: FreeSWITCH refuses linger, events after the hangup are lost');
      }
    }
    if (options.divertEvents) steps.push(this.divertEvents(true));
    await Promise.all(steps);
    this.#logger.debug({ socketMode: data.socketMode, control: data.control }, 'outbound session connected');
    return session;
  }

  // ---- commands -----------------------------------------------------------

  /** `api <command>` on this socket (FreeSWITCH allows it only in `full` mode). Returns the body as written. */
  async api(command: string): Promise<string> {
    const reply = replyText(await this.#enqueue(encodeApi(command)));
    if (reply.startsWith(NOT_FOUND) && this.control === 'single-channel') {
      throw new CommandError(`api ${command}`, `${reply} (api is refused on a single-channel outbound socket: use "socket host:port async full")`);
    }
    return reply;
  }

  /** `sendmsg` for this channel goes without a uuid (parse_command() then targets the socket's own session). */
  sendmsg(uuid: string | undefined, headers: Readonly<Record<string, string>>, body?: string): Promise<string> {
    const target = uuid === this.uuid ? undefined : uuid;
    return this.#command(() => encodeSendmsg(target, { ...headers }, body));
  }

  /** A channel variable (`getvar`), or undefined when unset (FreeSWITCH then answers `-ERR command not found`). */
  async getvar(name: string): Promise<string | undefined> {
    const reply = replyText(await this.#enqueue(encodeGetvar(name)));
    return reply === '' || reply.startsWith(NOT_FOUND) ? undefined : reply;
  }

  /** `resume`: when the socket closes, the channel goes on with its dialplan instead of hanging up. */
  resume(): Promise<string> {
    return this.#command(encodeResume());
  }

  linger(seconds?: number): Promise<string> {
    return this.#command(() => encodeLinger(seconds));
  }

  nolinger(): Promise<string> {
    return this.#command(encodeNolinger());
  }

  /** `divert_events on|off`: the channel's input callbacks' events come to this socket. */
  divertEvents(on: boolean): Promise<string> {
    return this.#command(() => encodeDivertEvents(on));
  }

  /**
   * Asks for events `myevents` does not bring (PLAYBACK_STOP, CUSTOM
   * subclasses, ...) for this channel with `event`; FreeSWITCH only allows it
   * on a `full` socket (elsewhere a warning is logged).
   */
  subscribe(events: readonly string[]): void {
    for (const name of events) this.#want(name);
  }

  /** Any one command; resolves with its reply frame whatever it says. */
  send(command: Buffer): Promise<Frame> {
    return this.#enqueue(command);
  }

  /** `exit`, then wait briefly for FreeSWITCH to close. Idempotent. */
  close(): Promise<void> {
    this.#closing ??= this.#shutDown();
    return this.#closing;
  }

  async #shutDown(): Promise<void> {
    clearTimeout(this.#lingerTimer);
    if (!this.#link.lost) {
      this.#enqueue(encodeExit()).catch(() => undefined);
      let timer: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([this.#link.gone, new Promise<void>((resolve) => (timer = setTimeout(resolve, this.#closeTimeoutMs)))]);
      clearTimeout(timer);
    }
    this.#link.abort('closed');
  }

  /** A command whose `-ERR` reply becomes a CommandError; resolves with the Reply-Text. */
  async #command(bytes: Buffer | (() => Buffer)): Promise<string> {
    const encoded = typeof bytes === 'function' ? bytes() : bytes;
    const reply = replyText(await this.#enqueue(encoded));
    if (reply.startsWith('-')) throw new CommandError(describeCommand(encoded), reply);
    return reply;
  }

  #enqueue(bytes: Buffer): Promise<Frame> {
    if (this.#closedInfo !== undefined) return Promise.reject(this.#closedInfo.error);
    return new Promise<Frame>((resolve, reject) => {
      const command: PendingCommand = { bytes, resolve, reject, internal: false };
      this.#queue.push(command);
      const link = this.#link;
      link.cork();
      this.#queue.flush((b) => link.write(b));
      link.uncork();
    });
  }

  /** A waiter needs an event myevents does not bring: subscribe it (full mode only). */
  #want(name: string): void {
    if (MYEVENTS.has(name) || this.#wanted.has(name) || this.closed) return;
    this.#wanted.add(name);
    if (this.control !== 'full') {
      this.#logger.warn({ event: name }, 'single-channel outbound socket: cannot subscribe to an event myevents does not send');
      return;
    }
    this.#command(() => encodeEvent(this.#format, eventTokens(splitEventTokens([name])))).catch((error: unknown) => {
      this.#logger.warn({ err: error, event: name }, 'subscribing to an extra event failed');
    });
  }

  // ---- frames from FreeSWITCH ------------------------------------------------

  readonly #hooks: LinkHooks = {
    frame: (_link, frame) => this.#dispatch(frame),
    lost: (_link, reason, cause) => this.#onLost(reason, cause),
    bytes: () => {},
    lagging: (_link, backlog) => this.#logger.warn({ backlog }, 'session handlers are falling behind FreeSWITCH: %d frames waiting', backlog),
  };

  #dispatch(frame: Frame): void {
    try {
      switch (frame.contentType) {
        case ContentType.CommandReply:
        case ContentType.ApiResponse:
          this.#onReply(frame);
          break;
        case ContentType.EventPlain:
        case ContentType.EventJson:
        case ContentType.EventXml:
          this.#onEvent(frame);
          break;
        case ContentType.DisconnectNotice:
          this.#onDisconnectNotice(frame);
          break;
        default:
          this.#logger.debug({ contentType: frame.contentType }, 'ignoring a frame of unknown type');
      }
    } catch (error) {
      // A user callback's exception must not stop this socket's stream.
      this.#logger.error({ err: error, contentType: frame.contentType }, 'a handler threw');
    }
  }

  #onReply(frame: Frame): void {
    const command = this.#queue.shift();
    if (command === undefined) {
      this.#logger.warn({ reply: replyText(frame) }, 'a reply with no command waiting: ignored');
      return;
    }
    command.resolve(frame);
  }

  #onEvent(frame: Frame): void {
    let event: EslEvent;
    try {
      event = EslEvent.fromFrame(frame);
    } catch (error) {
      this.#logger.error({ err: error, contentType: frame.contentType }, 'dropped a malformed event');
      return;
    }
    const session = this.#session;
    if (session !== undefined && event.uuid === session.uuid) this.#track(session, event);
    this.emit('event', event);
    if (event.name === 'CHANNEL_HANGUP_COMPLETE' && event.uuid === this.uuid) {
      this.#hangupComplete = true;
      if (this.#lingering) this.#finishLinger();
    }
  }

  #track(session: Session, event: EslEvent): void {
    session.update(event);
    if (event.name === 'CHANNEL_ANSWER') session.markAnswered(eventTimeMs(event));
    else if (event.name === 'CHANNEL_HANGUP' || event.name === 'CHANNEL_HANGUP_COMPLETE') {
      session.markHungup(event.get(Header.HangupCause), eventTimeMs(event));
    }
  }

  #onDisconnectNotice(frame: Frame): void {
    const disposition = frame.headers[Header.ContentDisposition];
    if (disposition === 'linger') {
      this.#lingering = true;
      const lingerTime = Number.parseInt(frame.headers['Linger-Time'] ?? '-1', 10);
      this.#logger.debug({ lingerTime }, 'FreeSWITCH is lingering');
      this.emit('linger', { lingerTime: Number.isNaN(lingerTime) ? -1 : lingerTime });
      if (this.#hangupComplete) this.#finishLinger();
      else this.#lingerTimer = setTimeout(() => this.#finishLinger(), this.#lingerDrainMs);
      return;
    }
    // `disconnect`: FreeSWITCH closes the socket after this notice.
    const text = frame.body?.toString('utf8').trim() ?? '';
    const reason: DisconnectReason = this.#closing !== undefined ? 'closed' : 'notice';
    this.#link.end(reason, new DisconnectedError(`outbound socket ${this.remoteAddress}: ${text || 'disconnect notice'}`, reason));
  }

  /** The last events are in: leave, so FreeSWITCH can destroy the channel. */
  #finishLinger(): void {
    clearTimeout(this.#lingerTimer);
    this.#lingerTimer = undefined;
    void this.close();
  }

  #onLost(reason: DisconnectReason, cause: Error | undefined): void {
    clearTimeout(this.#lingerTimer);
    const error =
      cause instanceof DisconnectedError
        ? cause
        : new DisconnectedError(`outbound socket ${this.remoteAddress} closed (${reason})`, reason, cause === undefined ? undefined : { cause });
    const info: OutboundClosedInfo = { reason, error };
    this.#closedInfo = info;
    this.#queue.rejectAll(error);
    this.#session?.close(reason === 'closed' ? 'closed' : 'disconnected');
    this.#logger.debug({ reason }, 'outbound socket closed');
    this.emit('closed', info);
    this.#markDone(info);
  }
}
