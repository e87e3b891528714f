/**
 * How a Connection gets its byte stream. An interface so tests can inject an
 * in-memory duplex or a fault-injecting proxy; the default is node:net TCP.
 */

import { connect as netConnect, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';

export interface Transport {
  /**
   * Opens a stream to host:port. Resolves once bytes can flow; rejects if the
   * peer cannot be reached. Must give up (reject) when `signal` aborts.
   */
  connect(host: string, port: number, signal: AbortSignal): Promise<Duplex>;
}

export interface TcpTransportOptions {
  /** Idle time before the first TCP keepalive probe. Default 15 s. */
  readonly keepAliveDelayMs?: number;
}

/** node:net TCP with Nagle off (commands are small and latency-bound) and keepalive on. */
export function tcpTransport(options: TcpTransportOptions = {}): Transport {
  const keepAliveDelayMs = options.keepAliveDelayMs ?? 15_000;
  return {
    connect(host, port, signal) {
      return new Promise<Duplex>((resolve, reject) => {
        if (signal.aborted) {
          reject(signal.reason);
          return;
        }
        const socket: Socket = netConnect({ host, port, noDelay: true, keepAlive: true, keepAliveInitialDelay: keepAliveDelayMs });
        const onAbort = (): void => {
          socket.destroy();
          reject(signal.reason);
        };
        const onError = (error: Error): void => {
          signal.removeEventListener('abort', onAbort);
          reject(error);
        };
        socket.once('error', onError);
        signal.addEventListener('abort', onAbort, { once: true });
        socket.once('connect', () => {
          socket.removeListener('error', onError);
          signal.removeEventListener('abort', onAbort);
          resolve(socket);
        });
      });
    },
  };
}
