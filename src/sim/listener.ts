/**
 * One inbound ESL connection, as mod_event_socket.c listener_run() serves it:
 * `auth/request` on connect, commands read and answered strictly in order (an
 * `api` runs inline, so later commands and the events queued meanwhile wait
 * for it), events and log lines written only between commands, and the
 * disconnect notice before the socket is closed.
 *
 * Backpressure: when the socket's buffer is full (`write` returns false),
 * frames wait in a queue until 'drain'. Like FreeSWITCH (MAX_QUEUE_LEN,
 * MAX_MISSED), events beyond `maxQueuedEvents` are lost, and a listener that
 * loses more than 500 is dropped without a notice.
 */
import type { Socket } from 'node:net';
import type { Logger } from 'pino';
import { ContentType, Header } from '../protocol/names.js';
import { serializeFrame } from '../protocol/serialize.js';
import { type ClientCommand, CommandReader } from './command-reader.js';
import { dispatchCommand } from './commands.js';
import type { EventSink, LogLine } from './core.js';
import type { SimEvent } from './event.js';
import type { SimRuntime } from './runtime.js';
import { Subscription } from './subscription.js';

export const GOODBYE = 'Disconnected, goodbye.\nSee you at ClueCon! http://www.cluecon.com/\n';
export const SHUTDOWN_NOTICE = 'The system is being shut down.\n';
/** mod_event_socket.c MAX_MISSED. */
const MAX_MISSED = 500;

export interface ListenerHost {
  readonly sim: SimRuntime;
  readonly maxQueuedEvents: number;
  onClosed(listener: Listener): void;
}

export class Listener implements EventSink {
  readonly id: number;
  readonly socket: Socket;
  readonly host: ListenerHost;
  readonly sub = new Subscription();
  readonly logger: Logger;
  authed = false;
  /** The `log` level, or undefined when not logging (LFLAG_LOG). */
  logLevel: number | undefined;
  readonly #reader: CommandReader;
  readonly #commands: ClientCommand[] = [];
  #processing = false;
  /** Frames produced while a command runs: written after its reply. */
  #held: Array<{ frame: Buffer; droppable: boolean }> = [];
  #busy = false;
  /** Set when the socket's buffer is full; frames then wait in #backlog for 'drain'. */
  #blocked = false;
  #corked = false;
  #backlog: Buffer[] = [];
  #backlogEvents = 0;
  #lost = 0;
  #closing = false;
  #closed = false;
  readonly #drainWaiters: Array<() => void> = [];

  constructor(socket: Socket, host: ListenerHost, id: number) {
    this.id = id;
    this.socket = socket;
    this.host = host;
    this.logger = host.sim.logger.child({ listener: id });
    this.#reader = new CommandReader((cmd) => {
      this.#commands.push(cmd);
      this.#process();
    });
  }

  start(): void {
    this.socket.setNoDelay(true);
    this.socket.on('data', (chunk: Buffer) => {
      if (this.#closing) return;
      this.#reader.write(chunk);
    });
    this.socket.on('drain', () => this.#flushBacklog());
    this.socket.on('error', (err) => this.logger.debug({ err }, 'listener socket error'));
    this.socket.on('close', () => this.#onClosed());
    this.host.sim.core.addSink(this);
    this.#write(serializeFrame({ [Header.ContentType]: ContentType.AuthRequest }), false);
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Whether frames are waiting for the socket to drain. */
  get needsDrain(): boolean {
    return this.#blocked;
  }

  /** Resolves once the backlog is written (or the listener is gone). */
  waitDrain(): Promise<void> {
    if (!this.needsDrain || this.#closed) return Promise.resolve();
    return new Promise((resolve) => this.#drainWaiters.push(resolve));
  }

  deliverEvent(event: SimEvent): void {
    if (!this.authed || this.#closing || !this.sub.wants(event)) return;
    this.#out(event.encode(this.sub.format), true);
  }

  deliverLog(line: LogLine): void {
    if (this.logLevel === undefined || line.level > this.logLevel || this.#closing) return;
    this.#out(logDataFrame(line), true);
  }

  /** `Content-Type: command/reply` with `Reply-Text`, plus any extra headers. */
  reply(text: string, extra: Record<string, string> = {}): void {
    this.#write(serializeFrame({ [Header.ContentType]: ContentType.CommandReply, [Header.ReplyText]: text, ...extra }), false);
  }

  apiResponse(text: string): void {
    this.#write(serializeFrame({ [Header.ContentType]: ContentType.ApiResponse }, text), false);
  }

  /** The disconnect notice, then close once it is written (send_disconnect + close_socket). */
  disconnect(message: string = GOODBYE, closeAfterMs = 0): void {
    if (this.#closing) return;
    this.#write(serializeFrame({ [Header.ContentType]: ContentType.DisconnectNotice }, message), false);
    this.#closing = true;
    this.host.sim.core.removeSink(this);
    const end = (): void => {
      this.socket.end();
      // A client that never closes its side does not keep the socket half-open.
      setTimeout(() => this.socket.destroy(), 2000).unref();
    };
    if (closeAfterMs > 0) setTimeout(end, closeAfterMs).unref();
    else end();
  }

  /** Drops the connection abruptly (no notice), as a crash or a dead network would. */
  destroy(): void {
    this.#closing = true;
    this.host.sim.core.removeSink(this);
    this.socket.destroy();
  }

  #process(): void {
    if (this.#processing) return;
    this.#processing = true;
    void this.#loop();
  }

  async #loop(): Promise<void> {
    try {
      while (this.#commands.length > 0 && !this.#closing) {
        const cmd = this.#commands.shift()!;
        this.#busy = true;
        try {
          await dispatchCommand(this, cmd);
        } catch (err) {
          this.logger.error({ err, command: cmd.line }, 'simulated command failed');
          this.reply('-ERR command failed');
        }
        this.#busy = false;
        this.#releaseHeld();
      }
    } finally {
      this.#processing = false;
      this.#busy = false;
      this.#releaseHeld();
    }
  }

  #releaseHeld(): void {
    const held = this.#held;
    this.#held = [];
    for (const h of held) this.#write(h.frame, h.droppable);
  }

  #out(frame: Buffer, droppable: boolean): void {
    if (this.#busy) this.#held.push({ frame, droppable });
    else this.#write(frame, droppable);
  }

  #write(frame: Buffer, droppable: boolean): void {
    if (this.#closed || this.socket.destroyed) return;
    if (this.#blocked) {
      if (droppable && this.#backlogEvents >= this.host.maxQueuedEvents) {
        if (++this.#lost > MAX_MISSED) {
          this.logger.warn({ lost: this.#lost }, 'listener lost too many events; dropping it');
          this.destroy();
        }
        return;
      }
      this.#backlog.push(frame);
      if (droppable) this.#backlogEvents++;
      return;
    }
    if (!this.#corked) {
      // Frames written in the same tick go out in one writev instead of a syscall each.
      this.#corked = true;
      this.socket.cork();
      process.nextTick(() => {
        this.#corked = false;
        this.socket.uncork();
      });
    }
    if (!this.socket.write(frame)) this.#blocked = true;
  }

  #flushBacklog(): void {
    this.#blocked = false;
    let i = 0;
    while (i < this.#backlog.length && !this.#blocked) {
      if (!this.socket.write(this.#backlog[i++]!)) this.#blocked = true;
    }
    this.#backlog = this.#backlog.slice(i);
    this.#backlogEvents = Math.min(this.#backlogEvents, this.#backlog.length);
    if (this.#blocked) return;
    if (this.#lost > 0) {
      this.logger.warn({ lost: this.#lost }, 'listener lost events');
      this.#lost = 0;
    }
    for (const resolve of this.#drainWaiters.splice(0)) resolve();
  }

  #onClosed(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#closing = true;
    this.host.sim.core.removeSink(this);
    for (const resolve of this.#drainWaiters.splice(0)) resolve();
    this.host.onClosed(this);
  }
}

/** A `log/data` frame as mod_event_socket writes one (its headers, then the line as the body). */
export function logDataFrame(line: LogLine): Buffer {
  return serializeFrame(
    {
      [Header.ContentType]: ContentType.LogData,
      [Header.ContentLength]: '',
      'Log-Level': String(line.level),
      'Text-Channel': String(line.textChannel),
      'Log-File': line.file,
      'Log-Func': line.func,
      'Log-Line': String(line.line),
      'User-Data': line.userData,
    },
    line.text,
  );
}
