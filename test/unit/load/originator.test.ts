/**
 * The Originator over scripted connections, on fake timers: what it sends,
 * when, and which single outcome each call gets for each way FreeSWITCH can
 * answer.
 */

import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Client } from '../../../src/client/client.js';
import { DisconnectedError, InvalidArgumentError } from '../../../src/errors.js';
import { EventListener } from '../../../src/listener/listener.js';
import type { OriginatedCall } from '../../../src/load/call-book.js';
import { MetricsStore } from '../../../src/load/metrics.js';
import { Originator, type OriginatorOptions } from '../../../src/load/originator.js';
import { Pool } from '../../../src/pool/pool.js';
import { backgroundJob, channelEvent, FakeConnection } from '../../support/fake-connection.js';

const APP = 'variable_sip_h_X-switchyard_app';

interface Harness {
  readonly o: Originator;
  readonly commands: FakeConnection;
  readonly events: FakeConnection;
  readonly calls: OriginatedCall[];
  /** Originates sent so far: [call uuid, Job-UUID]. */
  originates(): [string, string][];
  /** api commands other than the listener's. */
  apis(): string[];
  /** Feeds a channel event of one of our calls. */
  leg(name: string, uuid: string, extra?: Record<string, string>): void;
  job(jobUuid: string, body: string): void;
}

async function harness(options: Partial<OriginatorOptions> = {}, client: { jobTimeout?: number } = {}): Promise<Harness> {
  const commands = new FakeConnection();
  const events = new FakeConnection();
  const listener = new EventListener({ connection: events, syncOnConnect: false });
  const c = new Client({ connection: commands, listener, ...client });
  const pool = new Pool([c]);
  await pool.connect();
  const o = new Originator({
    pool,
    rate: 10,
    limit: 100,
    duration: 1,
    dest: 'loopback/answer/switchyard',
    appIdPrefix: 't',
    now: () => Date.now(),
    ...options,
  });
  const calls: OriginatedCall[] = [];
  o.on('call', (call) => calls.push(call));
  return {
    o,
    commands,
    events,
    calls,
    originates: () =>
      commands.sent
        .filter((s) => s.kind === 'bgapi')
        .map((s) => [/origination_uuid=([0-9a-f-]+)/.exec(s.command)![1]!, s.jobUuid!]),
    apis: () => commands.commands('api'),
    leg: (name, uuid, extra = {}) => {
      events.emitEvent(channelEvent(name, uuid, { [APP]: o.appIds[0]!, ...extra }));
    },
    job: (jobUuid, body) => {
      events.emitEvent(backgroundJob(jobUuid, body));
    },
  };
}

/** Lets job promise callbacks run. */
async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await Promise.resolve();
}

describe('Originator (scripted FreeSWITCH, fake timers)', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: 1_000_000 });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('originates at once, then every 1/rate s, with its own uuid and app id', async () => {
    const h = await harness({ rate: 4 });
    await h.o.start();
    expect(h.originates()).toHaveLength(1);
    vi.advanceTimersByTime(1000);
    expect(h.originates()).toHaveLength(5);
    const first = h.commands.sent.find((s) => s.kind === 'bgapi')!.command;
    const [uuid] = h.originates()[0]!;
    expect(first).toBe(
      `originate {origination_uuid=${uuid},sip_h_X-switchyard_call=${uuid},sip_h_X-switchyard_app=t}loopback/answer/switchyard &park()`,
    );
    expect(h.o.state.name).toBe('ORIGINATING');
    expect(h.o.stats()).toMatchObject({ offered: 5, active: 5, targetRate: 4 });
  });

  it('two start() calls at once load the apps once and start once', async () => {
    const h = await harness();
    const states: string[] = [];
    h.o.on('state', (st) => states.push(st.name));
    await Promise.all([h.o.start(), h.o.start()]);
    expect(states).toEqual(['ORIGINATING']);
    expect(h.originates()).toHaveLength(1);
  });

  it('rate and limit changed while running take effect on the exact schedule', async () => {
    const h = await harness({ rate: 10, limit: 3 });
    const offeredAt: number[] = [];
    h.commands.onBgapi = (_command, jobUuid) => {
      offeredAt.push(Date.now() - 1_000_000);
      return `+OK Job-UUID: ${jobUuid}`;
    };
    await h.o.start();
    vi.advanceTimersByTime(250);
    h.o.rate = 40;
    vi.advanceTimersByTime(100);
    // 0, 100, 200 at 10/s; then the limit of 3 holds, whatever the rate.
    expect(offeredAt).toEqual([0, 100, 200]);
    h.o.limit = 6;
    vi.advanceTimersByTime(80);
    // Raised at 350: the next slot is due at once (one 25 ms interval after 200 is long past), then every 25 ms.
    expect(offeredAt).toEqual([0, 100, 200, 350, 375, 400]);
    expect(h.o.stats()).toMatchObject({ offered: 6, active: 6, targetRate: 40, limit: 6 });
  });

  it('an answered call is hung up after the duration and completes at its last destroy', async () => {
    const h = await harness({ duration: 2.5 });
    await h.o.start();
    h.o.stop();
    const [uuid, job] = h.originates()[0]!;
    h.leg('CHANNEL_CREATE', uuid);
    h.leg('CHANNEL_CREATE', 'b-leg', { 'variable_sip_h_X-switchyard_call': uuid, variable_call_uuid: 'b-leg' });
    vi.advanceTimersByTime(40);
    h.leg('CHANNEL_ANSWER', uuid);
    h.job(job, `+OK ${uuid}\n`);
    await settle();
    expect(h.o.stats()).toMatchObject({ offered: 1, answered: 1, completed: 0, active: 1 });
    vi.advanceTimersByTime(2499);
    expect(h.apis()).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(h.apis()).toEqual([`uuid_kill ${uuid} NORMAL_CLEARING`]);
    h.leg('CHANNEL_HANGUP', uuid, { 'Hangup-Cause': 'NORMAL_CLEARING' });
    h.leg('CHANNEL_DESTROY', uuid, { 'Hangup-Cause': 'NORMAL_CLEARING' });
    expect(h.calls).toEqual([]);
    expect(h.o.active).toBe(1);
    h.leg('CHANNEL_DESTROY', 'b-leg', { 'Hangup-Cause': 'NORMAL_CLEARING', variable_call_uuid: 'b-leg' });
    expect(h.calls).toHaveLength(1);
    expect(h.calls[0]).toMatchObject({
      id: uuid,
      outcome: 'completed',
      cause: 'NORMAL_CLEARING',
      reason: undefined,
      appId: 't',
      app: '',
      scheduledAt: 1_000_000,
      offeredAt: 1_000_000,
      answeredAt: 1_000_040,
      endedAt: 1_002_540,
      setupMs: 40,
    });
    expect(h.o.active).toBe(0);
  });

  it('a call whose destroy never comes after our hangup is lost 30 s later, freeing its slot', async () => {
    const h = await harness({ duration: 1 });
    await h.o.start();
    h.o.stop();
    const [uuid, job] = h.originates()[0]!;
    h.job(job, `+OK ${uuid}\n`);
    await settle();
    vi.advanceTimersByTime(1000);
    expect(h.apis()).toEqual([`uuid_kill ${uuid} NORMAL_CLEARING`]);
    vi.advanceTimersByTime(29_999);
    expect(h.calls).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(h.calls.map((c) => [c.outcome, c.reason, c.answeredAt])).toEqual([['lost', 'hangup not confirmed by CHANNEL_DESTROY', 1_000_000]]);
    expect(h.o.active).toBe(0);
  });

  it('a call answered and then hung up with another cause fails with that cause', async () => {
    const h = await harness();
    await h.o.start();
    h.o.stop();
    const [uuid, job] = h.originates()[0]!;
    h.leg('CHANNEL_CREATE', uuid);
    h.leg('CHANNEL_ANSWER', uuid);
    h.job(job, `+OK ${uuid}\n`);
    await settle();
    h.leg('CHANNEL_HANGUP', uuid, { 'Hangup-Cause': 'MEDIA_TIMEOUT' });
    h.leg('CHANNEL_DESTROY', uuid, { 'Hangup-Cause': 'MEDIA_TIMEOUT' });
    expect(h.calls.map((c) => [c.outcome, c.cause])).toEqual([['failed', 'MEDIA_TIMEOUT']]);
    expect(h.o.stats()).toMatchObject({ answered: 1, completed: 0, failed: 1, failedByCause: { MEDIA_TIMEOUT: 1 } });
  });

  it('an originate failing with a cause and no channel fails at once with that cause', async () => {
    const h = await harness();
    await h.o.start();
    h.o.stop();
    const [uuid, job] = h.originates()[0]!;
    h.job(job, '-ERR USER_BUSY\n');
    await settle();
    expect(h.calls.map((c) => [c.id, c.outcome, c.cause, c.answeredAt])).toEqual([[uuid, 'failed', 'USER_BUSY', undefined]]);
  });

  it('an originate failing while its legs are up ends at their destroy, with the leg cause', async () => {
    const h = await harness();
    await h.o.start();
    h.o.stop();
    const [uuid, job] = h.originates()[0]!;
    h.leg('CHANNEL_CREATE', uuid);
    h.leg('CHANNEL_HANGUP', uuid, { 'Hangup-Cause': 'NO_ANSWER' });
    h.job(job, '-ERR NO_ANSWER\n');
    await settle();
    expect(h.calls).toEqual([]);
    h.leg('CHANNEL_DESTROY', uuid, { 'Hangup-Cause': 'NO_ANSWER' });
    expect(h.calls.map((c) => [c.outcome, c.cause])).toEqual([['failed', 'NO_ANSWER']]);
  });

  it('loses a call whose job errs without a cause, whose bgapi is refused, or that times out', async () => {
    const h = await harness({ rate: 1000, maxOffered: 3 }, { jobTimeout: 1000 });
    h.commands.onBgapi = (_command, jobUuid) => (h.originates().length === 2 ? '-ERR no more' : `+OK Job-UUID: ${jobUuid}`);
    await h.o.start();
    vi.advanceTimersByTime(2);
    expect(h.o.state).toMatchObject({ name: 'STOPPED', reason: 'max-offered' });
    const [[, job1], [id2], [id3]] = h.originates() as [[string, string], [string, string], [string, string]];
    h.job(job1, '-USAGE: originate <call url> <exten>\n');
    await settle();
    // The originate's own wait: FreeSWITCH's 60 s originate_timeout plus 30 s.
    vi.advanceTimersByTime(90_000);
    await settle();
    const byReason = Object.fromEntries(h.calls.map((c) => [c.id, [c.outcome, c.reason]]));
    expect(byReason[id2]).toEqual(['lost', 'originate refused: -ERR no more']);
    expect(byReason[id3]).toEqual(['lost', 'timeout']);
    expect(h.calls.filter((c) => c.reason?.startsWith('originate error: -USAGE'))).toHaveLength(1);
    expect(h.o.stats()).toMatchObject({ offered: 3, lost: 3, active: 0 });
  });

  it('a dropped event socket loses every call in flight on that host', async () => {
    const h = await harness({ rate: 1000, maxOffered: 4 });
    await h.o.start();
    vi.advanceTimersByTime(3);
    const [uuid] = h.originates()[0]!;
    h.leg('CHANNEL_CREATE', uuid);
    h.leg('CHANNEL_ANSWER', uuid);
    h.events.drop({ reason: 'socket' });
    await settle();
    expect(h.calls.map((c) => [c.outcome, c.reason])).toEqual(Array(4).fill(['lost', 'disconnected (socket)']));
    expect(h.o.active).toBe(0);
    // The command connection may still work: the call known to be up is hung up, and close()
    // sweeps the app id for the ones whose channels we never saw.
    expect(h.apis()).toEqual([`uuid_kill ${uuid} NORMAL_CLEARING`]);
    await h.o.close();
    expect(h.apis()).toEqual([`uuid_kill ${uuid} NORMAL_CLEARING`, 'hupall NORMAL_CLEARING sip_h_X-switchyard_app t']);
  });

  it('pauses at the limit and resumes when a call ends, without a burst', async () => {
    const h = await harness({ rate: 100, limit: 2 });
    await h.o.start();
    vi.advanceTimersByTime(100);
    expect(h.originates()).toHaveLength(2);
    const [uuid, job] = h.originates()[0]!;
    h.job(job, '-ERR CALL_REJECTED\n');
    await settle();
    expect(h.originates()).toHaveLength(3);
    vi.advanceTimersByTime(100);
    expect(h.originates()).toHaveLength(3);
    expect(h.calls.map((c) => c.id)).toEqual([uuid]);
    const offers = h.calls.length + h.o.active;
    expect(offers).toBe(3);
  });

  it('hupall stops, hangs up each app id, and kills calls whose channels appear later', async () => {
    const h = await harness({ rate: 1000, duration: 60 });
    await h.o.start();
    vi.advanceTimersByTime(1);
    expect(h.originates()).toHaveLength(2);
    const [[a, jobA], [b]] = h.originates() as [[string, string], [string, string]];
    h.leg('CHANNEL_CREATE', a);
    h.leg('CHANNEL_ANSWER', a);
    h.job(jobA, `+OK ${a}\n`);
    await settle();
    await h.o.hupall();
    expect(h.o.state).toMatchObject({ name: 'STOPPED', reason: 'hupall' });
    expect(h.apis()).toEqual(['hupall NORMAL_CLEARING sip_h_X-switchyard_app t', `uuid_kill ${a} NORMAL_CLEARING`]);
    h.leg('CHANNEL_CREATE', b);
    expect(h.apis().at(-1)).toBe(`uuid_kill ${b} NORMAL_CLEARING`);
  });

  it('waitForIdle resolves once stopped and drained, and times out with a TimeoutError', async () => {
    const h = await harness({ maxOffered: 1 });
    await h.o.start();
    const late = h.o.waitForIdle({ timeout: 10 });
    vi.advanceTimersByTime(10);
    await expect(late).rejects.toThrow(/1 call\(s\) still in flight after 10 ms/);
    const aborted = new AbortController();
    const waiting = h.o.waitForIdle({ signal: aborted.signal });
    aborted.abort(new Error('enough'));
    await expect(waiting).rejects.toThrow('enough');
    const idle = h.o.waitForIdle();
    const [, job] = h.originates()[0]!;
    h.job(job, '-ERR USER_BUSY\n');
    await expect(idle).resolves.toBeUndefined();
  });

  it('emits tick stats every tickMs while running, with the sliding achieved rate, and idle at the end', async () => {
    const h = await harness({ rate: 20, tickMs: 500, maxOffered: 30 });
    const ticks: [number, number, number][] = [];
    h.o.on('tick', (st) => ticks.push([st.offered, st.active, st.achievedRate]));
    let idle = 0;
    h.o.on('idle', () => idle++);
    await h.o.start();
    vi.advanceTimersByTime(1000);
    // A tick due with a slot runs first: 10 offers by 500 ms (0 .. 450) over 0.5 s is 20/s; 20 by
    // 1000 ms, of which the window (0, 1000] holds 19.
    expect(ticks).toEqual([
      [10, 10, 20],
      [20, 20, 19],
    ]);
    vi.advanceTimersByTime(500);
    expect(h.o.state).toMatchObject({ name: 'STOPPED', reason: 'max-offered' });
    for (const [, job] of h.originates()) h.job(job, '-ERR USER_BUSY\n');
    await settle();
    expect(idle).toBe(1);
    const before = ticks.length;
    vi.advanceTimersByTime(5000);
    expect(ticks).toHaveLength(before);
  });

  it('feeds the MetricsStore it is given, one row per call', async () => {
    const metrics = new MetricsStore();
    const h = await harness({ metrics, rate: 1000, maxOffered: 2 });
    await h.o.start();
    vi.advanceTimersByTime(1);
    for (const [, job] of h.originates()) h.job(job, '-ERR USER_BUSY\n');
    await settle();
    expect(metrics.summary()).toMatchObject({ offered: 2, failed: 2, active: 0, failuresByCause: { USER_BUSY: 2 }, targetRate: 1000 });
    expect([...metrics.rows()].map((r) => [r.outcome, r.cause, r.host, r.app])).toEqual([
      ['failed', 'USER_BUSY', '127.0.0.1:8021', ''],
      ['failed', 'USER_BUSY', '127.0.0.1:8021', ''],
    ]);
  });

  it('refuses bad options with InvalidArgumentError, and start without a connection', async () => {
    const pool = new Pool([{ host: 'fs' }]);
    const base = { pool, rate: 10, limit: 10, dest: 'loopback/answer/switchyard' };
    const bad: [Partial<OriginatorOptions>, RegExp][] = [
      [{ rate: 0 }, /rate must be a finite number > 0/],
      [{ limit: 1.5 }, /limit must be a whole number >= 1/],
      [{ duration: -1 }, /duration must be a number of seconds >= 0/],
      [{ maxOffered: 0 }, /maxOffered must be a whole number >= 1/],
      [{ dest: { dest: '' } }, /dest needs a dial string/],
      [{ dest: 'loopback/answer switchyard' }, /invalid dest/],
      [{ dest: { dest: 'loopback/answer/switchyard', appArgs: 'a)b' } }, /appArgs must not contain '\)'/],
      [{ appIdPrefix: 'a b' }, /invalid appIdPrefix/],
      [{ tickMs: 0 }, /tickMs must be a number of ms >= 1/],
    ];
    for (const [patch, message] of bad) {
      expect(() => new Originator({ ...base, ...patch } as OriginatorOptions)).toThrow(message);
    }
    const { pool: _, ...noPool } = base;
    expect(() => new Originator(noPool)).toThrow(/needs a pool or a client/);
    expect(() => new Originator({ ...base, apps: [{ app: { name: 'x', handlers: {} }, weight: 0 }] })).toThrow(InvalidArgumentError);
    const o = new Originator(base);
    expect(() => {
      o.limit = 0;
    }).toThrow(InvalidArgumentError);
    await expect(o.start()).rejects.toThrow(DisconnectedError);
    expect(o.state.name).toBe('INITIAL');
  });
});
