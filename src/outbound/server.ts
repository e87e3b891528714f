/**
 * OutboundServer: the TCP server FreeSWITCH's `socket` application dials
 * (`socket 127.0.0.1:8084 async full`, or `&socket(...)` on originate;
 * mod_event_socket.c socket_function). One OutboundSocket per call: `connect`,
 * `myevents`, `linger` (on by default, so the last events are not lost), and
 * `divert_events` when asked, then the `session` handlers run with the
 * channel's Session, which answers, plays and hangs up through this socket
 * like an inbound one.
 *
 * A handler that throws (or rejects) has its own socket closed (`exit`, so
 * FreeSWITCH hangs that channel up unless it was resumed); other calls go on.
 */

import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { EventEmitter } from 'eventemitter3';
import { type Logger, pino } from 'pino';
import { InvalidArgumentError } from '../errors.js';
import type { Session } from '../models/session.js';
import type { EventFormat } from '../protocol/names.js';
import { OutboundSocket } from './socket.js';

export interface OutboundServerOptions {
  /** Default 127.0.0.1. */
  readonly host?: string;
  /** Default 8084 (FreeSWITCH's default for `socket`); 0 picks a free port. */
  readonly port?: number;
  readonly logger?: Logger;
  /** `linger` after connect (true: until we exit; a number: that many seconds). Default true. */
  readonly linger?: boolean | number;
  /** `divert_events on` after connect. Default false. */
  readonly divertEvents?: boolean;
  /** `myevents` format. Default plain. */
  readonly eventFormat?: EventFormat;
  /** connect + myevents + linger must complete within this. Default 10 s. */
  readonly handshakeTimeoutMs?: number;
  /** After a linger notice, how long to wait for CHANNEL_HANGUP_COMPLETE before `exit`. Default 5 s. */
  readonly lingerDrainMs?: number;
  /** After `exit`, how long to wait for FreeSWITCH to close. Default 1 s. */
  readonly closeTimeoutMs?: number;
}

/** A returned promise is watched: its rejection closes this session's socket. */
export type OutboundHandler = (session: Session, socket: OutboundSocket) => unknown;

export interface OutboundServerEvents {
  session: OutboundHandler;
  /** A connection that never became a session, or a handler that failed (its socket is closed). */
  sessionError: (error: unknown, socket: OutboundSocket) => void;
}

export class OutboundServer extends EventEmitter<OutboundServerEvents> {
  readonly #host: string;
  readonly #port: number;
  readonly #logger: Logger;
  readonly #linger: boolean | number;
  readonly #divertEvents: boolean;
  readonly #eventFormat: EventFormat;
  readonly #handshakeTimeoutMs: number;
  readonly #lingerDrainMs: number;
  readonly #closeTimeoutMs: number;
  readonly #sockets = new Set<OutboundSocket>();
  #server: Server | undefined;
  #address: AddressInfo | undefined;
  #closing = false;

  constructor(options: OutboundServerOptions = {}) {
    super();
    const port = options.port ?? 8084;
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new InvalidArgumentError(`port must be 0-65535, got ${port}`);
    const linger = options.linger ?? true;
    if (typeof linger === 'number' && (!Number.isSafeInteger(linger) || linger < 0)) {
      throw new InvalidArgumentError(`linger must be true, false or whole seconds >= 0, got ${linger}`);
    }
    this.#host = options.host ?? '127.0.0.1';
    this.#port = port;
    this.#logger = (options.logger ?? pino({ level: 'silent' })).child({ outbound: true });
    this.#linger = linger;
    this.#divertEvents = options.divertEvents ?? false;
    this.#eventFormat = options.eventFormat ?? 'plain';
    this.#handshakeTimeoutMs = options.handshakeTimeoutMs ?? 10_000;
    this.#lingerDrainMs = options.lingerDrainMs ?? 5000;
    this.#closeTimeoutMs = options.closeTimeoutMs ?? 1000;
  }

  /** The bound address once listening (the real port when 0 was asked). */
  get address(): { readonly host: string; readonly port: number } | undefined {
    return this.#address === undefined ? undefined : { host: this.#address.address, port: this.#address.port };
  }

  get port(): number {
    return this.#address?.port ?? this.#port;
  }

  /** Sockets connected now (handshaking, in a session, or lingering). */
  get sockets(): ReadonlySet<OutboundSocket> {
    return this.#sockets;
  }

  async listen(): Promise<{ readonly host: string; readonly port: number }> {
    if (this.#server !== undefined) throw new InvalidArgumentError('OutboundServer is already listening');
    this.#closing = false;
    const server = createServer((socket) => this.#accept(socket));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ host: this.#host, port: this.#port }, () => {
        server.off('error', reject);
        resolve();
      });
    });
    server.on('error', (error) => this.#logger.error({ err: error }, 'outbound server error'));
    this.#server = server;
    this.#address = server.address() as AddressInfo;
    this.#logger.info({ host: this.#address.address, port: this.#address.port }, 'outbound server listening');
    return { host: this.#address.address, port: this.#address.port };
  }

  /** Stops accepting, `exit`s every socket (FreeSWITCH hangs up calls not resumed) and waits for them. */
  async close(): Promise<void> {
    this.#closing = true;
    const server = this.#server;
    this.#server = undefined;
    const closing = server === undefined ? Promise.resolve() : new Promise<void>((resolve) => server.close(() => resolve()));
    await Promise.all([...this.#sockets].map((s) => s.close()));
    await closing;
  }

  #accept(raw: Socket): void {
    if (this.#closing) {
      raw.destroy();
      return;
    }
    const socket = new OutboundSocket(raw, {
      logger: this.#logger,
      eventFormat: this.#eventFormat,
      lingerDrainMs: this.#lingerDrainMs,
      closeTimeoutMs: this.#closeTimeoutMs,
    });
    this.#sockets.add(socket);
    void socket.done.then(() => this.#sockets.delete(socket));
    socket
      .start({ linger: this.#linger, divertEvents: this.#divertEvents, timeoutMs: this.#handshakeTimeoutMs })
      .then(
        (session) => this.#runHandlers(session, socket),
        (error: unknown) => {
          this.#logger.warn({ err: error, peer: socket.remoteAddress }, 'outbound connection failed before a session began');
          this.emit('sessionError', error, socket);
        },
      );
  }

  #runHandlers(session: Session, socket: OutboundSocket): void {
    const handlers = this.listeners('session');
    if (handlers.length === 0) {
      this.#logger.warn({ uuid: session.uuid }, 'no session handler: closing the socket');
      void socket.close();
      return;
    }
    for (const handler of handlers) {
      try {
        const result: unknown = handler.call(this, session, socket);
        if (isThenable(result)) result.then(undefined, (error: unknown) => this.#handlerFailed(error, socket));
      } catch (error) {
        this.#handlerFailed(error, socket);
      }
    }
  }

  #handlerFailed(error: unknown, socket: OutboundSocket): void {
    this.#logger.error({ err: error, uuid: socket.uuid }, 'session handler failed: closing its socket');
    this.emit('sessionError', error, socket);
    void socket.close();
  }
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function';
}
