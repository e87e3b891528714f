/**
 * The `socket` dialplan application (mod_event_socket.c socket_function):
 * `socket host:port [async] [full]` connects to an outbound ESL server and
 * hands it this channel. Used from the dialplan or from originate
 * (`originate loopback/x '&socket(127.0.0.1:8084 async full)'`).
 *
 * - host:port is split at the last `:`; without a port, 8084.
 * - connect failure: "Socket Error!" logged, the application returns and the
 *   dialplan goes on.
 * - async: the listener runs on its own; once the client sent `connect` the
 *   channel parks (switch_ivr_park), running each sendmsg as it comes, until
 *   it hangs up or the socket closes.
 * - static: the listener runs on the session thread; each sendmsg runs before
 *   its reply.
 * - when the socket closes first: with `resume` (or socket_resume=true) the
 *   dialplan goes on; otherwise the channel is hung up.
 */
import net from 'node:net';
import { APPLICATIONS } from './apps.js';
import type { SimChannel } from './channel.js';
import { LogLevel, type SimCore } from './core.js';
import type { EventOrigin } from './event.js';
import { OutboundSimListener } from './outbound-listener.js';
import type { SimRuntime } from './runtime.js';
import { drainPrivate } from './session.js';

const SOCKET_ORIGIN: EventOrigin = { file: 'mod_event_socket.c', func: 'socket_function', line: 394 };
const DEFAULT_PORT = 8084;

/** The runtime a core belongs to, so `api` on a full socket can run commands. */
const runtimes = new WeakMap<SimCore, SimRuntime>();

/** Lets the `socket` application of this simulator run `api`/`bgapi` for its clients. */
export function attachOutboundSockets(sim: SimRuntime): void {
  runtimes.set(sim.core, sim);
}

interface SocketTarget {
  readonly host: string;
  readonly port: number;
  readonly async: boolean;
  readonly full: boolean;
}

function parseTarget(arg: string): SocketTarget | undefined {
  const argv = arg.split(' ').filter((t) => t !== '');
  let host = argv[0];
  if (host === undefined || host === '') return undefined;
  let port = DEFAULT_PORT;
  const colon = host.lastIndexOf(':');
  if (colon >= 0) {
    port = Number.parseInt(host.slice(colon + 1), 10) || 0;
    host = host.slice(0, colon);
  }
  const flags = argv.slice(1).map((t) => t.toLowerCase());
  return { host, port, async: flags.includes('async'), full: flags.includes('full') };
}

function connectTo(target: SocketTarget): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: target.host, port: target.port });
    socket.once('error', reject);
    socket.once('connect', () => {
      socket.off('error', reject);
      resolve(socket);
    });
  });
}

export async function socketApp(ch: SimChannel, arg: string): Promise<void> {
  const target = parseTarget(arg);
  if (target === undefined) {
    ch.core.log(LogLevel.ERR, SOCKET_ORIGIN, 'Parse Error!', ch.uuid);
    return;
  }
  ch.setVar('socket_host', target.host);
  let socket: net.Socket;
  try {
    socket = await connectTo(target);
  } catch {
    ch.core.log(LogLevel.ERR, SOCKET_ORIGIN, 'Socket Error!', ch.uuid);
    return;
  }
  const listener = new OutboundSimListener(ch, socket, target, runtimes.get(ch.core));
  listener.start();
  // A client that leaves first: the channel hangs up unless it asked to resume.
  void listener.closed.then(() => {
    if (ch.hungup) return;
    if (listener.resume || ch.getVar('socket_resume') === 'true') {
      ch.parked = false;
      ch.wake();
    } else {
      ch.hangup('NORMAL_CLEARING', SOCKET_ORIGIN);
    }
  });
  if (ch.hungup) listener.disconnect();
  else if (target.async) await runAsync(ch, listener);
  else await Promise.race([listener.closed, ch.whenHungup()]);
}

async function runAsync(ch: SimChannel, listener: OutboundSimListener): Promise<void> {
  await Promise.race([listener.connected, listener.closed, ch.whenHungup()]);
  if (ch.hungup) return;
  await APPLICATIONS.get('park')?.(ch, '');
  // switch_ivr_parse_all_events: messages that came in as park ended still run.
  await drainPrivate(ch);
}
