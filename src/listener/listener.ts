/**
 * EventListener: tracks FreeSWITCH's sessions, calls and background jobs from
 * the event stream of its own connection (events only: a slow `api` on the
 * command connection never delays an event), and runs loaded apps' callbacks
 * after its own handlers (handlers.ts).
 *
 * It subscribes to what the model needs (handlers.ts MODEL_EVENTS), to what
 * loaded apps ask for, and to what a `waitFor` needs; BACKGROUND_JOB is always
 * among them, since Jobs settle from it. After a reconnect (and at connect) it
 * resyncs from `show channels as json`: sessions gone during the gap are
 * closed with a reason, unknown channels are adopted.
 */

import { EventEmitter } from 'eventemitter3';
import { type Logger, pino } from 'pino';
import type { App, AppContext } from '../app.js';
import type { ReconnectOptions } from '../connection/backoff.js';
import { Connection } from '../connection/connection.js';
import type { DisconnectInfo, ReconnectedInfo } from '../connection/types.js';
import { DisconnectedError, InvalidArgumentError } from '../errors.js';
import type { Call } from '../models/call.js';
import type { SessionCommands, SessionContext } from '../models/commands.js';
import { eventKey } from '../models/event-util.js';
import type { TrackedJob } from '../models/job.js';
import type { Session } from '../models/session.js';
import type { EslEvent } from '../protocol/event.js';
import type { EventFormat } from '../protocol/names.js';
import { AppHost, appEvents } from './apps.js';
import { HANDLERS, lookupSession, MODEL_EVENTS } from './handlers.js';
import { parseChannels, rowAnswered, rowEvent } from './resync.js';
import { Tracker } from './tracker.js';
import type { EventSource, ListenerEvents, ResyncResult } from './types.js';

export interface EventListenerOptions {
  readonly host?: string;
  /** Default 8021. */
  readonly port?: number;
  /** Default `ClueCon`. */
  readonly password?: string;
  readonly user?: string;
  readonly logger?: Logger;
  /** Reconnect after losing the event socket. Default on. */
  readonly reconnect?: boolean | ReconnectOptions;
  /** Event format to subscribe with. Default `plain`. */
  readonly format?: EventFormat;
  /** Header grouping sessions into calls. Default `variable_call_uuid`. */
  readonly callTrackingHeader?: string;
  /**
   * Headers naming another session whose call a new session joins. Default:
   * switchyard's `variable_sip_h_X-switchyard_call` and loopback's
   * `variable_other_loopback_leg_uuid`.
   */
  readonly callLinkHeaders?: readonly string[];
  /** More events to subscribe to. */
  readonly events?: readonly string[];
  /** Adopt the channels already up when connecting. Default true. */
  readonly syncOnConnect?: boolean;
  /**
   * A session quiet for this long keeps its latest headers as one decoded
   * string instead of its events (about 1.5 KB less each, and no socket read
   * buffer kept alive by them). Default 2000 ms; 0 never compacts.
   */
  readonly compactAfterMs?: number;
  /** Use this connection (a Connection, or a test double) instead of opening one. */
  readonly connection?: EventSource;
}

const DEFAULT_LINK_HEADERS = ['variable_sip_h_X-switchyard_call', 'variable_other_loopback_leg_uuid'];
const VANISHED = 'vanished while the event socket was down';

export class EventListener extends EventEmitter<ListenerEvents> {
  readonly host: string;
  readonly port: number;
  readonly logger: Logger;
  readonly #source: EventSource;
  readonly #format: EventFormat;
  readonly #tracker: Tracker;
  readonly #apps: AppHost;
  readonly #syncOnConnect: boolean;
  /** Event keys FreeSWITCH was asked for (event names, CUSTOM subclasses). */
  readonly #subscribed = new Set<string>();
  /** Extra keys (options.events and waited-for events), kept across app unloads. */
  readonly #wanted: Set<string>;
  /** Between connect() (or a reconnect) and a disconnect. */
  #linkUp = false;
  readonly #compactAfterMs: number;
  #agingTimer: ReturnType<typeof setInterval> | undefined;
  /** Uuids destroyed while a resync's `show channels` was in flight: never adopt those. */
  #destroyedDuringResync: Set<string> | undefined;

  constructor(options: EventListenerOptions = {}) {
    super();
    this.host = options.host ?? '127.0.0.1';
    this.port = options.port ?? 8021;
    this.logger = (options.logger ?? pino({ level: 'silent' })).child({ listener: `${this.host}:${this.port}` });
    this.#format = options.format ?? 'plain';
    this.#syncOnConnect = options.syncOnConnect ?? true;
    this.#wanted = new Set(options.events ?? []);
    this.#compactAfterMs = options.compactAfterMs ?? 2000;
    this.#source =
      options.connection ??
      new Connection({
        host: this.host,
        port: this.port,
        password: options.password ?? 'ClueCon',
        ...(options.user === undefined ? {} : { user: options.user }),
        logger: this.logger,
        reconnect: options.reconnect ?? true,
      });
    const ctx: SessionContext = {
      commands: undefined,
      logger: this.logger,
      wantEvent: (name) => this.#want(name),
    };
    this.#tracker = new Tracker(ctx, {
      callTrackingHeader: options.callTrackingHeader ?? 'variable_call_uuid',
      callLinkHeaders: options.callLinkHeaders ?? DEFAULT_LINK_HEADERS,
      logger: this.logger,
    });
    this.#apps = new AppHost(this.logger);
    this.#source.on('event', this.#onEvent);
    this.#source.on('disconnected', this.#onDisconnected);
    this.#source.on('reconnected', this.#onReconnected);
  }

  get sessions(): ReadonlyMap<string, Session> {
    return this.#tracker.sessions;
  }

  get calls(): ReadonlyMap<string, Call> {
    return this.#tracker.calls;
  }

  get jobs(): ReadonlyMap<string, TrackedJob> {
    return this.#tracker.jobs;
  }

  /** True while the event connection is up (false before connect, during a reconnect, after close). */
  get connected(): boolean {
    return this.#linkUp;
  }

  countSessions(): number {
    return this.#tracker.sessions.size;
  }

  countCalls(): number {
    return this.#tracker.calls.size;
  }

  countJobs(): number {
    return this.#tracker.jobs.size;
  }

  /** Sessions that hung up unanswered or with a cause other than NORMAL_CLEARING. */
  countFailed(): number {
    return this.#tracker.countFailed();
  }

  /** Failed sessions by Hangup-Cause. */
  failedByCause(): Record<string, number> {
    return Object.fromEntries(this.#tracker.failedByCause);
  }

  /** Every hung-up session by Hangup-Cause. */
  hangupCauses(): Record<string, number> {
    return Object.fromEntries(this.#tracker.hangupCauses);
  }

  /** Sessions answered since the start (or the last resetCounters). */
  countAnswered(): number {
    return this.#tracker.answeredTotal;
  }

  resetCounters(): void {
    this.#tracker.resetCounters();
  }

  /** Compacts every session's retained headers now (normally done after compactAfterMs of quiet). */
  compactSessions(): void {
    this.#tracker.compactAll();
  }

  /** Event keys currently subscribed. */
  get subscriptions(): ReadonlySet<string> {
    return this.#subscribed;
  }

  /** App id -> loaded apps, in load order. */
  get apps(): ReadonlyMap<string, readonly App[]> {
    return this.#apps.apps;
  }

  /** Connects, subscribes, and (unless syncOnConnect is off) adopts the channels already up. */
  async connect(): Promise<void> {
    await this.#source.connect();
    this.#subscribed.clear();
    await this.#syncSubscriptions();
    this.#linkUp = true;
    if (this.#compactAfterMs > 0 && this.#agingTimer === undefined) {
      this.#agingTimer = setInterval(() => this.#tracker.age(), Math.max(1, Math.floor(this.#compactAfterMs / 2)));
      this.#agingTimer.unref?.();
    }
    if (this.#syncOnConnect) await this.resync();
  }

  /** Closes the connection; every session is closed and every pending job rejected. */
  async close(): Promise<void> {
    this.#linkUp = false;
    clearInterval(this.#agingTimer);
    this.#agingTimer = undefined;
    try {
      await this.#source.close();
    } finally {
      this.#rejectJobs(new DisconnectedError('listener closed', 'closed'));
      for (const session of [...this.#tracker.sessions.values()]) this.#tracker.drop(session, 'listener closed');
      this.#subscribed.clear();
    }
  }

  /** The command path sessions use (a Client sets itself here). */
  setCommands(commands: SessionCommands | undefined): void {
    this.#tracker.ctx.commands = commands;
  }

  /** Tracks a job before its bgapi is sent (its BACKGROUND_JOB may beat the reply). */
  registerJob(job: TrackedJob): void {
    if (this.#tracker.jobs.has(job.uuid)) throw new InvalidArgumentError(`job ${job.uuid} is already registered`);
    this.#tracker.jobs.set(job.uuid, job);
  }

  /** The settle hook jobs created for this listener must be given. */
  get jobSettled(): (job: TrackedJob) => void {
    return this.#tracker.jobSettled;
  }

  /**
   * Loads an app atomically: checks it, runs its setup, subscribes its
   * events, then registers its callbacks. If any step fails, nothing stays.
   */
  async loadApp(app: App, ctx: AppContext): Promise<void> {
    const events = appEvents(app);
    if (this.#apps.has(ctx.appId, app.name)) {
      throw new InvalidArgumentError(`app ${app.name} is already loaded under app id ${ctx.appId}`);
    }
    await app.setup?.(ctx);
    const added = events.filter((key) => !this.#subscribed.has(key));
    if (this.#linkUp && added.length > 0) {
      try {
        await this.#source.subscribe(added, this.#format);
      } catch (error) {
        await this.#source.unsubscribe(added).catch(() => {});
        await this.#teardown(app);
        throw error;
      }
      for (const key of added) this.#subscribed.add(key);
    }
    this.#apps.add({ app, ctx, events });
    this.logger.info({ app: app.name, appId: ctx.appId, events }, 'app loaded');
  }

  /** Unloads the apps of a group (or just `name`), runs their teardown, drops events no one needs. */
  async unloadApp(appId: string, name?: string): Promise<App[]> {
    const gone = this.#apps.remove(appId, name);
    for (const loaded of gone) await this.#teardown(loaded.app);
    const needed = new Set<string>([...MODEL_EVENTS, ...this.#apps.events(), ...this.#wanted]);
    const unused = [...this.#subscribed].filter((key) => !needed.has(key));
    if (unused.length > 0) {
      for (const key of unused) this.#subscribed.delete(key);
      if (this.#linkUp) {
        await this.#source.unsubscribe(unused).catch((error: unknown) => {
          this.logger.warn({ err: error, events: unused }, 'unsubscribing after unload failed');
        });
      }
    }
    return gone.map((l) => l.app);
  }

  /**
   * Reconciles the maps with `show channels as json`. Runs by itself at
   * connect and after each reconnect.
   */
  async resync(): Promise<ResyncResult> {
    const before = new Set(this.#tracker.sessions.keys());
    const destroyed = new Set<string>();
    this.#destroyedDuringResync = destroyed;
    let body: string;
    try {
      body = await this.#source.api('show channels as json');
    } finally {
      this.#destroyedDuringResync = undefined;
    }
    const rows = parseChannels(body);
    const live = new Set(rows.map((row) => row.uuid));
    const closed: string[] = [];
    for (const uuid of before) {
      const session = this.#tracker.sessions.get(uuid);
      if (session === undefined || live.has(uuid)) continue;
      this.#tracker.drop(session, VANISHED);
      closed.push(uuid);
    }
    const adopted: string[] = [];
    let kept = 0;
    for (const row of rows) {
      const known = this.#tracker.sessions.get(row.uuid);
      if (known !== undefined) {
        kept++;
        if (rowAnswered(row)) this.#tracker.answered(known, undefined);
        continue;
      }
      if (destroyed.has(row.uuid)) continue;
      const session = this.#tracker.sessionFor(rowEvent(row, this.#tracker.trackingHeader), row.uuid);
      if (rowAnswered(row)) this.#tracker.answered(session, undefined);
      adopted.push(row.uuid);
    }
    const result: ResyncResult = { closed, adopted, kept };
    if (closed.length > 0 || adopted.length > 0) this.logger.info({ closed: closed.length, adopted: adopted.length, kept }, 'resynced');
    this.emit('resynced', result);
    return result;
  }

  readonly #onEvent = (event: EslEvent): void => {
    let session: Session | undefined;
    let key: string;
    try {
      key = eventKey(event);
      const handler = HANDLERS[event.name];
      session = handler === undefined ? lookupSession(this.#tracker, event) : handler(this.#tracker, event);
      if (this.#destroyedDuringResync !== undefined && event.name === 'CHANNEL_DESTROY' && event.uuid !== undefined) {
        this.#destroyedDuringResync.add(event.uuid);
      }
    } catch (error) {
      this.logger.error({ err: error }, 'event handling failed');
      return;
    }
    this.#apps.dispatch(event, key, session);
  };

  readonly #onDisconnected = (info: DisconnectInfo): void => {
    this.#linkUp = false;
    // A BACKGROUND_JOB sent while we were away is lost for good.
    this.#rejectJobs(new DisconnectedError(`event connection lost (${info.reason}): background job results cannot arrive`, info.reason));
    this.emit('disconnected', info);
  };

  readonly #onReconnected = (info: ReconnectedInfo): void => {
    this.#linkUp = true;
    this.emit('reconnected', info);
    // The connection restored what FreeSWITCH had accepted; add what apps asked for meanwhile.
    this.#syncSubscriptions()
      .then(() => this.resync())
      .catch((error: unknown) => this.logger.error({ err: error }, 'resync after reconnect failed'));
  };

  /** Subscribes every event the model, the apps and the waiters need that is not subscribed yet. */
  async #syncSubscriptions(): Promise<void> {
    const needed = [...new Set<string>([...MODEL_EVENTS, ...this.#apps.events(), ...this.#wanted])];
    const missing = needed.filter((key) => !this.#subscribed.has(key));
    if (missing.length === 0) return;
    await this.#source.subscribe(missing, this.#format);
    for (const key of missing) this.#subscribed.add(key);
  }

  #rejectJobs(error: DisconnectedError): void {
    for (const job of [...this.#tracker.jobs.values()]) job.abandon(error);
    this.#tracker.jobs.clear();
  }

  #want(key: string): void {
    if (this.#wanted.has(key) || this.#subscribed.has(key)) return;
    this.#wanted.add(key);
    if (!this.#linkUp) return;
    this.#subscribed.add(key);
    this.#source.subscribe([key], this.#format).catch((error: unknown) => {
      this.#subscribed.delete(key);
      this.logger.warn({ err: error, event: key }, 'subscribing to a waited-for event failed');
    });
  }

  async #teardown(app: App): Promise<void> {
    try {
      await app.teardown?.();
    } catch (error) {
      this.logger.error({ err: error, app: app.name }, 'app teardown failed');
    }
  }
}
