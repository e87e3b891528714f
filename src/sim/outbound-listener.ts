/**
 * The simulator's side of an outbound socket: the listener mod_event_socket.c
 * socket_function() creates for one channel after connecting to the client
 * (LFLAG_OUTBOUND, authed, no auth/request). Commands are read and answered
 * in order (outbound-commands.ts); events are written between commands; and
 * read_packet()'s hangup handling is followed: when the channel goes down, a
 * lingering listener sends `text/disconnect-notice` with `Content-Disposition:
 * linger` (the channel's last events still come), otherwise it sends the
 * goodbye notice (`Content-Disposition: disconnect`) and closes.
 *
 * FreeSWITCH cannot destroy a session while its socket listener holds the
 * session's read lock, so CHANNEL_DESTROY (and the CS_DESTROY state after it)
 * never reaches the listener: the simulator, which destroys at once, drops
 * them here.
 */
import type { Socket } from 'node:net';
import type { Logger } from 'pino';
import { ContentType, Header } from '../protocol/names.js';
import { fsUrlEncode } from '../protocol/percent.js';
import { serializeFrame } from '../protocol/serialize.js';
import type { SimChannel } from './channel.js';
import { type ClientCommand, CommandReader } from './command-reader.js';
import type { EventSink, LogLine } from './core.js';
import type { EventOrigin, SimEvent } from './event.js';
import { GOODBYE, logDataFrame } from './listener.js';
import { outboundCommand } from './outbound-commands.js';
import type { SimRuntime } from './runtime.js';
import { Subscription } from './subscription.js';

const CONNECT_ORIGIN: EventOrigin = { file: 'mod_event_socket.c', func: 'parse_command', line: 2018 };

export interface OutboundFlags {
  /** LFLAG_ASYNC: sendmsg is queued and answered at once. */
  readonly async: boolean;
  /** LFLAG_FULL: every command; else only the session ones. */
  readonly full: boolean;
}

export class OutboundSimListener implements EventSink {
  readonly channel: SimChannel;
  readonly runtime: SimRuntime | undefined;
  readonly async: boolean;
  readonly full: boolean;
  readonly sub = new Subscription();
  /** `linger` seconds (-1: until the client leaves), or undefined when not lingering. */
  lingerSeconds: number | undefined;
  /** `resume` (or the channel variable socket_resume): the dialplan goes on when the socket closes. */
  resume = false;
  logLevel: number | undefined;
  /** Settles when the client sent `connect` (LFLAG_CONNECTED). */
  readonly connected: Promise<void>;
  /** Settles when the socket is closed, whoever closed it. */
  readonly closed: Promise<void>;
  readonly #socket: Socket;
  readonly #logger: Logger;
  readonly #reader: CommandReader;
  readonly #commands: ClientCommand[] = [];
  #markConnected!: () => void;
  #markClosed!: () => void;
  #first = true;
  #processing = false;
  #busy = false;
  #held: Buffer[] = [];
  #closing = false;
  #handledDisconnect = false;
  /** The simulator destroyed the channel: FreeSWITCH would not have yet (see above). */
  #destroyed = false;
  #endAfterCommand = false;

  constructor(channel: SimChannel, socket: Socket, flags: OutboundFlags, runtime: SimRuntime | undefined) {
    this.channel = channel;
    this.runtime = runtime;
    this.async = flags.async;
    this.full = flags.full;
    this.#socket = socket;
    this.#logger = channel.core.logger.child({ outbound: channel.uuid });
    this.connected = new Promise((resolve) => {
      this.#markConnected = resolve;
    });
    this.closed = new Promise((resolve) => {
      this.#markClosed = resolve;
    });
    this.#reader = new CommandReader((cmd) => {
      this.#commands.push(cmd);
      this.#process();
    });
  }

  start(): void {
    this.#socket.setNoDelay(true);
    this.#socket.on('data', (chunk: Buffer) => {
      if (!this.#closing) this.#reader.write(chunk);
    });
    this.#socket.on('error', (err) => this.#logger.debug({ err }, 'outbound socket error'));
    this.#socket.on('close', () => this.#onClosed());
    this.channel.core.addSink(this);
  }

  deliverEvent(event: SimEvent): void {
    if (this.#closing) return;
    const mine = event.get('Unique-ID') === this.channel.uuid;
    if (mine && event.name === 'CHANNEL_DESTROY') this.#destroyed = true;
    if (mine && this.#destroyed) return;
    if (this.sub.wants(event)) this.#out(event.encode(this.sub.format));
    if (!mine || this.#handledDisconnect) return;
    if (this.lingerSeconds === undefined && event.name === 'CHANNEL_HANGUP') {
      this.#handledDisconnect = true;
      this.#out(this.#goodbye());
      this.#end();
    } else if (this.lingerSeconds !== undefined && event.name === 'CHANNEL_HANGUP_COMPLETE') {
      this.#handledDisconnect = true;
      this.#lingerNotice(this.lingerSeconds);
    }
  }

  deliverLog(line: LogLine): void {
    if (this.logLevel === undefined || line.level > this.logLevel || this.#closing) return;
    this.#out(logDataFrame(line));
  }

  reply(text: string, extra: Record<string, string> = {}): void {
    this.#write(serializeFrame({ [Header.ContentType]: ContentType.CommandReply, [Header.ReplyText]: text, ...extra }));
  }

  apiResponse(text: string): void {
    this.#write(serializeFrame({ [Header.ContentType]: ContentType.ApiResponse }, text));
  }

  /**
   * The reply to `connect`: a CHANNEL_DATA event (the caller profile as
   * `Channel-*`, then the channel's data) serialized with percent-encoded
   * values as outer headers, then the reply's own headers.
   */
  sendChannelData(): undefined {
    const ch = this.channel;
    const [event] = ch.core.capture(() => ch.fire('CHANNEL_DATA', CONNECT_ORIGIN));
    const headers = event?.headers ?? [];
    const base = headers.findIndex(([name]) => name === 'Event-Sequence') + 1;
    const profile = headers.filter(([name]) => name.startsWith('Caller-')).map(([name, value]) => [`Channel-${name.slice(7)}`, value] as const);
    const ordered = [...headers.slice(0, base), ...profile, ...headers.slice(base)];
    let text = '';
    for (const [name, value] of ordered) text += `${name}: ${fsUrlEncode(value)}\n`;
    text += `Content-Type: command/reply\nReply-Text: ${fsUrlEncode('+OK\n')}\n`;
    text += `Socket-Mode: ${this.async ? 'async' : 'static'}\nControl: ${this.full ? 'full' : 'single-channel'}\n\n`;
    this.#write(Buffer.from(text, 'utf8'));
    this.#markConnected();
    return undefined;
  }

  /** Drops the client with the goodbye notice (send_disconnect + close_socket). */
  disconnect(): void {
    if (this.#closing) return;
    this.#write(this.#goodbye());
    this.#end();
  }

  #goodbye(): Buffer {
    return serializeFrame(
      {
        [Header.ContentType]: ContentType.DisconnectNotice,
        'Controlled-Session-UUID': this.channel.uuid,
        [Header.ContentDisposition]: 'disconnect',
        [Header.ContentLength]: '',
      },
      GOODBYE,
    );
  }

  #lingerNotice(seconds: number): void {
    const frame = serializeFrame({
      [Header.ContentType]: ContentType.DisconnectNotice,
      'Controlled-Session-UUID': this.channel.uuid,
      [Header.ContentDisposition]: 'linger',
      'Channel-Name': this.channel.name,
      'Linger-Time': String(seconds),
      [Header.ContentLength]: '0',
    });
    this.#out(frame);
    if (seconds >= 0) this.channel.core.timer(seconds * 1000, () => this.disconnect());
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
        const first = this.#first;
        this.#first = false;
        if (/^exit/i.test(cmd.line) || cmd.line.startsWith('...')) {
          this.reply('+OK bye');
          this.disconnect();
          return;
        }
        this.#busy = true;
        let reply: string | undefined;
        try {
          reply = await outboundCommand(this, cmd);
        } catch (err) {
          this.#logger.error({ err, command: cmd.line }, 'simulated outbound command failed');
          reply = '-ERR command failed';
        }
        // listener_run() answers the first packet only if it answered itself (connect does).
        if (reply !== undefined && !first) this.reply(reply);
        this.#busy = false;
        this.#releaseHeld();
        if (this.#endAfterCommand) this.#end();
      }
    } finally {
      this.#processing = false;
      this.#busy = false;
      this.#releaseHeld();
      if (this.#endAfterCommand) this.#end();
    }
  }

  #releaseHeld(): void {
    const held = this.#held;
    this.#held = [];
    for (const frame of held) this.#write(frame);
  }

  #out(frame: Buffer): void {
    if (this.#busy) this.#held.push(frame);
    else this.#write(frame);
  }

  #write(frame: Buffer): void {
    if (this.#socket.destroyed || this.#socket.writableEnded) return;
    this.#socket.write(frame);
  }

  #end(): void {
    if (this.#closing) return;
    // The listener thread answers the command it is running before it hangs up the socket.
    if (this.#busy) {
      this.#endAfterCommand = true;
      return;
    }
    this.#releaseHeld();
    this.#closing = true;
    this.channel.core.removeSink(this);
    this.#socket.end();
    setTimeout(() => this.#socket.destroy(), 2000).unref();
  }

  #onClosed(): void {
    this.#closing = true;
    this.channel.core.removeSink(this);
    this.#markClosed();
  }
}
