/**
 * Call apps: an object (or class instance) with a `name` and callbacks keyed
 * by the FreeSWITCH event they handle, loaded with `client.loadApp(app)`.
 *
 *   const Answer = defineApp({
 *     name: 'Answer',
 *     handlers: {
 *       CHANNEL_PARK: (session) => session.answer(),
 *       'mod_bert::lost_sync': (session, event) => { ... },
 *     },
 *   });
 *
 * Channel events give the callback the tracked Session; global events
 * (BACKGROUND_JOB, HEARTBEAT, ...) give the event only; CUSTOM subclasses
 * give the session when the event names a tracked one. A call reaches the
 * apps loaded under the app id it carries (`originate({ appId })` sets the
 * channel variable APP_ID_VAR, a SIP X-header so it crosses SIP hops too),
 * otherwise the apps of the DEFAULT_APP_ID group.
 */

import type { Logger } from 'pino';
import type { Client } from './client/client.js';
import type { EventListener } from './listener/listener.js';
import type { Session } from './models/session.js';
import type { EslEvent } from './protocol/event.js';

/** Channel variable carrying the app id (`originate` sets it; SIP sends it as `X-switchyard_app`). */
export const APP_ID_VAR = 'sip_h_X-switchyard_app';
/** The same variable as it appears on channel events. */
export const APP_ID_HEADER = `variable_${APP_ID_VAR}`;
/** Channel variable naming the session that started a call, so its other legs join the same Call. */
export const CALL_ID_VAR = 'sip_h_X-switchyard_call';
export const CALL_ID_HEADER = `variable_${CALL_ID_VAR}`;
/** The group of calls that carry no app id. */
export const DEFAULT_APP_ID = 'default';

/** Events about one channel: their callbacks receive the tracked Session. */
export type SessionEventName =
  | 'CHANNEL_CREATE'
  | 'CHANNEL_DESTROY'
  | 'CHANNEL_STATE'
  | 'CHANNEL_CALLSTATE'
  | 'CHANNEL_ANSWER'
  | 'CHANNEL_HANGUP'
  | 'CHANNEL_HANGUP_COMPLETE'
  | 'CHANNEL_EXECUTE'
  | 'CHANNEL_EXECUTE_COMPLETE'
  | 'CHANNEL_BRIDGE'
  | 'CHANNEL_UNBRIDGE'
  | 'CHANNEL_PROGRESS'
  | 'CHANNEL_PROGRESS_MEDIA'
  | 'CHANNEL_OUTGOING'
  | 'CHANNEL_PARK'
  | 'CHANNEL_UNPARK'
  | 'CHANNEL_ORIGINATE'
  | 'CHANNEL_UUID'
  | 'CHANNEL_DATA'
  | 'CHANNEL_HOLD'
  | 'CHANNEL_UNHOLD'
  | 'CALL_UPDATE'
  | 'CODEC'
  | 'DTMF'
  | 'PLAYBACK_START'
  | 'PLAYBACK_STOP'
  | 'RECORD_START'
  | 'RECORD_STOP'
  | 'DETECTED_SPEECH'
  | 'PRIVATE_COMMAND';

/** Events about the switch, not a channel: their callbacks receive the event only. */
export type GlobalEventName =
  | 'BACKGROUND_JOB'
  | 'HEARTBEAT'
  | 'RE_SCHEDULE'
  | 'API'
  | 'SHUTDOWN'
  | 'MODULE_LOAD'
  | 'MODULE_UNLOAD'
  | 'RELOADXML'
  | 'PRESENCE_IN'
  | 'PRESENCE_OUT'
  | 'MESSAGE_WAITING'
  | 'LOG';

/** A CUSTOM event's subclass, e.g. `mod_bert::lost_sync` or `sofia::register`. */
export type CustomEventName = `${string}::${string}`;

export type AppEventName = SessionEventName | GlobalEventName | CustomEventName;

/** What an app's setup and callbacks can reach. */
export interface AppContext {
  /** The group this app was loaded under. */
  readonly appId: string;
  readonly client: Client;
  readonly listener: EventListener;
  /** A child of the client's logger, bound to the app's name and id. */
  readonly logger: Logger;
}

/** A returned promise is not awaited (the event loop never waits on apps); its rejection is logged. */
// biome-ignore lint/suspicious/noConfusingVoidType: callbacks written as `(s) => { s.answer(); }` return void.
export type CallbackResult = void | Promise<unknown>;
export type SessionCallback = (session: Session, event: EslEvent, ctx: AppContext) => CallbackResult;
export type EventCallback = (event: EslEvent, ctx: AppContext) => CallbackResult;
export type CustomCallback = (session: Session | undefined, event: EslEvent, ctx: AppContext) => CallbackResult;

export type AppHandlers = { readonly [K in SessionEventName]?: SessionCallback } & {
  readonly [K in GlobalEventName]?: EventCallback;
} & { readonly [K in CustomEventName]?: CustomCallback };

/** The callback type for one event name. */
export type CallbackFor<K extends AppEventName> = K extends SessionEventName
  ? SessionCallback
  : K extends GlobalEventName
    ? EventCallback
    : CustomCallback;

export interface App {
  readonly name: string;
  readonly handlers: AppHandlers;
  /** More events to receive without a callback (e.g. for `session.waitFor('DTMF')`). */
  readonly subscribe?: readonly AppEventName[];
  /** Runs before the app's callbacks are registered; a throw cancels the load. */
  setup?(ctx: AppContext): void | Promise<void>;
  /** Runs at unload, after the callbacks are removed. */
  teardown?(): void | Promise<void>;
}

/** Identity helper that types an app literal's callbacks from their event names. */
export function defineApp<const A extends App>(app: A): A {
  return app;
}

export interface LoadAppOptions {
  /** The group whose calls reach this app. Default DEFAULT_APP_ID. */
  readonly appId?: string;
}
