/**
 * An in-process fake FreeSWITCH for Connection unit tests: a Transport whose
 * connect() hands the client one end of an in-memory duplex pair and keeps the
 * other end here, so a test can read exactly what the client wrote and write
 * exactly the bytes FreeSWITCH would (built with serializeFrame).
 */

import { Duplex } from 'node:stream';
import type { Transport } from '../../../src/connection/transport.js';
import { serializeFrame } from '../../../src/protocol/serialize.js';

/** One end of an in-memory pipe: what is written here is read at the peer. */
class PipeEnd extends Duplex {
  peer!: PipeEnd;
  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.peer.push(chunk);
    callback();
  }
  override _final(callback: (error?: Error | null) => void): void {
    this.peer.push(null);
    callback();
  }
  override _read(): void {}
  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    if (!this.peer.destroyed) this.peer.destroy();
    callback(error);
  }
}

export function pipePair(): [PipeEnd, PipeEnd] {
  const a = new PipeEnd();
  const b = new PipeEnd();
  a.peer = b;
  b.peer = a;
  return [a, b];
}

/** The server side of one client connection. */
export class FakeLink {
  /** Every command the client wrote, without its trailing blank line. */
  readonly received: string[] = [];
  /** Every byte the client wrote. */
  raw = '';
  #pending = '';
  #waiters: { count: number; resolve: () => void }[] = [];
  readonly #handlers: ((command: string, link: FakeLink) => void)[] = [];

  constructor(readonly socket: PipeEnd) {
    socket.on('data', (chunk: Buffer) => this.#onData(chunk));
    socket.on('error', () => undefined);
  }

  get closed(): Promise<void> {
    return new Promise((resolve) => {
      if (this.socket.destroyed) resolve();
      else this.socket.once('close', () => resolve());
    });
  }

  /** Calls `handler` (after any earlier ones) for every command received from now on. */
  onCommand(handler: (command: string, link: FakeLink) => void): void {
    this.#handlers.push(handler);
  }

  /** Resolves once `count` commands in total have been received. */
  async commands(count: number): Promise<string[]> {
    if (this.received.length < count) await new Promise<void>((resolve) => this.#waiters.push({ count, resolve }));
    return this.received.slice(0, count);
  }

  write(bytes: Buffer | string): void {
    this.socket.write(bytes);
  }

  frame(headers: Record<string, string>, body?: string): void {
    this.write(serializeFrame(headers, body));
  }

  reply(text: string, extra: Record<string, string> = {}): void {
    this.frame({ 'Content-Type': 'command/reply', 'Reply-Text': text, ...extra });
  }

  apiResponse(body: string): void {
    this.frame({ 'Content-Type': 'api/response' }, body);
  }

  event(name: string, headers: Record<string, string> = {}): void {
    let plain = `Event-Name: ${name}\n`;
    for (const [k, v] of Object.entries(headers)) plain += `${k}: ${encodeURIComponent(v)}\n`;
    plain += '\n';
    this.write(`Content-Length: ${Buffer.byteLength(plain)}\nContent-Type: text/event-plain\n\n${plain}`);
  }

  notice(disposition?: string): void {
    const headers: Record<string, string> = { 'Content-Type': 'text/disconnect-notice' };
    if (disposition !== undefined) headers['Content-Disposition'] = disposition;
    this.frame(headers, 'Disconnected, goodbye.\nSee you at ClueCon! http://www.cluecon.com/\n');
  }

  /** Close like a peer that is done: the client reads what was sent, then sees the end. */
  hangUp(): void {
    this.socket.end();
  }

  #onData(chunk: Buffer): void {
    this.raw += chunk.toString('utf8');
    this.#pending += chunk.toString('utf8');
    for (;;) {
      const end = this.#pending.indexOf('\n\n');
      if (end < 0) break;
      let command = this.#pending.slice(0, end);
      let consumed = end + 2;
      const length = /content-length: (\d+)/i.exec(command);
      if (length !== null) {
        const n = Number(length[1]);
        if (this.#pending.length < consumed + n) break;
        command += `\n\n${this.#pending.slice(consumed, consumed + n)}`;
        consumed += n;
      }
      this.#pending = this.#pending.slice(consumed).replace(/^\n+/, '');
      this.received.push(command);
      for (const handler of this.#handlers) handler(command, this);
      this.#waiters = this.#waiters.filter((w) => {
        if (this.received.length < w.count) return true;
        w.resolve();
        return false;
      });
    }
  }
}

export interface FakeOptions {
  readonly password?: string;
  /** Greet and answer auth automatically (default true). */
  readonly autoAuth?: boolean;
}

/** A fake FreeSWITCH reachable through `transport`. */
export class FakeFreeSwitch {
  readonly links: FakeLink[] = [];
  /** When set, the next connect() attempts fail with this error. */
  refuse: Error | undefined;
  connectAttempts = 0;
  #linkWaiters: { count: number; resolve: () => void }[] = [];
  #onLink: ((link: FakeLink) => void) | undefined;

  constructor(readonly options: FakeOptions = {}) {}

  readonly transport: Transport = {
    connect: async () => {
      this.connectAttempts++;
      if (this.refuse !== undefined) throw this.refuse;
      const [client, server] = pipePair();
      const link = new FakeLink(server);
      this.links.push(link);
      if (this.options.autoAuth !== false) this.#autoAuth(link);
      this.#onLink?.(link);
      this.#linkWaiters = this.#linkWaiters.filter((w) => {
        if (this.links.length < w.count) return true;
        w.resolve();
        return false;
      });
      return client;
    },
  };

  /** Calls `handler` on every new link, after auto-auth is wired. */
  onLink(handler: (link: FakeLink) => void): void {
    this.#onLink = handler;
  }

  async link(index: number): Promise<FakeLink> {
    if (this.links.length <= index) await new Promise<void>((resolve) => this.#linkWaiters.push({ count: index + 1, resolve }));
    return this.links[index]!;
  }

  #autoAuth(link: FakeLink): void {
    const password = this.options.password ?? 'ClueCon';
    link.onCommand((command) => {
      if (command === `auth ${password}`) link.reply('+OK accepted');
      else if (command.startsWith('auth ')) {
        link.reply('-ERR invalid');
        link.notice();
      }
    });
    setImmediate(() => link.frame({ 'Content-Type': 'auth/request' }));
  }
}
