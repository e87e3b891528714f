/**
 * Runs `switchyard serve --outbound [HOST:]PORT --app NAME|./file.ts`: an
 * OutboundServer for FreeSWITCH's `socket` application (`socket
 * 127.0.0.1:8084 async full` in the dialplan), running the apps on every call
 * that arrives, until SIGINT or SIGTERM.
 */

import { InvalidArgumentError } from '../errors.js';
import { OutboundApps } from '../outbound/apps.js';
import { OutboundServer } from '../outbound/server.js';
import { loadAppRef } from './app-loader.js';
import type { AppRef } from './serve.js';
import { untilSignal } from './signals.js';

export interface OutboundServePlan {
  /** Where to listen: `PORT` (on 127.0.0.1) or `HOST:PORT`. */
  readonly listen: string;
  readonly apps: readonly AppRef[];
}

/** `8084` or `0.0.0.0:8084`. */
export function parseListen(text: string): { host: string; port: number } {
  const colon = text.lastIndexOf(':');
  const host = colon < 0 ? '127.0.0.1' : text.slice(0, colon);
  const portText = colon < 0 ? text : text.slice(colon + 1);
  if (!/^\d+$/.test(portText) || Number(portText) > 65535 || host === '') {
    throw new InvalidArgumentError(`--outbound needs PORT or HOST:PORT, got ${JSON.stringify(text)}`);
  }
  return { host, port: Number(portText) };
}

export async function runServeOutbound(plan: OutboundServePlan, out: NodeJS.WritableStream = process.stdout): Promise<void> {
  const where = parseListen(plan.listen);
  const apps = await Promise.all(plan.apps.map((ref) => loadAppRef(ref)));
  // Listen before anything is announced: a supervisor may signal as soon as it reads the line.
  const stopped = untilSignal(['SIGINT', 'SIGTERM']);
  const server = new OutboundServer(where);
  const host = new OutboundApps(server);
  try {
    for (const app of apps) await host.load(app);
    const address = await server.listen();
    out.write(`serving ${host.names.join(', ')} on outbound ${address.host}:${address.port} (Ctrl-C to stop)\n`);
    const signal = await stopped;
    out.write(`${signal}: closing\n`);
  } finally {
    await server.close();
    await host.unloadAll();
  }
}
