/** Public types of the connection layer: options, lifecycle state, the event map. */

import type { Logger } from 'pino';
import type { DisconnectReason } from '../errors.js';
import type { EslEvent } from '../protocol/event.js';
import type { ReconnectOptions } from './backoff.js';
import type { Transport } from './transport.js';

export interface ConnectionOptions {
  readonly host: string;
  readonly port: number;
  readonly password: string;
  /** Sends `userauth user:password` instead of `auth password` (user is `name@domain`). */
  readonly user?: string;
  readonly logger?: Logger;
  /**
   * Opt-in: after an established connection drops (anything but `close()`),
   * reconnect with exponential backoff, restore subscriptions and filters, then
   * emit `reconnected`. The first `connect()` is never retried.
   */
  readonly reconnect?: boolean | ReconnectOptions;
  /** Covers TCP connect and authentication. Default 10 s. */
  readonly connectTimeoutMs?: number;
  /** No bytes for this long -> disconnected with reason 'silence'. Default 60 s; 0 disables. */
  readonly livenessTimeoutMs?: number;
  /**
   * With reconnect on, commands sent while reconnecting wait this long for a
   * link before rejecting with DisconnectedError. Default 10 s.
   */
  readonly offlineQueueTimeoutMs?: number;
  /** After `exit`, how long `close()` waits for FreeSWITCH to hang up. Default 1 s. */
  readonly closeTimeoutMs?: number;
  /** Undispatched frames that trigger `lagging`. Default 5,000. */
  readonly lagThreshold?: number;
  /**
   * Time spent dispatching per event-loop turn before reading the socket again;
   * handlers slower than FreeSWITCH then build a backlog here. Default 10 ms.
   */
  readonly dispatchSliceMs?: number;
  readonly transport?: Transport;
}

export type ConnectionState =
  | { readonly status: 'connecting'; readonly since: number }
  | { readonly status: 'connected'; readonly since: number }
  | { readonly status: 'reconnecting'; readonly since: number; readonly attempt: number }
  | { readonly status: 'closed'; readonly reason?: DisconnectReason; readonly error?: Error };

export interface DisconnectInfo {
  readonly reason: DisconnectReason;
  readonly error?: Error;
  /**
   * The socket closed without a notice while events were piling up or pouring
   * in: FreeSWITCH probably killed the listener for falling behind.
   */
  readonly fellBehind?: boolean;
}

export interface ReconnectingInfo {
  readonly attempt: number;
  readonly delayMs: number;
  /** Why the previous attempt failed (absent before the first). */
  readonly error?: Error;
}

export interface ReconnectedInfo {
  /** From losing the link to being back with subscriptions restored. */
  readonly gapMs: number;
  readonly attempts: number;
}

export interface LogLine {
  /** FreeSWITCH log level: 0 console .. 7 debug. */
  readonly level: number;
  readonly text: string;
  /** The log/data frame's headers: Log-File, Log-Func, Log-Line, User-Data, Text-Channel. */
  readonly headers: Readonly<Record<string, string>>;
}

export interface ConnectionEvents {
  /** An event FreeSWITCH sent (any format), decoded lazily. */
  event: (event: EslEvent) => void;
  /** A `log/data` line (after `log(level)`). */
  log: (line: LogLine) => void;
  /** Authenticated: after `connect()` and after each successful reconnect. */
  connected: () => void;
  /** An established connection was lost (a failed `connect()` rejects instead). */
  disconnected: (info: DisconnectInfo) => void;
  reconnecting: (info: ReconnectingInfo) => void;
  reconnected: (info: ReconnectedInfo) => void;
  /** Reconnect gave up after maxAttempts; the connection is closed. */
  reconnectFailed: (info: { readonly attempts: number; readonly error?: Error }) => void;
  /** Undispatched frames crossed the lag threshold: handlers are slower than FreeSWITCH. */
  lagging: (info: { readonly backlog: number }) => void;
}
