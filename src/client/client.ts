/**
 * Client: commands over its own connection (`api`, `cmd`, `sendmsg`),
 * background jobs and originates whose results arrive through an
 * EventListener, and the loading of apps into that listener.
 *
 * A bgapi's Job-UUID is chosen here and the Job registered with the listener
 * before the command is written: the listener reads events on another
 * socket, so the BACKGROUND_JOB can arrive before the bgapi reply does.
 */

import { randomUUID } from 'node:crypto';
import { type Logger, pino } from 'pino';
import { APP_ID_VAR, type App, type AppContext, DEFAULT_APP_ID, type LoadAppOptions } from '../app.js';
import type { ReconnectOptions } from '../connection/backoff.js';
import { Connection } from '../connection/connection.js';
import { CommandError, DisconnectedError, InvalidArgumentError, ProtocolError } from '../errors.js';
import type { EventListener } from '../listener/listener.js';
import type { SessionCommands } from '../models/commands.js';
import { Job, parseJobBody } from '../models/job.js';
import { assertNoLineBreak, escapeArg } from './escape.js';
import { buildOriginate, type OriginateOptions } from './originate.js';

/** The subset of Connection a Client uses, so tests can hand it a fake. */
export interface CommandSender {
  connect(): Promise<void>;
  close(): Promise<void>;
  api(command: string): Promise<string>;
  bgapi(command: string, options: { readonly jobUuid?: string }): Promise<{ readonly jobUuid: string; readonly reply: string }>;
  sendmsg(uuid: string | undefined, headers: Readonly<Record<string, string>>, body?: string): Promise<string>;
}

export interface ClientOptions {
  readonly host?: string;
  /** Default 8021. */
  readonly port?: number;
  /** Default `ClueCon`. */
  readonly password?: string;
  readonly user?: string;
  /** Receives BACKGROUND_JOB results and hosts apps; without one, only api/cmd/sendmsg work. */
  readonly listener?: EventListener;
  readonly logger?: Logger;
  /** Reconnect the command connection after a loss. Default off. */
  readonly reconnect?: boolean | ReconnectOptions;
  /** A job with no result after this many ms fails with TimeoutError. Default 120 s. */
  readonly jobTimeout?: number;
  /** Use this connection (a Connection, or a test double) instead of opening one. */
  readonly connection?: CommandSender;
}

export interface BgapiOptions {
  /** Overrides the client's jobTimeout for this job. */
  readonly timeout?: number;
  /** The session this job acts on. */
  readonly sessUuid?: string;
}

const APP_ID = /^[A-Za-z0-9_.:@-]+$/;

export class Client implements SessionCommands {
  readonly host: string;
  readonly port: number;
  readonly logger: Logger;
  readonly listener: EventListener | undefined;
  readonly #conn: CommandSender;
  readonly #jobTimeout: number;

  constructor(options: ClientOptions = {}) {
    this.host = options.host ?? '127.0.0.1';
    this.port = options.port ?? 8021;
    this.logger = (options.logger ?? pino({ level: 'silent' })).child({ client: `${this.host}:${this.port}` });
    this.listener = options.listener;
    this.#jobTimeout = options.jobTimeout ?? 120_000;
    this.#conn =
      options.connection ??
      new Connection({
        host: this.host,
        port: this.port,
        password: options.password ?? 'ClueCon',
        ...(options.user === undefined ? {} : { user: options.user }),
        logger: this.logger,
        reconnect: options.reconnect ?? false,
      });
    this.listener?.setCommands(this);
  }

  /** Connects the command connection, and the listener if it is not connected yet. */
  async connect(): Promise<void> {
    await this.#conn.connect();
    if (this.listener !== undefined && !this.listener.connected) await this.listener.connect();
  }

  /** Closes the command connection and the listener. */
  async close(): Promise<void> {
    try {
      await this.#conn.close();
    } finally {
      await this.listener?.close();
    }
  }

  /** `api <command>`: FreeSWITCH's response, untouched (`-ERR ...` included). */
  api(command: string): Promise<string> {
    return this.#conn.api(command);
  }

  /** `api <command>`, trimmed; a `-ERR`/`-USAGE` response throws CommandError. */
  async cmd(command: string): Promise<string> {
    const reply = await this.#conn.api(command);
    if (reply.startsWith('-ERR') || reply.startsWith('-USAGE')) throw new CommandError(command, reply);
    return reply.trim();
  }

  /** `sendmsg <uuid>` (SessionCommands); rejects with CommandError on `-ERR`. */
  sendmsg(uuid: string | undefined, headers: Readonly<Record<string, string>>, body?: string): Promise<string> {
    return this.#conn.sendmsg(uuid, headers, body);
  }

  /**
   * `bgapi <command>`: a Job settled by its BACKGROUND_JOB (value: the body
   * without `+OK `). Needs a listener.
   */
  bgapi(command: string, options: BgapiOptions = {}): Job<string> {
    return this.#launch(command, parseJobBody, options, this.bgapi);
  }

  /** Originates a call; the Job's value is the new channel's uuid (`origination_uuid`). */
  originate(options: OriginateOptions): Job<string> {
    const uuid = options.uuid ?? randomUUID();
    const command = buildOriginate({ ...options, uuid });
    // FreeSWITCH gives up after originate_timeout (60 s by default): wait a bit longer than that.
    const timeout = Math.max(this.#jobTimeout, ((options.timeout ?? 60) + 30) * 1000);
    return this.#launch(command, parseOriginated, { timeout, sessUuid: uuid }, this.originate);
  }

  /** Hangs up every call (`hupall`), or only the calls of one app id. */
  async hupall(cause = 'NORMAL_CLEARING', appId?: string): Promise<void> {
    if (!/^[A-Z0-9_]+$/.test(cause)) throw new InvalidArgumentError(`invalid hangup cause ${JSON.stringify(cause)}`);
    const filter = appId === undefined ? '' : ` ${APP_ID_VAR} ${escapeArg(checkAppId(appId), 'appId')}`;
    await this.cmd(`hupall ${cause}${filter}`);
  }

  /**
   * Loads an app into the listener under `options.appId` (default group when
   * absent) and returns that id. Atomic: a failing setup or subscription
   * leaves nothing registered.
   */
  async loadApp(app: App, options: LoadAppOptions = {}): Promise<string> {
    const listener = this.#requireListener('loadApp');
    const appId = checkAppId(options.appId ?? DEFAULT_APP_ID);
    const ctx: AppContext = {
      appId,
      client: this,
      listener,
      logger: this.logger.child({ app: typeof app?.name === 'string' ? app.name : '?', appId }),
    };
    await listener.loadApp(app, ctx);
    return appId;
  }

  /** Unloads the apps of an app id (or only the one named), running their teardown. */
  async unloadApp(appId: string, name?: string): Promise<void> {
    await this.#requireListener('unloadApp').unloadApp(appId, name);
  }

  /** App id -> loaded apps, in load order. */
  get apps(): ReadonlyMap<string, readonly App[]> {
    return this.listener?.apps ?? new Map();
  }

  #launch<T>(command: string, parse: (body: string) => T, options: BgapiOptions, caller: (...args: never[]) => unknown): Job<T> {
    const listener = this.#requireListener(caller === this.originate ? 'originate' : 'bgapi');
    assertNoLineBreak(command, 'command');
    const uuid = randomUUID();
    const job = new Job<T>({
      uuid,
      command,
      ...(options.sessUuid === undefined ? {} : { sessUuid: options.sessUuid }),
      timeoutMs: options.timeout ?? this.#jobTimeout,
      parse,
      onSettle: listener.jobSettled,
      caller,
    });
    if (!listener.connected) {
      job.abandon(new DisconnectedError('the listener is not connected: its BACKGROUND_JOB could never arrive', 'closed'));
      return job;
    }
    listener.registerJob(job);
    this.#conn.bgapi(command, { jobUuid: uuid }).then(
      (sent) => {
        if (sent.jobUuid !== uuid) this.logger.warn({ job: uuid, got: sent.jobUuid }, 'FreeSWITCH answered with another Job-UUID');
      },
      (error: unknown) => job.abandon(error),
    );
    return job;
  }

  #requireListener(what: string): EventListener {
    if (this.listener === undefined) {
      throw new InvalidArgumentError(
        `${what} needs an EventListener (its results arrive as events): create the Client with { listener: new EventListener(...) }`,
      );
    }
    return this.listener;
  }
}

/** originate's BACKGROUND_JOB body is `+OK <uuid>`. */
function parseOriginated(body: string): string {
  const text = body.trim();
  if (!text.startsWith('+OK ')) throw new ProtocolError(`unexpected originate result: ${text.slice(0, 80)}`);
  return text.slice(4).trim();
}

function checkAppId(appId: string): string {
  if (!APP_ID.test(appId)) throw new InvalidArgumentError(`invalid app id ${JSON.stringify(appId)}: use letters, digits, _ . : @ -`);
  return appId;
}
