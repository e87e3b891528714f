/** What the listener needs from its event connection, so tests can hand it a fake. */

import type { DisconnectInfo, ReconnectedInfo } from '../connection/types.js';
import type { EventFormat } from '../protocol/names.js';
import type { EslEvent } from '../protocol/event.js';

export interface EventSourceEvents {
  event: (event: EslEvent) => void;
  disconnected: (info: DisconnectInfo) => void;
  reconnected: (info: ReconnectedInfo) => void;
}

/** The subset of Connection the listener uses. */
export interface EventSource {
  connect(): Promise<void>;
  close(): Promise<void>;
  /** `api <cmd>`: the raw response body. */
  api(command: string): Promise<string>;
  subscribe(events: readonly string[], format?: EventFormat): Promise<string>;
  unsubscribe(events: readonly string[]): Promise<string>;
  on(name: 'event', listener: EventSourceEvents['event']): unknown;
  on(name: 'disconnected', listener: EventSourceEvents['disconnected']): unknown;
  on(name: 'reconnected', listener: EventSourceEvents['reconnected']): unknown;
  off(name: 'event', listener: EventSourceEvents['event']): unknown;
  off(name: 'disconnected', listener: EventSourceEvents['disconnected']): unknown;
  off(name: 'reconnected', listener: EventSourceEvents['reconnected']): unknown;
}

/** How a resync after a reconnect (or at connect) changed the maps. */
export interface ResyncResult {
  /** Sessions FreeSWITCH no longer has: closed with a reason, dropped from the maps. */
  readonly closed: readonly string[];
  /** Channels we did not track: adopted as new sessions. */
  readonly adopted: readonly string[];
  /** Sessions present on both sides. */
  readonly kept: number;
}

export interface ListenerEvents {
  /** After each resync (at connect and after every reconnect). */
  resynced: (result: ResyncResult) => void;
  /** The event connection dropped; pending jobs were rejected. */
  disconnected: (info: DisconnectInfo) => void;
  reconnected: (info: ReconnectedInfo) => void;
}
