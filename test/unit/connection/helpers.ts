import { Writable } from 'node:stream';
import { pino } from 'pino';
import { Connection } from '../../../src/connection/connection.js';
import type { ConnectionEvents, ConnectionOptions } from '../../../src/connection/types.js';
import { FakeFreeSwitch, type FakeLink } from './fake-fs.js';

/** The first emission of `name`, as a promise of its argument. */
export function next<K extends keyof ConnectionEvents>(conn: Connection, name: K): Promise<Parameters<ConnectionEvents[K]>[0]> {
  return new Promise((resolve) => {
    // biome-ignore lint/suspicious/noExplicitAny: eventemitter3's listener type is generic over the map
    conn.once(name, ((arg: Parameters<ConnectionEvents[K]>[0]) => resolve(arg)) as any);
  });
}

export function connection(fake: FakeFreeSwitch, options: Partial<ConnectionOptions> = {}): Connection {
  return new Connection({ host: '127.0.0.1', port: 8021, password: 'ClueCon', transport: fake.transport, ...options });
}

/** A connected Connection and the server side of its link. */
export async function connected(
  options: Partial<ConnectionOptions> = {},
  fake = new FakeFreeSwitch(),
): Promise<{ conn: Connection; fake: FakeFreeSwitch; link: FakeLink }> {
  const conn = connection(fake, options);
  await conn.connect();
  const link = await fake.link(fake.links.length - 1);
  return { conn, fake, link };
}

/** Replies `+OK` to every command but auth; api commands get `+OK <command>` as body; exit hangs up. */
export function echoServer(link: FakeLink): void {
  link.onCommand((command) => answer(link, command));
}

export function answer(link: FakeLink, command: string): void {
  if (command.startsWith('auth ')) return;
  if (command.startsWith('api ')) link.apiResponse(`+OK ${command.slice(4)}\n`);
  else if (command === 'exit') {
    link.reply('+OK bye');
    link.notice();
    link.hangUp();
  } else link.reply('+OK');
}

/** A pino logger writing every line (JSON) into `lines`. */
export function capturingLogger(level: pino.Level): { logger: pino.Logger; lines: string[] } {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      lines.push(chunk.toString('utf8'));
      callback();
    },
  });
  return { logger: pino({ level }, stream), lines };
}
