/**
 * The TCP side of mod_event_socket.c: accept, one Listener per connection,
 * and `reload mod_event_socket` (mod_event_socket_shutdown: "The system is
 * being shut down." to every listener, sockets closed about 0.6 s later, the
 * module listening again shortly after, on the same address).
 */
import net from 'node:net';
import { Listener, SHUTDOWN_NOTICE } from './listener.js';
import type { ServerControl, SimRuntime } from './runtime.js';

export interface ServerTiming {
  /** How long after the shutdown notice the sockets are closed (0.6 s in the recording). */
  readonly reloadCloseMs: number;
  /** How long the port refuses connections during a reload. */
  readonly reloadDowntimeMs: number;
}

export class SimServer implements ServerControl {
  readonly #sim: SimRuntime;
  readonly #timing: ServerTiming;
  readonly #maxQueuedEvents: number;
  readonly #listeners = new Set<Listener>();
  #server: net.Server | undefined;
  #nextId = 1;
  #host = '127.0.0.1';
  #port = 0;
  #closed = false;
  #reloadTimer: NodeJS.Timeout | undefined;
  #listeningWaiters: Array<() => void> = [];

  constructor(sim: SimRuntime, timing: ServerTiming, maxQueuedEvents: number) {
    this.#sim = sim;
    this.#timing = timing;
    this.#maxQueuedEvents = maxQueuedEvents;
  }

  get host(): string {
    return this.#host;
  }

  get port(): number {
    return this.#port;
  }

  get listeners(): ReadonlySet<Listener> {
    return this.#listeners;
  }

  async listen(host: string, port: number): Promise<void> {
    const server = net.createServer((socket) => this.#accept(socket));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ host, port }, () => {
        server.off('error', reject);
        resolve();
      });
    });
    server.on('error', (err) => this.#sim.logger.error({ err }, 'simulator server error'));
    const addr = server.address() as net.AddressInfo;
    this.#server = server;
    this.#host = host;
    this.#port = addr.port;
    for (const resolve of this.#listeningWaiters.splice(0)) resolve();
  }

  /** Resolves when the port accepts connections (at once, unless a reload is under way). */
  whenListening(): Promise<void> {
    if (this.#server || this.#closed) return Promise.resolve();
    return new Promise((resolve) => this.#listeningWaiters.push(resolve));
  }

  reloadEventSocket(): void {
    if (this.#closed || this.#reloadTimer) return;
    this.#sim.logger.info('reload mod_event_socket: dropping every listener');
    for (const l of this.#listeners) l.disconnect(SHUTDOWN_NOTICE, this.#timing.reloadCloseMs);
    const server = this.#server;
    this.#server = undefined;
    server?.close();
    this.#reloadTimer = setTimeout(() => {
      this.#reloadTimer = undefined;
      if (this.#closed) return;
      this.listen(this.#host, this.#port).catch((err: unknown) => {
        this.#sim.logger.error({ err }, 'simulator could not listen again after reload');
      });
    }, this.#timing.reloadDowntimeMs);
  }

  /** Destroys every client socket at once, without a notice. */
  dropConnections(): void {
    for (const l of [...this.#listeners]) l.destroy();
  }

  async close(): Promise<void> {
    this.#closed = true;
    for (const resolve of this.#listeningWaiters.splice(0)) resolve();
    if (this.#reloadTimer) clearTimeout(this.#reloadTimer);
    this.#reloadTimer = undefined;
    const server = this.#server;
    this.#server = undefined;
    for (const l of [...this.#listeners]) l.destroy();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  #accept(socket: net.Socket): void {
    if (this.#closed) {
      socket.destroy();
      return;
    }
    const listener = new Listener(
      socket,
      {
        sim: this.#sim,
        maxQueuedEvents: this.#maxQueuedEvents,
        onClosed: (l) => this.#listeners.delete(l),
      },
      this.#nextId++,
    );
    this.#listeners.add(listener);
    listener.start();
  }
}
