/**
 * A TCP proxy that sits between a client and an ESL server and misbehaves on
 * purpose, the way networks do (in the manner of undici's fuzzing server and
 * node-redis's fault-injection proxy): it splits what the server sends into
 * chunks cut at random points, delays chunks, and can drop a connection at a
 * chosen byte. Bytes are never reordered or altered, only re-chunked, delayed
 * or cut off. Randomness is seeded so a failing run can be replayed.
 */

import { createServer, connect as netConnect, type Server, type Socket } from 'node:net';

export interface FaultOptions {
  /** Cut server->client bytes into chunks of 1..maxChunk bytes at random points (0: pass chunks as they come). */
  maxChunk?: number;
  /** Delay each chunk read from the server by a random time in [min, max] ms (order is kept). */
  delayMs?: readonly [number, number];
  /**
   * Cut the connection that carries server->client byte number `dropAtByte`
   * (counted over all connections, see `bytesToClient`) right after that byte.
   * One shot: it clears itself when it fires.
   */
  dropAtByte?: number | undefined;
  /** Seed of the chunking/delay randomness. */
  seed?: number;
}

export interface FaultProxy {
  readonly host: string;
  readonly port: number;
  /** Live options: changes apply to chunks forwarded from now on. */
  readonly options: FaultOptions;
  /** Connections accepted so far. */
  readonly connections: number;
  /** Server->client bytes forwarded, all connections together. */
  readonly bytesToClient: number;
  /** Client->server bytes forwarded. */
  readonly bytesToServer: number;
  /** Resolves once `total` client->server bytes have been forwarded. */
  untilBytesToServer(total: number): Promise<void>;
  /** Cut every open connection now. */
  dropAll(): void;
  close(): Promise<void>;
}

/** mulberry32: small, fast, seedable. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export async function startFaultProxy(target: { host: string; port: number }, options: FaultOptions = {}): Promise<FaultProxy> {
  const live: FaultOptions = { ...options };
  const random = prng(options.seed ?? 1);
  const open = new Set<Socket>();
  let connections = 0;
  let bytesToClient = 0;
  let bytesToServer = 0;
  let waiters: { total: number; resolve: () => void }[] = [];

  const server: Server = createServer((client) => {
    connections++;
    const upstream = netConnect(target.port, target.host);
    client.setNoDelay(true);
    upstream.setNoDelay(true);
    open.add(client);
    open.add(upstream);
    let chain = Promise.resolve();
    /** Set at the cut: nothing more goes to this client. */
    let cut = false;
    const drop = (): void => {
      client.destroy();
      upstream.destroy();
    };
    const cleanUp = (): void => {
      open.delete(client);
      open.delete(upstream);
      drop();
    };
    client.on('close', cleanUp);
    upstream.on('close', cleanUp);
    client.on('error', () => undefined);
    upstream.on('error', () => undefined);
    client.on('data', (chunk: Buffer) => {
      bytesToServer += chunk.length;
      upstream.write(chunk, () => {
        waiters = waiters.filter((w) => {
          if (bytesToServer < w.total) return true;
          w.resolve();
          return false;
        });
      });
    });

    /** Forwards one upstream chunk: after its delay, cut in pieces written one event-loop turn apart. */
    const forward = async (chunk: Buffer): Promise<void> => {
      if (cut || client.destroyed) return;
      const [min, max] = live.delayMs ?? [0, 0];
      if (max > 0) await new Promise((resolve) => setTimeout(resolve, min + Math.floor(random() * (max - min + 1))));
      const most = live.maxChunk ?? 0;
      let offset = 0;
      while (offset < chunk.length) {
        if (cut || client.destroyed) return;
        const size = most > 0 ? 1 + Math.floor(random() * most) : chunk.length;
        const piece = chunk.subarray(offset, offset + size);
        offset += size;
        if (!write(piece)) {
          upstream.pause();
          await new Promise<void>((resolve) => client.once('drain', () => resolve()));
          upstream.resume();
        }
        // let the client read this piece on its own before the next one arrives
        if (most > 0) await new Promise((resolve) => setImmediate(resolve));
      }
    };

    /** Writes a piece unless it crosses the drop point; then writes up to it and cuts. */
    const write = (piece: Buffer): boolean => {
      const limit = live.dropAtByte;
      if (limit !== undefined && bytesToClient + piece.length >= limit) {
        // one shot: the connection carrying byte `limit` is cut right after it
        live.dropAtByte = undefined;
        cut = true;
        const head = piece.subarray(0, Math.max(0, limit - bytesToClient));
        bytesToClient += head.length;
        client.write(head, drop);
        return true;
      }
      bytesToClient += piece.length;
      return client.write(piece);
    };

    upstream.on('data', (chunk: Buffer) => {
      chain = chain.then(() => forward(chunk));
    });
    upstream.on('end', () => {
      chain = chain.then(() => {
        client.end();
      });
    });
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('fault proxy: no TCP address');

  return {
    host: '127.0.0.1',
    port: address.port,
    options: live,
    get connections() {
      return connections;
    },
    get bytesToClient() {
      return bytesToClient;
    },
    get bytesToServer() {
      return bytesToServer;
    },
    untilBytesToServer(total) {
      if (bytesToServer >= total) return Promise.resolve();
      return new Promise<void>((resolve) => waiters.push({ total, resolve }));
    },
    dropAll() {
      for (const socket of open) socket.destroy();
    },
    close() {
      for (const socket of open) socket.destroy();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
