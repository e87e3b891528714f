/**
 * Call apps on outbound sessions: the same App objects an inbound listener
 * runs (src/app.ts), hosted by the same AppHost (src/listener/apps.ts), fed
 * by each outbound socket instead of an event listener.
 *
 * An outbound call starts already in the middle of its dialplan: FreeSWITCH
 * parks it before `myevents` is answered, so its CHANNEL_PARK is never seen.
 * Apps therefore get the connect reply's CHANNEL_DATA first (a
 * `CHANNEL_DATA` handler is the place to start an IVR), then every event of
 * the channel. Apps are loaded in the default group: a call carrying another
 * app id (APP_ID_VAR) does not reach them, as on an inbound listener.
 *
 * There is no Client or EventListener behind an outbound session: an app
 * whose setup reads `ctx.client` or `ctx.listener` gets an
 * InvalidArgumentError saying so, and does not load.
 */

import { type Logger, pino } from 'pino';
import { type App, type AppContext, DEFAULT_APP_ID } from '../app.js';
import type { Client } from '../client/client.js';
import { InvalidArgumentError } from '../errors.js';
import { AppHost, appEvents, type LoadedApp } from '../listener/apps.js';
import type { EventListener } from '../listener/listener.js';
import { eventKey } from '../models/event-util.js';
import type { Session } from '../models/session.js';
import type { EslEvent } from '../protocol/event.js';
import type { OutboundServer } from './server.js';
import type { OutboundSocket } from './socket.js';

export interface OutboundAppsOptions {
  readonly logger?: Logger;
}

export class OutboundApps {
  readonly #host: AppHost;
  readonly #logger: Logger;
  readonly #server: OutboundServer;
  #loaded: LoadedApp[] = [];

  constructor(server: OutboundServer, options: OutboundAppsOptions = {}) {
    this.#logger = options.logger ?? pino({ level: 'silent' });
    this.#host = new AppHost(this.#logger);
    this.#server = server;
    server.on('session', this.#onSession);
  }

  /** The loaded apps' names, in load order. */
  get names(): string[] {
    return this.#loaded.map((l) => l.app.name);
  }

  /** Checks the app, runs its setup, then starts calling it for every outbound session. Atomic: a failure loads nothing. */
  async load(app: App): Promise<void> {
    const events = appEvents(app);
    if (this.#host.has(DEFAULT_APP_ID, app.name)) throw new InvalidArgumentError(`app ${app.name} is already loaded`);
    const ctx = outboundContext(app.name, this.#logger.child({ app: app.name, appId: DEFAULT_APP_ID }));
    await app.setup?.(ctx);
    const loaded: LoadedApp = { app, ctx, events };
    this.#host.add(loaded);
    this.#loaded.push(loaded);
  }

  /** Stops calling every app, runs their teardown (last loaded first) and detaches from the server. */
  async unloadAll(): Promise<void> {
    this.#server.off('session', this.#onSession);
    const apps = this.#host.remove(DEFAULT_APP_ID).reverse();
    this.#loaded = [];
    for (const { app } of apps) {
      try {
        await app.teardown?.();
      } catch (error) {
        this.#logger.error({ err: error, app: app.name }, 'app teardown failed');
      }
    }
  }

  readonly #onSession = (session: Session, socket: OutboundSocket): void => {
    socket.subscribe([...this.#host.events()]);
    socket.on('event', (event: EslEvent) => {
      this.#host.dispatch(event, eventKey(event), event.uuid === session.uuid ? session : undefined);
    });
    const data = socket.channelData;
    if (data !== undefined) this.#host.dispatch(data, 'CHANNEL_DATA', session);
  };
}

function outboundContext(name: string, logger: Logger): AppContext {
  const missing = (what: string): never => {
    throw new InvalidArgumentError(`app ${name} uses ctx.${what}, which outbound sessions do not have: serve it on an inbound listener`);
  };
  return {
    appId: DEFAULT_APP_ID,
    logger,
    get client(): Client {
      return missing('client');
    },
    get listener(): EventListener {
      return missing('listener');
    },
  };
}
