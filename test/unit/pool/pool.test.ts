import { describe, expect, it } from 'vitest';
import { defineApp } from '../../../src/app.js';
import { Client } from '../../../src/client/client.js';
import { AuthError, CommandError, InvalidArgumentError } from '../../../src/errors.js';
import { EventListener } from '../../../src/listener/listener.js';
import { Pool } from '../../../src/pool/pool.js';
import { channelEvent, FakeConnection } from '../../support/fake-connection.js';

interface FakeHost {
  readonly name: string;
  readonly commands: FakeConnection;
  readonly events: FakeConnection;
  readonly client: Client;
}

/** A member on scripted connections: `commands` is the Client's, `events` the listener's. */
function fakeHost(port: number): FakeHost {
  const commands = new FakeConnection();
  const events = new FakeConnection();
  const listener = new EventListener({ host: 'fs', port, connection: events, syncOnConnect: false });
  const client = new Client({ host: 'fs', port, connection: commands, listener });
  return { name: `fs:${port}`, commands, events, client };
}

async function connectedPool(n: number) {
  const hosts = Array.from({ length: n }, (_, i) => fakeHost(8021 + i));
  const pool = new Pool(hosts.map((h) => h.client));
  await pool.connect();
  return { pool, hosts };
}

/** One session's life on a host's event stream. */
function callOn(host: FakeHost, uuid: string, cause: string, answer: boolean): void {
  host.events.emitEvent(channelEvent('CHANNEL_CREATE', uuid));
  if (answer) host.events.emitEvent(channelEvent('CHANNEL_ANSWER', uuid));
  host.events.emitEvent(channelEvent('CHANNEL_HANGUP', uuid, { 'Hangup-Cause': cause }));
}

describe('Pool', () => {
  it('builds one Client and EventListener per host, default port 8021', () => {
    const pool = new Pool([{ host: 'fs1' }, { host: 'fs2', port: 8022, password: 'pw' }]);
    expect(pool.size).toBe(2);
    expect(pool.members.map((m) => [m.index, m.name, m.host, m.port])).toEqual([
      [0, 'fs1:8021', 'fs1', 8021],
      [1, 'fs2:8022', 'fs2', 8022],
    ]);
    for (const m of pool.members) {
      expect(m.client.listener).toBe(m.listener);
      expect(m.listener.host).toBe(m.host);
      expect(m.listener.port).toBe(m.port);
    }
  });

  it('refuses an empty pool, a host twice, a bad port and a Client without listener', () => {
    expect(() => new Pool([])).toThrow(InvalidArgumentError);
    expect(() => new Pool([{ host: 'fs1' }, { host: 'fs1', port: 8021 }])).toThrow(/fs1:8021 is in the pool twice/);
    expect(() => new Pool([{ host: 'fs1', port: 70000 }])).toThrow(/invalid port 70000/);
    expect(() => new Pool([{ host: '' }])).toThrow(/no host name/);
    const bare = new Client({ host: 'fs9', connection: new FakeConnection() });
    expect(() => new Pool([bare])).toThrow(/fs9:8021 has no EventListener/);
  });

  it('connects every member, both connections each', async () => {
    const { hosts } = await connectedPool(3);
    for (const h of hosts) {
      expect(h.commands.connected).toBe(true);
      expect(h.events.connected).toBe(true);
      expect(h.client.listener?.connected).toBe(true);
    }
  });

  it('a host that fails to connect closes the others and names itself in the error', async () => {
    const hosts = [fakeHost(8021), fakeHost(8022), fakeHost(8023)];
    hosts[1]!.commands.connect = async () => {
      throw new AuthError('auth failed', '-ERR invalid');
    };
    const pool = new Pool(hosts.map((h) => h.client));
    const error = await pool.connect().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(AuthError);
    expect((error as Error).message).toBe('fs:8022: auth failed');
    expect(hosts.map((h) => h.commands.closed)).toEqual([true, true, true]);
    expect(hosts.map((h) => h.events.closed)).toEqual([true, true, true]);
  });

  it('picks members round-robin, skipping a host whose event connection is down', async () => {
    const { pool, hosts } = await connectedPool(3);
    expect(Array.from({ length: 7 }, () => pool.next().name)).toEqual(['fs:8021', 'fs:8022', 'fs:8023', 'fs:8021', 'fs:8022', 'fs:8023', 'fs:8021']);
    hosts[2]!.events.drop();
    expect(Array.from({ length: 4 }, () => pool.next().name)).toEqual(['fs:8022', 'fs:8021', 'fs:8022', 'fs:8021']);
    for (const h of hosts) h.events.drop();
    // None up: plain round-robin (the originate then fails as disconnected, which is counted).
    expect(Array.from({ length: 3 }, () => pool.next().name)).toEqual(['fs:8022', 'fs:8023', 'fs:8021']);
  });

  it('evalAll answers per host, in pool order, failures included', async () => {
    const { pool, hosts } = await connectedPool(3);
    hosts[0]!.commands.onApi = () => 'UP 0 years\n';
    hosts[1]!.commands.onApi = () => '-ERR no\n';
    hosts[2]!.commands.onApi = () => 'UP 2 years\n';
    const results = await pool.evalAll((client) => client.cmd('status'));
    expect(results.map((r) => [r.member.name, r.ok])).toEqual([
      ['fs:8021', true],
      ['fs:8022', false],
      ['fs:8023', true],
    ]);
    expect(results[0]).toMatchObject({ ok: true, value: 'UP 0 years' });
    expect(results[2]).toMatchObject({ ok: true, value: 'UP 2 years' });
    const failed = results[1]!;
    expect(failed.ok ? undefined : failed.error).toBeInstanceOf(CommandError);
    const sync = await pool.evalAll((_client, member) => member.index * 10);
    expect(sync.map((r) => (r.ok ? r.value : -1))).toEqual([0, 10, 20]);
  });

  it('sums the counters of every host, failures by cause merged', async () => {
    const { pool, hosts } = await connectedPool(2);
    callOn(hosts[0]!, 'a1', 'NORMAL_CLEARING', true);
    callOn(hosts[0]!, 'a2', 'USER_BUSY', false);
    callOn(hosts[1]!, 'b1', 'USER_BUSY', false);
    callOn(hosts[1]!, 'b2', 'NO_ANSWER', false);
    hosts[1]!.events.emitEvent(channelEvent('CHANNEL_CREATE', 'b3'));
    hosts[1]!.events.emitEvent(channelEvent('CHANNEL_ANSWER', 'b3'));
    expect(pool.countSessions()).toBe(5);
    expect(pool.countCalls()).toBe(5);
    expect(pool.countAnswered()).toBe(2);
    expect(pool.countFailed()).toBe(3);
    expect(pool.failedByCause()).toEqual({ USER_BUSY: 2, NO_ANSWER: 1 });
    expect(pool.hangupCauses()).toEqual({ NORMAL_CLEARING: 1, USER_BUSY: 2, NO_ANSWER: 1 });
    pool.resetCounters();
    expect(pool.countFailed()).toBe(0);
    expect(pool.failedByCause()).toEqual({});
  });

  it('hupall goes to every host, filtered by app id when given', async () => {
    const { pool, hosts } = await connectedPool(2);
    const results = await pool.hupall('NORMAL_CLEARING', 'load-1');
    expect(results.every((r) => r.ok)).toBe(true);
    for (const h of hosts) expect(h.commands.commands('api')).toEqual(['hupall NORMAL_CLEARING sip_h_X-switchyard_app load-1']);
    await pool.hupall();
    expect(hosts[1]!.commands.commands('api').at(-1)).toBe('hupall NORMAL_CLEARING');
  });

  it('loads an app on every host, or on none when one host refuses its events', async () => {
    const { pool, hosts } = await connectedPool(3);
    const app = defineApp({ name: 'Answer', handlers: { CHANNEL_PARK: () => {} }, subscribe: ['DTMF'] });
    expect(await pool.loadApp(app, { appId: 'g1' })).toBe('g1');
    for (const h of hosts) expect(h.client.apps.get('g1')).toEqual([app]);

    const other = defineApp({ name: 'Dtmf', handlers: { CHANNEL_PARK: () => {} }, subscribe: ['PLAYBACK_STOP'] });
    hosts[2]!.events.onSubscribe = () => '-ERR no such event';
    await expect(pool.loadApp(other, { appId: 'g2' })).rejects.toThrow(CommandError);
    for (const h of hosts) expect(h.client.apps.has('g2')).toBe(false);

    await pool.unloadApp('g1');
    for (const h of hosts) expect(h.client.apps.has('g1')).toBe(false);
  });

  it('close closes every member and survives one failing', async () => {
    const { pool, hosts } = await connectedPool(2);
    hosts[0]!.commands.close = async () => {
      throw new Error('stuck');
    };
    await pool.close();
    expect(hosts[1]!.commands.closed).toBe(true);
    expect(hosts.map((h) => h.events.closed)).toEqual([true, true]);
  });
});
