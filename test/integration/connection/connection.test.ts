import { afterEach, describe, expect, it } from 'vitest';
import { Connection } from '../../../src/connection/connection.js';
import type { ConnectionOptions, DisconnectInfo, ReconnectedInfo } from '../../../src/connection/types.js';
import { AuthError, DisconnectedError, InvalidArgumentError } from '../../../src/errors.js';
import type { EslEvent } from '../../../src/protocol/event.js';
import { type Simulator, startSimulator } from '../../../src/sim/index.js';
import { type FaultProxy, startFaultProxy } from '../../support/fault-proxy.js';

const cleanups: (() => Promise<unknown> | undefined)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function simulator(port = 0): Promise<Simulator> {
  // reload timings pinned to what the recording shows: notice, close 0.6 s later, back 1 s after the notice
  const sim = await startSimulator({ port, password: 'ClueCon', reloadCloseMs: 600, reloadDowntimeMs: 1000 });
  cleanups.push(() => sim.close());
  return sim;
}

function connection(target: { host: string; port: number }, options: Partial<ConnectionOptions> = {}): Connection {
  const conn = new Connection({ host: target.host, port: target.port, password: 'ClueCon', ...options });
  cleanups.push(() => conn.close());
  return conn;
}

async function proxy(target: { host: string; port: number }, ...args: Parameters<typeof startFaultProxy> extends [unknown, ...infer R] ? R : never): Promise<FaultProxy> {
  const p = await startFaultProxy(target, ...args);
  cleanups.push(() => p.close());
  return p;
}

function waitFor<T>(conn: Connection, name: 'disconnected' | 'reconnected'): Promise<T> {
  return new Promise((resolve) => conn.once(name, resolve as never));
}

/** 1,000 distinct commands whose answers can be told apart, mixed with heavier ones. */
function mixedCommands(n: number): { command: string; check: (reply: string) => boolean }[] {
  return Array.from({ length: n }, (_, i) => {
    switch (i % 4) {
      case 0:
        return { command: `echo caller-${i}`, check: (r) => r === `caller-${i}` };
      case 1:
        return { command: `nosuch_${i}`, check: (r) => r === `-ERR nosuch_${i} Command not found!\n` };
      case 2:
        return { command: 'status', check: (r) => r.startsWith('UP ') && r.includes('is ready') };
      default:
        return { command: `eval ${i}-${i * 7}`, check: (r) => r === `${i}-${i * 7}` };
    }
  });
}

describe('Connection against the simulator', () => {
  it('authenticates with the right password and refuses a wrong one with -ERR invalid', async () => {
    const sim = await simulator();
    const good = connection(sim);
    await good.connect();
    expect(good.state.status).toBe('connected');
    expect(await good.api('version')).toBe('FreeSWITCH Version 1.11.1-release~64bit ( 64bit)\n');

    const bad = connection(sim, { password: 'nope' });
    const error = await bad.connect().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AuthError);
    expect(error).toMatchObject({ reply: '-ERR invalid' });
  });

  it('gives each of 1,000 concurrent api callers its own reply', async () => {
    const sim = await simulator();
    const conn = connection(sim);
    await conn.connect();
    const commands = mixedCommands(1000);
    const replies = await Promise.all(commands.map(({ command }) => conn.api(command)));
    const wrong = replies.filter((reply, i) => !commands[i]!.check(reply));
    expect(wrong).toEqual([]);
  });

  it('rejects every command in flight with DisconnectedError when the server drops the socket', async () => {
    const sim = await simulator();
    const slow = await proxy(sim, { delayMs: [40, 40] });
    const conn = connection(slow);
    await conn.connect();
    const before = slow.bytesToServer;
    const commands = Array.from({ length: 100 }, (_, i) => `echo in-flight-${i}`);
    const disconnected = waitFor<DisconnectInfo>(conn, 'disconnected');
    const pending = commands.map((c) => conn.api(c));
    const written = commands.reduce((sum, c) => sum + Buffer.byteLength(`api ${c}\n\n`), 0);
    await slow.untilBytesToServer(before + written);
    sim.dropConnections();
    const results = await Promise.allSettled(pending);
    expect(results.every((r) => r.status === 'rejected' && r.reason instanceof DisconnectedError && r.reason.reason === 'socket')).toBe(true);
    expect(await disconnected).toMatchObject({ reason: 'socket' });
    await expect(conn.api('after')).rejects.toBeInstanceOf(DisconnectedError);
  });

  it('reconnects when the simulator comes back on the same port, restores the subscription and reports the gap', async () => {
    const first = await startSimulator({ port: 0 });
    const port = first.port;
    const conn = connection(first, { reconnect: { initialDelayMs: 20, maxDelayMs: 100 } });
    await conn.connect();
    await conn.subscribe(['CHANNEL_CREATE', 'BACKGROUND_JOB']);
    const disconnected = waitFor<DisconnectInfo>(conn, 'disconnected');
    const reconnected = waitFor<ReconnectedInfo>(conn, 'reconnected');
    await first.close();
    expect((await disconnected).reason).toBe('socket');
    await simulator(port);
    const gap = await reconnected;
    expect(gap.attempts).toBeGreaterThanOrEqual(1);
    expect(gap.gapMs).toBeGreaterThan(0);
    const created = new Promise<EslEvent>((resolve) => conn.on('event', (e: EslEvent) => e.name === 'CHANNEL_CREATE' && resolve(e)));
    await conn.bgapi('originate loopback/park/switchyard &park()');
    expect((await created).get('Channel-Name')).toMatch(/^loopback\/park-[ab]$/);
  });

  it('survives reload mod_event_socket: a disconnect notice, then back within a second or two', async () => {
    const sim = await simulator();
    const conn = connection(sim, { reconnect: { initialDelayMs: 100, maxDelayMs: 500, jitter: 0 } });
    await conn.connect();
    await conn.subscribe(['ALL']);
    const disconnected = waitFor<DisconnectInfo>(conn, 'disconnected');
    const reconnected = waitFor<ReconnectedInfo>(conn, 'reconnected');
    const admin = connection(sim);
    await admin.connect();
    await admin.bgapi('reload mod_event_socket');
    const info = await disconnected;
    expect(info.reason).toBe('notice');
    expect(info.error?.message).toContain('The system is being shut down.');
    const back = await reconnected;
    expect(back.gapMs).toBeGreaterThanOrEqual(900);
    expect(back.attempts).toBeGreaterThanOrEqual(2); // the first try, 100 ms in, finds the module down
    expect(await conn.api('echo back')).toBe('back');
  });

  it('refuses CR/LF injection with nothing reaching the server', async () => {
    const sim = await simulator();
    const watch = await proxy(sim);
    const conn = connection(watch);
    await conn.connect();
    const afterAuth = watch.bytesToServer;
    expect(afterAuth).toBe(Buffer.byteLength('auth ClueCon\n\n'));
    const attempts = [
      conn.api('status\n\nexit'),
      conn.api('status\r\nexit'),
      conn.bgapi('status', { jobUuid: 'x\nexit' }),
      conn.filter('Unique-ID', 'u\n\nexit'),
      conn.sendmsg('u1', { 'call-command': 'hangup\nexit' }),
      conn.send('api status\nexit'),
      conn.subscribe(['CHANNEL_CREATE\nexit']),
    ];
    for (const attempt of attempts) await expect(attempt).rejects.toBeInstanceOf(InvalidArgumentError);
    expect(await conn.api('echo still-fine')).toBe('still-fine');
    expect(watch.bytesToServer).toBe(afterAuth + Buffer.byteLength('api echo still-fine\n\n'));
  });
});
