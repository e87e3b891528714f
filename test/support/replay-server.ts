/**
 * A minimal ESL server for benchmarks: it speaks auth, then, once a client
 * subscribes (`event plain|json ...`), streams event frames recorded from a
 * real FreeSWITCH (../shared/captures), repeated up to `totalEvents`, as fast
 * as the socket takes them while respecting backpressure. Commands other than
 * `event` get a `+OK` reply (api: an api/response), `exit` the real goodbye.
 *
 * `forkReplayServer` runs it in a child process, as FreeSWITCH would be, so a
 * benchmark's client does not share its CPU time with the server.
 */

import { fork } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import { EslParser } from '../../src/protocol/parser.js';

export const CAPTURES = new URL('../../../shared/captures/', import.meta.url);

/** Event frames (exact bytes, as FreeSWITCH framed them) of the given format from the named captures. */
export function loadCapturedEvents(format: 'plain' | 'json' | 'xml', names: readonly string[]): Buffer[] {
  const contentType = `text/event-${format}`;
  const frames: Buffer[] = [];
  for (const name of names) {
    const parser = new EslParser((frame) => {
      if (frame.contentType !== contentType || frame.body === undefined) return;
      const head = Buffer.from(`Content-Length: ${frame.body.length}\nContent-Type: ${contentType}\n\n`, 'latin1');
      frames.push(Buffer.concat([head, frame.body]));
    });
    parser.write(readFileSync(new URL(`${name}.in.esl`, CAPTURES)));
  }
  return frames;
}

export interface ReplayServerOptions {
  readonly password?: string;
  /** Event frames per format; a client gets the format it subscribes with. */
  readonly frames: Partial<Record<'plain' | 'json' | 'xml', readonly Buffer[]>>;
  /** Events streamed to each subscriber. */
  readonly totalEvents: number;
}

export interface ReplayServer {
  readonly host: string;
  readonly port: number;
  close(): Promise<void>;
}

const LF2 = Buffer.from('\n\n');

export async function startReplayServer(options: ReplayServerOptions): Promise<ReplayServer> {
  const password = options.password ?? 'ClueCon';
  const cycles = new Map<string, { bytes: Buffer; frames: readonly Buffer[] }>();
  for (const [format, frames] of Object.entries(options.frames)) {
    if (frames !== undefined && frames.length > 0) cycles.set(format, { bytes: Buffer.concat(frames), frames });
  }
  const sockets = new Set<Socket>();

  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.setNoDelay(true);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    socket.write('Content-Type: auth/request\n\n');
    let pending = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      pending = Buffer.concat([pending, chunk]);
      for (;;) {
        const end = pending.indexOf(LF2);
        if (end < 0) return;
        const command = pending.subarray(0, end).toString('utf8').trim();
        pending = pending.subarray(end + 2);
        if (command !== '') onCommand(socket, command);
      }
    });
  });

  const reply = (socket: Socket, text: string): void => {
    socket.write(`Content-Type: command/reply\nReply-Text: ${text}\n\n`);
  };

  function onCommand(socket: Socket, command: string): void {
    const [verb = '', format = 'plain'] = command.split(' ');
    if (verb === 'auth') {
      if (command === `auth ${password}`) reply(socket, '+OK accepted');
      else {
        reply(socket, '-ERR invalid');
        socket.end();
      }
    } else if (verb === 'event') {
      reply(socket, `+OK event listener enabled ${format}`);
      const cycle = cycles.get(format);
      if (cycle !== undefined) void stream(socket, cycle);
    } else if (verb === 'api') {
      socket.write('Content-Type: api/response\nContent-Length: 4\n\n+OK\n');
    } else if (verb === 'exit') {
      reply(socket, '+OK bye');
      const bye = 'Disconnected, goodbye.\nSee you at ClueCon! http://www.cluecon.com/\n';
      socket.end(`Content-Type: text/disconnect-notice\nContent-Length: ${bye.length}\n\n${bye}`);
    } else {
      reply(socket, '+OK');
    }
  }

  async function stream(socket: Socket, cycle: { bytes: Buffer; frames: readonly Buffer[] }): Promise<void> {
    let left = options.totalEvents;
    while (left > 0 && !socket.destroyed) {
      let ok: boolean;
      if (left >= cycle.frames.length) {
        ok = socket.write(cycle.bytes);
        left -= cycle.frames.length;
      } else {
        ok = socket.write(Buffer.concat(cycle.frames.slice(0, left)));
        left = 0;
      }
      if (!ok) await writable(socket);
    }
  }

  function writable(socket: Socket): Promise<void> {
    return new Promise<void>((resolve) => {
      const done = (): void => {
        socket.off('drain', done);
        socket.off('close', done);
        resolve();
      };
      socket.on('drain', done);
      socket.on('close', done);
    });
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('replay server: no TCP address');
  return {
    host: '127.0.0.1',
    port: address.port,
    close() {
      for (const socket of sockets) socket.destroy();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export interface ForkedReplayOptions {
  /** Capture names per format, loaded in the child. */
  readonly captures: Partial<Record<'plain' | 'json' | 'xml', readonly string[]>>;
  readonly totalEvents: number;
  readonly password?: string;
}

const CHILD_FLAG = '--switchyard-replay-child';

/** The replay server in its own process (Node with tsx). */
export function forkReplayServer(options: ForkedReplayOptions): Promise<ReplayServer> {
  const child = fork(fileURLToPath(import.meta.url), [CHILD_FLAG], { execArgv: ['--import', 'tsx'], stdio: 'inherit' });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`replay server exited early (${code})`)));
    child.once('message', (message: { port: number }) => {
      child.removeAllListeners('exit');
      resolve({
        host: '127.0.0.1',
        port: message.port,
        close: () =>
          new Promise<void>((done) => {
            child.once('exit', () => done());
            child.kill();
          }),
      });
    });
    child.send(options);
  });
}

if (process.argv.includes(CHILD_FLAG) && process.send !== undefined) {
  process.once('message', (options: ForkedReplayOptions) => {
    const frames: Partial<Record<'plain' | 'json' | 'xml', Buffer[]>> = {};
    for (const [format, names] of Object.entries(options.captures) as ['plain' | 'json' | 'xml', string[]][]) {
      frames[format] = loadCapturedEvents(format, names);
    }
    const serverOptions = options.password === undefined ? { frames, totalEvents: options.totalEvents } : { frames, totalEvents: options.totalEvents, password: options.password };
    void startReplayServer(serverOptions).then((server) => process.send?.({ port: server.port }));
  });
}
