/**
 * The app host: which loaded app wants which event, and calling those
 * callbacks after the listener's own handler, in load order.
 *
 * A session's events go to the apps of its group (its app id, else the
 * default group). Global events (BACKGROUND_JOB, HEARTBEAT, ...) and CUSTOM
 * events about no tracked session go to every app that handles them.
 *
 * Callbacks are never awaited: a slow app must not stall the event stream
 * (FreeSWITCH drops a listener that falls 500 events behind). A callback
 * that throws, or whose promise rejects, is logged with the session's uuid
 * and the others still run. The per-event lists are replaced, never mutated,
 * so loading or unloading from inside a callback is safe.
 */

import type { Logger } from 'pino';
import type { App, AppContext, CustomCallback, EventCallback, SessionCallback } from '../app.js';
import { InvalidArgumentError } from '../errors.js';
import type { Session } from '../models/session.js';
import type { EslEvent } from '../protocol/event.js';

export interface LoadedApp {
  readonly app: App;
  readonly ctx: AppContext;
  /** Event keys (names, or CUSTOM subclasses) this app needs subscribed. */
  readonly events: readonly string[];
}

const GLOBAL_EVENTS: ReadonlySet<string> = new Set([
  'BACKGROUND_JOB',
  'HEARTBEAT',
  'RE_SCHEDULE',
  'API',
  'SHUTDOWN',
  'MODULE_LOAD',
  'MODULE_UNLOAD',
  'RELOADXML',
  'PRESENCE_IN',
  'PRESENCE_OUT',
  'MESSAGE_WAITING',
  'LOG',
]);

const EVENT_KEY = /^(?:[A-Z][A-Z0-9_]*|[^\s:]+::\S+)$/;

/** Checks an app's shape and returns the event keys it needs. */
export function appEvents(app: App): string[] {
  if (typeof app !== 'object' || app === null || typeof app.name !== 'string' || app.name === '') {
    throw new InvalidArgumentError('an app needs a non-empty string name');
  }
  if (typeof app.handlers !== 'object' || app.handlers === null) {
    throw new InvalidArgumentError(`app ${app.name} needs a handlers object`);
  }
  const events = new Set<string>();
  for (const [key, callback] of Object.entries(app.handlers)) {
    if (typeof callback !== 'function') throw new InvalidArgumentError(`app ${app.name}: handler ${key} is not a function`);
    events.add(checkKey(app.name, key));
  }
  for (const key of app.subscribe ?? []) events.add(checkKey(app.name, key));
  return [...events];
}

function checkKey(name: string, key: string): string {
  if (!EVENT_KEY.test(key) || key === 'CUSTOM' || key === 'ALL') {
    throw new InvalidArgumentError(`app ${name}: ${JSON.stringify(key)} is not an event name or a CUSTOM subclass (a::b)`);
  }
  return key;
}

export class AppHost {
  /** Loaded apps in load order. */
  #loaded: readonly LoadedApp[] = [];
  #byEvent = new Map<string, readonly LoadedApp[]>();
  readonly #logger: Logger;

  constructor(logger: Logger) {
    this.#logger = logger;
  }

  /** App id -> apps in that group, in load order. */
  get apps(): ReadonlyMap<string, readonly App[]> {
    const groups = new Map<string, App[]>();
    for (const { app, ctx } of this.#loaded) {
      const group = groups.get(ctx.appId);
      if (group === undefined) groups.set(ctx.appId, [app]);
      else group.push(app);
    }
    return groups;
  }

  /** Every event key some loaded app needs. */
  events(): Set<string> {
    return new Set(this.#byEvent.keys());
  }

  has(appId: string, name: string): boolean {
    return this.#loaded.some((l) => l.ctx.appId === appId && l.app.name === name);
  }

  add(loaded: LoadedApp): void {
    this.#loaded = [...this.#loaded, loaded];
    this.#index();
  }

  /** Removes the apps of a group (or the named one) and returns them. */
  remove(appId: string, name?: string): LoadedApp[] {
    const gone = this.#loaded.filter((l) => l.ctx.appId === appId && (name === undefined || l.app.name === name));
    if (gone.length > 0) {
      this.#loaded = this.#loaded.filter((l) => !gone.includes(l));
      this.#index();
    }
    return gone;
  }

  #index(): void {
    const byEvent = new Map<string, LoadedApp[]>();
    for (const loaded of this.#loaded) {
      for (const key of Object.keys(loaded.app.handlers)) {
        const list = byEvent.get(key);
        if (list === undefined) byEvent.set(key, [loaded]);
        else list.push(loaded);
      }
    }
    this.#byEvent = byEvent;
  }

  /** Runs the callbacks for `key` (the event name, or its CUSTOM subclass). */
  dispatch(event: EslEvent, key: string, session: Session | undefined): void {
    const list = this.#byEvent.get(key);
    if (list === undefined) return;
    const custom = key.includes('::');
    const global = !custom && GLOBAL_EVENTS.has(key);
    for (const loaded of list) {
      if (session !== undefined && !global && loaded.ctx.appId !== session.appId) continue;
      const callback = (loaded.app.handlers as Record<string, unknown>)[key];
      if (typeof callback !== 'function') continue;
      if (global) this.#invoke(loaded, key, undefined, () => (callback as EventCallback).call(loaded.app.handlers, event, loaded.ctx));
      else if (custom) {
        this.#invoke(loaded, key, session, () =>
          (callback as CustomCallback).call(loaded.app.handlers, session, event, loaded.ctx),
        );
      } else if (session !== undefined) {
        this.#invoke(loaded, key, session, () =>
          (callback as SessionCallback).call(loaded.app.handlers, session, event, loaded.ctx),
        );
      }
    }
  }

  #invoke(loaded: LoadedApp, key: string, session: Session | undefined, run: () => unknown): void {
    try {
      const result = run();
      if (isThenable(result)) result.then(undefined, (error: unknown) => this.#failed(loaded, key, session, error));
    } catch (error) {
      this.#failed(loaded, key, session, error);
    }
  }

  #failed(loaded: LoadedApp, key: string, session: Session | undefined, error: unknown): void {
    this.#logger.error(
      { err: error, app: loaded.app.name, appId: loaded.ctx.appId, event: key, uuid: session?.uuid },
      'app callback failed',
    );
  }
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function';
}
