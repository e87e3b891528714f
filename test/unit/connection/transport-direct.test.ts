/**
 * The default TCP transport reads into its own buffers (`onread`) and hands
 * chunks straight to the Link: every byte arrives unchanged and earlier chunks
 * are never overwritten (the parser's frames point into them), end and close
 * still fire, and bytes read before a reader is attached are kept for it.
 */
import { once } from 'node:events';
import { type AddressInfo, createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { readChunks, tcpTransport } from '../../../src/connection/transport.js';

let server: Server | undefined;
afterEach(() => server?.close());

async function serve(onSocket: (s: Socket) => void): Promise<number> {
  server = createServer(onSocket);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return (server.address() as AddressInfo).port;
}

describe('direct reads', () => {
  it('delivers every byte unchanged, keeps earlier chunks intact, then end and close', async () => {
    const total = 3 * 1024 * 1024;
    const payload = Buffer.alloc(total);
    for (let i = 0; i < total; i++) payload[i] = (i * 7 + (i >> 11)) & 0xff;
    const port = await serve((s) => {
      let off = 0;
      const pump = (): void => {
        while (off < total) {
          const n = Math.min(1000 + (off % 5000), total - off);
          const ok = s.write(payload.subarray(off, off + n));
          off += n;
          if (!ok) {
            s.once('drain', pump);
            return;
          }
        }
        s.end();
      };
      pump();
    });
    const socket = await tcpTransport().connect('127.0.0.1', port, new AbortController().signal);
    const chunks: Buffer[] = [];
    expect(readChunks(socket, (c) => chunks.push(c))).toBe(true);
    const events: string[] = [];
    socket.on('data', () => events.push('data'));
    socket.on('end', () => events.push('end'));
    await once(socket, 'close');
    events.push('close');
    expect(events).toEqual(['end', 'close']);
    expect(chunks.length).toBeGreaterThan(1);
    expect(Buffer.concat(chunks).equals(payload)).toBe(true);
  });

  it('queues chunks that arrive before the reader and delivers them on a later tick, in order', async () => {
    const port = await serve((s) => s.end('hello'));
    const socket = await tcpTransport().connect('127.0.0.1', port, new AbortController().signal);
    // 'end' comes after every byte was read: 'hello' now waits in the queue, with no reader yet.
    await once(socket, 'end');
    const got: string[] = [];
    readChunks(socket, (c) => got.push(c.toString()));
    expect(got).toEqual([]);
    await new Promise((r) => process.nextTick(r));
    expect(got).toEqual(['hello']);
    socket.destroy();
  });

  it('is off for other streams and when directReads is false', async () => {
    const port = await serve((s) => s.end('x'));
    const socket = await tcpTransport({ directReads: false }).connect('127.0.0.1', port, new AbortController().signal);
    expect(readChunks(socket, () => undefined)).toBe(false);
    const [data] = await once(socket, 'data');
    expect(String(data)).toBe('x');
    socket.destroy();
  });
});
