import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ReconnectingInfo } from '../../../src/connection/types.js';
import { DisconnectedError, ProtocolError } from '../../../src/errors.js';
import type { EslEvent } from '../../../src/protocol/event.js';
import { FakeFreeSwitch } from './fake-fs.js';
import { answer, connected, echoServer, next } from './helpers.js';

describe('Connection: losing the link', () => {
  it('rejects every pending command on a disconnect notice', async () => {
    const { conn, link } = await connected();
    const pending = [conn.api('a'), conn.api('b'), conn.filter('Unique-ID', 'x')];
    await link.commands(4);
    const disconnected = next(conn, 'disconnected');
    link.notice();
    const results = await Promise.allSettled(pending);
    for (const r of results) {
      expect(r.status).toBe('rejected');
      const error = (r as PromiseRejectedResult).reason as DisconnectedError;
      expect(error).toBeInstanceOf(DisconnectedError);
      expect(error.reason).toBe('notice');
      expect(error.message).toContain('See you at ClueCon!');
      // the stack points at the caller who sent the command, not at the socket callback
      expect(error.stack).toContain('connection-loss.test.ts');
    }
    expect(await disconnected).toMatchObject({ reason: 'notice' });
    expect(conn.state).toMatchObject({ status: 'closed', reason: 'notice' });
    await expect(conn.api('later')).rejects.toMatchObject({ reason: 'notice' });
    await link.closed;
  });

  it('keeps the link on a linger notice', async () => {
    const { conn, link } = await connected();
    const reply = conn.api('a');
    await link.commands(2);
    link.notice('linger');
    link.apiResponse('still here');
    expect(await reply).toBe('still here');
    expect(conn.state.status).toBe('connected');
  });

  it('rejects pending commands with reason protocol on unparseable bytes, after the good frames before them', async () => {
    const { conn, link } = await connected();
    const seen: string[] = [];
    conn.on('event', (e: EslEvent) => seen.push(e.name));
    const first = conn.api('first');
    const second = conn.api('second');
    await link.commands(3);
    const disconnected = next(conn, 'disconnected');
    link.apiResponse('one');
    link.event('CHANNEL_CREATE');
    link.write('Content-Type: api/response\nContent-Length: banana\n\n');
    expect(await first).toBe('one');
    const error = (await second.catch((e: unknown) => e)) as DisconnectedError;
    expect(error).toMatchObject({ code: 'ESL_ERR_DISCONNECTED', reason: 'protocol' });
    expect(error.cause).toBeInstanceOf(ProtocolError);
    expect(seen).toEqual(['CHANNEL_CREATE']);
    expect(await disconnected).toMatchObject({ reason: 'protocol' });
  });

  it('reports a socket closed by the peer with reason socket, without blaming speed when quiet', async () => {
    const { conn, link } = await connected();
    const pending = conn.api('a');
    await link.commands(2);
    const disconnected = next(conn, 'disconnected');
    link.hangUp();
    await expect(pending).rejects.toMatchObject({ reason: 'socket' });
    const info = await disconnected;
    expect(info.reason).toBe('socket');
    expect(info.fellBehind).toBeUndefined();
  });

  it('says FreeSWITCH probably dropped a listener that fell behind', async () => {
    const { conn, link } = await connected({ lagThreshold: 100 });
    const seen: number[] = [];
    const lags: number[] = [];
    conn.on('event', (e: EslEvent) => seen.push(Number(e.get('Event-Sequence'))));
    conn.on('lagging', ({ backlog }) => lags.push(backlog));
    let burst = '';
    for (let i = 0; i < 1000; i++) {
      const plain = `Event-Name: CHANNEL_STATE\nEvent-Sequence: ${i}\n\n`;
      burst += `Content-Length: ${plain.length}\nContent-Type: text/event-plain\n\n${plain}`;
    }
    const disconnected = next(conn, 'disconnected');
    link.write(burst);
    link.hangUp();
    const info = await disconnected;
    expect(lags.length).toBeGreaterThanOrEqual(1);
    expect(lags[0]).toBeGreaterThanOrEqual(100);
    expect(seen).toEqual(Array.from({ length: 1000 }, (_, i) => i));
    expect(info).toMatchObject({ reason: 'socket', fellBehind: true });
    expect(info.error?.message).toMatch(/without a disconnect notice .*falling behind/);
  });

  it('declares silence when FreeSWITCH stops answering, after probing', async () => {
    const { conn, link } = await connected({ livenessTimeoutMs: 120 });
    const disconnected = next(conn, 'disconnected');
    const info = await disconnected;
    expect(info.reason).toBe('silence');
    expect(link.received.slice(1)).toEqual(['api version']);
  });

  it('stays up while probes are answered', async () => {
    const { conn, link } = await connected({ livenessTimeoutMs: 200 });
    echoServer(link);
    let lost = false;
    conn.on('disconnected', () => {
      lost = true;
    });
    await link.commands(5); // four probes, each answered
    expect(link.received.slice(1)).toEqual(['api version', 'api version', 'api version', 'api version']);
    expect(lost).toBe(false);
    await conn.close();
  });
});

describe('Connection: reconnect', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('restores events, filters and log level before queued commands, then emits reconnected', async () => {
    const fake = new FakeFreeSwitch();
    fake.onLink((link) => {
      link.onCommand((command) => {
        if (command !== 'api lost-with-the-link') answer(link, command);
      });
    });
    const { conn, link } = await connected({ reconnect: { initialDelayMs: 5, jitter: 0 } }, fake);
    await conn.subscribe(['CHANNEL_CREATE', 'a::b'], 'json');
    await conn.filter('Unique-ID', 'u1');
    await conn.log('debug');
    const inFlight = conn.api('lost-with-the-link');
    await link.commands(5);
    const disconnected = next(conn, 'disconnected');
    const reconnected = next(conn, 'reconnected');
    // A command written to the dead link is lost with it; never replayed.
    fake.links[0]!.socket.destroy();
    expect(await disconnected).toMatchObject({ reason: 'socket' });
    await expect(inFlight).rejects.toMatchObject({ reason: 'socket' });
    expect(conn.state.status).toBe('reconnecting');
    const queued = conn.api('queued');
    const connectAgain = conn.connect(); // waits for the reconnection rather than opening a second socket
    const info = await reconnected;
    await connectAgain;
    expect(fake.connectAttempts).toBe(2);
    expect(info.attempts).toBe(1);
    expect(info.gapMs).toBeGreaterThanOrEqual(4);
    expect(conn.state.status).toBe('connected');
    const link1 = await fake.link(1);
    expect(await queued).toBe('+OK queued\n');
    expect(link1.received).toEqual(['auth ClueCon', 'event json CHANNEL_CREATE CUSTOM a::b', 'filter Unique-ID u1', 'log debug', 'api queued']);
    const event = new Promise<EslEvent>((resolve) => conn.once('event', resolve));
    link1.event('CHANNEL_CREATE', { 'Unique-ID': 'after' });
    expect((await event).get('Unique-ID')).toBe('after');
    await conn.close();
  });

  it('backs off exponentially and gives up after maxAttempts', async () => {
    const fake = new FakeFreeSwitch();
    const { conn } = await connected({ reconnect: { initialDelayMs: 100, factor: 2, maxDelayMs: 1000, jitter: 0, maxAttempts: 6 } }, fake);
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    const start = Date.now();
    const attemptsAt: number[] = [];
    const connect = fake.transport.connect;
    fake.transport.connect = (...args) => {
      attemptsAt.push(Date.now() - start);
      return connect(...args);
    };
    fake.refuse = new Error('connect ECONNREFUSED');
    const reconnecting: ReconnectingInfo[] = [];
    conn.on('reconnecting', (info) => reconnecting.push(info));
    const failed = next(conn, 'reconnectFailed');
    const disconnected = next(conn, 'disconnected');
    fake.links[0]!.hangUp();
    await disconnected;
    const waiting = conn.api('waits').catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(99);
    expect(attemptsAt).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(attemptsAt).toEqual([100]);
    await vi.advanceTimersByTimeAsync(199);
    expect(attemptsAt).toEqual([100]);
    await vi.advanceTimersByTimeAsync(1);
    expect(attemptsAt).toEqual([100, 300]);
    await vi.advanceTimersByTimeAsync(400 + 800 + 1000 + 1000);
    expect(attemptsAt).toEqual([100, 300, 700, 1500, 2500, 3500]);
    expect(reconnecting.map((r) => [r.attempt, r.delayMs])).toEqual([
      [1, 100],
      [2, 200],
      [3, 400],
      [4, 800],
      [5, 1000],
      [6, 1000],
    ]);
    expect(await failed).toMatchObject({ attempts: 6 });
    expect(conn.state).toMatchObject({ status: 'closed', reason: 'socket' });
    expect(await waiting).toMatchObject({ reason: 'socket', message: 'gave up reconnecting to 127.0.0.1:8021 after 6 attempts' });
  });

  it('close() while reconnecting stops the attempts and rejects queued commands', async () => {
    const fake = new FakeFreeSwitch();
    const { conn } = await connected({ reconnect: { initialDelayMs: 60_000 } }, fake);
    const disconnected = next(conn, 'disconnected');
    fake.links[0]!.hangUp();
    await disconnected;
    const queued = conn.api('queued');
    const connecting = conn.connect();
    await conn.close();
    await expect(queued).rejects.toMatchObject({ reason: 'closed' });
    await expect(connecting).rejects.toMatchObject({ reason: 'closed' });
    expect(conn.state).toMatchObject({ status: 'closed', reason: 'closed' });
    expect(fake.connectAttempts).toBe(1);
  });

  it('rejects commands that wait longer than offlineQueueTimeoutMs for the link', async () => {
    const fake = new FakeFreeSwitch();
    const { conn } = await connected({ reconnect: { initialDelayMs: 60_000 }, offlineQueueTimeoutMs: 20 }, fake);
    const disconnected = next(conn, 'disconnected');
    fake.links[0]!.hangUp();
    await disconnected;
    await expect(conn.api('waits')).rejects.toThrow('still reconnecting to 127.0.0.1:8021 after 20 ms');
    await conn.close();
  });
});
