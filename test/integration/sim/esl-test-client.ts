/**
 * A minimal ESL client for testing the simulator over TCP: every frame is
 * kept, replies and events are awaited by predicate (no sleeps), event-plain
 * and event-json bodies are decoded.
 */
import net from 'node:net';
import type { Frame } from '../../../src/protocol/frame.js';
import { EslParser } from '../../../src/protocol/parser.js';
import { decodeHeaderValue } from '../../../src/protocol/percent.js';

export interface ReceivedEvent {
  readonly name: string;
  readonly headers: Readonly<Record<string, string>>;
  /** Header names in order, duplicates kept. */
  readonly order: readonly string[];
  readonly body: string | undefined;
  readonly frame: Frame;
}

type Waiter = { pred: (f: Frame) => boolean; resolve: (f: Frame) => void; reject: (e: Error) => void };

export class TestClient {
  readonly socket: net.Socket;
  readonly frames: Frame[] = [];
  readonly #used = new Set<Frame>();
  #waiters: Waiter[] = [];
  readonly closed: Promise<void>;
  #isClosed = false;

  private constructor(socket: net.Socket) {
    this.socket = socket;
    const parser = new EslParser((frame) => {
      this.frames.push(frame);
      this.#waiters = this.#waiters.filter((w) => {
        if (this.#used.has(frame) || !w.pred(frame)) return true;
        this.#used.add(frame);
        w.resolve(frame);
        return false;
      });
    });
    socket.on('data', (chunk) => parser.write(chunk));
    this.closed = new Promise((resolve) =>
      socket.once('close', () => {
        this.#isClosed = true;
        for (const w of this.#waiters) w.reject(new Error('socket closed'));
        this.#waiters = [];
        resolve();
      }),
    );
  }

  static async connect(port: number, host = '127.0.0.1'): Promise<TestClient> {
    const socket = net.connect(port, host);
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    const client = new TestClient(socket);
    await client.next((f) => f.contentType === 'auth/request');
    return client;
  }

  /** Connects and authenticates with ClueCon (or `password`). */
  static async authed(port: number, password = 'ClueCon'): Promise<TestClient> {
    const client = await TestClient.connect(port);
    const reply = await client.command(`auth ${password}`);
    if (reply.headers['Reply-Text'] !== '+OK accepted') throw new Error(`auth failed: ${reply.headers['Reply-Text']}`);
    return client;
  }

  get isClosed(): boolean {
    return this.#isClosed;
  }

  send(text: string): void {
    this.socket.write(text.endsWith('\n\n') ? text : `${text}\n\n`);
  }

  /** The first frame not yet taken that matches, already received or to come. */
  next(pred: (f: Frame) => boolean, timeoutMs = 5000): Promise<Frame> {
    for (const f of this.frames) {
      if (!this.#used.has(f) && pred(f)) {
        this.#used.add(f);
        return Promise.resolve(f);
      }
    }
    if (this.#isClosed) return Promise.reject(new Error('socket closed'));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('timed out waiting for a frame')), timeoutMs);
      this.#waiters.push({
        pred,
        resolve: (f) => {
          clearTimeout(timer);
          resolve(f);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      });
    });
  }

  /** Sends a command and returns its command/reply or api/response. */
  command(text: string): Promise<Frame> {
    this.send(text);
    return this.next((f) => f.contentType === 'command/reply' || f.contentType === 'api/response');
  }

  async api(text: string): Promise<string> {
    const f = await this.command(`api ${text}`);
    return f.body?.toString('utf8') ?? '';
  }

  async event(pred: (e: ReceivedEvent) => boolean = () => true, timeoutMs = 5000): Promise<ReceivedEvent> {
    const f = await this.next((frame) => {
      const e = decodeEvent(frame);
      return e !== undefined && pred(e);
    }, timeoutMs);
    return decodeEvent(f)!;
  }

  /** Every event received so far, decoded. */
  events(): ReceivedEvent[] {
    return this.frames.map(decodeEvent).filter((e): e is ReceivedEvent => e !== undefined);
  }

  close(): void {
    this.socket.destroy();
  }
}

const decoded = new WeakMap<Frame, ReceivedEvent | undefined>();

/** The event in a frame (decoded once per frame), or undefined for other frames. */
export function decodeEvent(frame: Frame): ReceivedEvent | undefined {
  if (decoded.has(frame)) return decoded.get(frame);
  const event = decodeEventUncached(frame);
  decoded.set(frame, event);
  return event;
}

function decodeEventUncached(frame: Frame): ReceivedEvent | undefined {
  const body = frame.body?.toString('utf8') ?? '';
  if (frame.contentType === 'text/event-plain') {
    const end = body.indexOf('\n\n');
    const head = end < 0 ? body : body.slice(0, end);
    const headers: Record<string, string> = {};
    const order: string[] = [];
    for (const line of head.split('\n')) {
      const i = line.indexOf(': ');
      if (i <= 0) continue;
      const k = line.slice(0, i);
      order.push(k);
      // A re-fired event repeats its base block (PRIVATE_COMMAND after COMMAND): the last one is the event's.
      headers[k] = decodeHeaderValue(line.slice(i + 2));
    }
    const bodyText = end >= 0 && headers['Content-Length'] !== undefined ? body.slice(end + 2) : undefined;
    return { name: headers['Event-Name'] ?? '', headers, order, body: bodyText, frame };
  }
  if (frame.contentType === 'text/event-json') {
    const obj = JSON.parse(body) as Record<string, string>;
    const { _body, ...headers } = obj;
    return { name: headers['Event-Name'] ?? '', headers, order: Object.keys(headers), body: _body, frame };
  }
  return undefined;
}

/** Per-channel ordered event names, channels in order of first appearance (as ../shared/tools/fidelity.mjs). */
export function channelSequences(events: readonly ReceivedEvent[], ignore: ReadonlySet<string>): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const e of events) {
    const uuid = e.headers['Unique-ID'];
    if (!uuid || ignore.has(e.name)) continue;
    if (!out.has(uuid)) out.set(uuid, []);
    out.get(uuid)!.push(e.name);
  }
  return out;
}
