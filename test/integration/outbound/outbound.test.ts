/**
 * OutboundServer against the simulator: calls originated with
 * `&socket(127.0.0.1:PORT ...)` connect to the server, which hands each one
 * to the session handler as a Session controlled over its own socket.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CommandError } from '../../../src/errors.js';
import type { Session } from '../../../src/models/session.js';
import { OutboundServer, type OutboundServerOptions } from '../../../src/outbound/server.js';
import type { OutboundSocket } from '../../../src/outbound/socket.js';
import type { EslEvent } from '../../../src/protocol/event.js';
import { type Simulator, startSimulator } from '../../../src/sim/index.js';

let sim: Simulator;
let server: OutboundServer;
let port: number;

async function startServer(options: OutboundServerOptions = {}): Promise<void> {
  server = new OutboundServer({ port: 0, ...options });
  ({ port } = await server.listen());
}

/** Originates a loopback call whose answered A leg runs the socket application. */
async function call(mode = 'async full'): Promise<string> {
  const reply = await sim.api(`originate loopback/answer/switchyard '&socket(127.0.0.1:${port} ${mode})'`);
  expect(reply).toMatch(/^\+OK /);
  return reply.slice(4).trim();
}

/** Resolves with the next session (and its socket) the server hands out. */
function nextSession(): Promise<{ session: Session; socket: OutboundSocket }> {
  return new Promise((resolve) => {
    const handler = (session: Session, socket: OutboundSocket): void => {
      server.off('session', handler);
      resolve({ session, socket });
    };
    server.on('session', handler);
  });
}

/** Resolves once the simulator no longer has the channel (checked on each turn of the event loop). */
function untilGone(uuid: string): Promise<void> {
  return new Promise((resolve) => {
    const check = (): void => {
      if (!sim.channels().some((c) => c.uuid === uuid)) resolve();
      else setImmediate(check);
    };
    check();
  });
}

/** Records the names of every event the socket delivers. */
function recordEvents(socket: OutboundSocket): string[] {
  const names: string[] = [];
  socket.on('event', (event: EslEvent) => names.push(event.name));
  return names;
}

beforeEach(async () => {
  sim = await startSimulator({ port: 0, sessionsPerSecond: 100_000 });
});

afterEach(async () => {
  await server?.close();
  await sim.close();
});

describe('OutboundServer over the simulator', () => {
  it('runs an IVR: answer, play, collect DTMF, hang up', async () => {
    await startServer();
    const digits: string[] = [];
    const done = new Promise<{ session: Session; socket: OutboundSocket; played: string | undefined }>((resolve, reject) => {
      server.on('session', async (session, socket) => {
        try {
          await session.answer();
          const played = await session.playback('tone_stream://%(100,0,440)');
          const peer = session.get('variable_other_loopback_leg_uuid')!;
          for (const digit of ['4', '2']) {
            const dtmf = session.waitFor('DTMF', { timeout: 5000 });
            await sim.api(`uuid_send_dtmf ${peer} ${digit}`);
            digits.push((await dtmf).get('DTMF-Digit')!);
          }
          await session.hangup('NORMAL_CLEARING');
          await socket.done;
          resolve({ session, socket, played: played.get('Application-Response') });
        } catch (error) {
          reject(error);
        }
      });
    });
    const uuid = await call();
    const { session, socket, played } = await done;
    expect(session.uuid).toBe(uuid);
    expect(socket.control).toBe('full');
    expect(socket.socketMode).toBe('async');
    expect(played).toBe('FILE PLAYED');
    expect(digits).toEqual(['4', '2']);
    expect(session.answered).toBe(true);
    expect(session.hangupCause).toBe('NORMAL_CLEARING');
    expect((await socket.done).reason).toBe('closed');
    expect(server.sockets.size).toBe(0);
  });

  it('lingers by default: CHANNEL_HANGUP_COMPLETE arrives after a hangup from FreeSWITCH, then the server exits', async () => {
    await startServer();
    const next = nextSession();
    const uuid = await call();
    const { session, socket } = await next;
    const events = recordEvents(socket);
    const linger = new Promise<number>((resolve) => socket.on('linger', (n) => resolve(n.lingerTime)));
    const complete = session.waitFor('CHANNEL_HANGUP_COMPLETE', { timeout: 5000 });
    expect(await sim.api(`uuid_kill ${uuid} USER_BUSY`)).toBe('+OK\n');
    expect((await complete).get('Hangup-Cause')).toBe('USER_BUSY');
    expect(await linger).toBe(-1);
    const closed = await socket.done;
    expect(closed.reason).toBe('closed');
    expect(events).toContain('CHANNEL_HANGUP');
    expect(events.at(-1)).toBe('CHANNEL_HANGUP_COMPLETE');
    expect(events).not.toContain('CHANNEL_DESTROY');
    expect(session.hangupCause).toBe('USER_BUSY');
    expect(sim.channels().filter((c) => c.uuid === uuid)).toEqual([]);
  });

  it('without linger the socket closes at the hangup and CHANNEL_HANGUP_COMPLETE is lost', async () => {
    await startServer({ linger: false });
    const next = nextSession();
    const uuid = await call();
    const { session, socket } = await next;
    const events = recordEvents(socket);
    await sim.api(`uuid_kill ${uuid}`);
    const closed = await socket.done;
    expect(closed.reason).toBe('notice');
    expect(events).toEqual(['CHANNEL_HANGUP']);
    expect(session.hungup).toBe(true);
    expect(session.closedReason).toBe('disconnected');
  });

  it('a handler that throws closes its own session only', async () => {
    await startServer();
    const failures: unknown[] = [];
    server.on('sessionError', (error) => failures.push(error));
    let count = 0;
    const survivor = new Promise<{ session: Session; socket: OutboundSocket }>((resolve) => {
      server.on('session', (session, socket) => {
        count++;
        if (count === 1) throw new Error('boom in the first call');
        resolve({ session, socket });
      });
    });
    const failedSocket = new Promise<OutboundSocket>((resolve) => server.once('sessionError', (_e, socket) => resolve(socket)));
    const firstUuid = await call();
    const first = await failedSocket;
    expect(first.uuid).toBe(firstUuid);
    expect((await first.done).reason).toBe('closed');
    // The simulator hangs the channel up when it sees its socket close (no resume).
    await untilGone(firstUuid);
    const secondUuid = await call();
    const { session, socket } = await survivor;
    expect(session.uuid).toBe(secondUuid);
    expect(failures.map((e) => (e as Error).message)).toEqual(['boom in the first call']);
    const played = await session.playback('tone_stream://%(50,0,440)');
    expect(played.get('Application-Response')).toBe('FILE PLAYED');
    expect(session.hungup).toBe(false);
    expect(sim.channels().some((c) => c.uuid === secondUuid)).toBe(true);
    expect(server.sockets.size).toBe(1);
    await session.hangup();
    expect((await socket.done).reason).toBe('closed');
  });

  it('single-channel mode: api verbs fail with a CommandError, sendmsg verbs work, no linger', async () => {
    await startServer();
    const next = nextSession();
    const uuid = await call('async');
    const { session, socket } = await next;
    expect(socket.control).toBe('single-channel');
    const refused = await session.answer().catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(CommandError);
    expect((refused as CommandError).reply).toMatch(/^-ERR command not found/);
    expect((refused as CommandError).message).toContain('single-channel');
    const done = await session.execute('playback', 'tone_stream://%(50,0,440)');
    expect(done.get('Application-Response')).toBe('FILE PLAYED');
    expect(await socket.getvar('uuid')).toBe(uuid);
    expect(await socket.getvar('no_such_variable')).toBeUndefined();
    const events = recordEvents(socket);
    await socket.sendmsg(undefined, { 'call-command': 'hangup', 'hangup-cause': 'CALL_REJECTED' });
    expect((await socket.done).reason).toBe('notice');
    expect(events).toContain('CHANNEL_HANGUP');
    expect(events).not.toContain('CHANNEL_HANGUP_COMPLETE');
    expect(session.hangupCause).toBe('CALL_REJECTED');
  });

  it('resume: FreeSWITCH is told to go on with the dialplan when the socket closes', async () => {
    await startServer();
    const next = nextSession();
    await call();
    const { socket } = await next;
    expect(await socket.getvar('socket_resume')).toBeUndefined();
    expect(await socket.resume()).toBe('+OK');
    expect(await socket.getvar('socket_resume')).toBe('true');
    await socket.close();
    expect((await socket.done).reason).toBe('closed');
  });

  it('static full mode: each sendmsg runs before its reply and verbs still resolve', async () => {
    await startServer();
    const next = nextSession();
    await call('full');
    const { session, socket } = await next;
    expect(socket.socketMode).toBe('static');
    expect(socket.control).toBe('full');
    const played = await session.playback('tone_stream://%(50,0,440)');
    expect(played.get('Application-Response')).toBe('FILE PLAYED');
    await session.hangup('NORMAL_CLEARING');
    expect((await socket.done).reason).toBe('closed');
    expect(session.hangupCause).toBe('NORMAL_CLEARING');
  });

  it('serves 500 concurrent outbound sessions', async () => {
    await startServer();
    const total = 500;
    const answered = new Set<string>();
    const closed: Promise<unknown>[] = [];
    let everyoneIn!: () => void;
    const allIn = new Promise<void>((resolve) => {
      everyoneIn = resolve;
    });
    server.on('session', async (session, socket) => {
      closed.push(socket.done);
      if (closed.length === total) everyoneIn();
      await session.answer();
      answered.add(session.uuid);
      await session.hangup();
    });
    const started = performance.now();
    const uuids = await Promise.all(Array.from({ length: total }, () => call()));
    await allIn;
    const reasons = await Promise.all(closed);
    const elapsedMs = performance.now() - started;
    expect(new Set(uuids).size).toBe(total);
    expect([...answered].sort()).toEqual([...uuids].sort());
    expect(new Set(reasons.map((r) => (r as { reason: string }).reason))).toEqual(new Set(['closed']));
    expect(server.sockets.size).toBe(0);
    // Reported, not asserted: the figure depends on the machine.
    console.info(`500 outbound sessions in ${Math.round(elapsedMs)} ms`);
  });
});
