import { describe, expect, it } from 'vitest';
import { Connection } from '../../../src/connection/connection.js';
import type { ConnectionOptions } from '../../../src/connection/types.js';
import { AuthError, CommandError, DisconnectedError, InvalidArgumentError, TimeoutError } from '../../../src/errors.js';
import type { EslEvent } from '../../../src/protocol/event.js';
import { FakeFreeSwitch } from './fake-fs.js';
import { connected, connection, echoServer, next } from './helpers.js';

describe('Connection: options', () => {
  const base = { host: '127.0.0.1', port: 8021, password: 'ClueCon' };
  it.each([
    [{ host: '' }, 'Connection: host must be a non-empty string'],
    [{ port: 0 }, 'Connection: port must be an integer from 1 to 65535, got 0'],
    [{ port: 8021.5 }, 'Connection: port must be an integer from 1 to 65535, got 8021.5'],
    [{ connectTimeoutMs: 0 }, 'Connection: connectTimeoutMs must be a finite number > 0, got 0'],
    [{ livenessTimeoutMs: -1 }, 'Connection: livenessTimeoutMs must be a finite number >= 0, got -1'],
    [{ reconnect: { factor: 0 } }, 'reconnect.factor must be >= 1, got 0'],
  ])('refuses %j in the constructor', (bad, message) => {
    expect(() => new Connection({ ...base, ...bad })).toThrow(new InvalidArgumentError(message));
  });

  it('refuses a password or user that would inject a command, without echoing it', () => {
    const attempt = (options: Partial<ConnectionOptions>) => () => new Connection({ ...base, ...options });
    expect(attempt({ password: 'pw\n\napi hupall' })).toThrow(InvalidArgumentError);
    expect(attempt({ password: 'pw\n\napi hupall' })).not.toThrow(/hupall/);
    expect(attempt({ user: 'a:b', password: 'pw' })).toThrow(InvalidArgumentError);
  });
});

describe('Connection: authentication', () => {
  it('answers auth/request with auth and resolves on +OK accepted', async () => {
    const fake = new FakeFreeSwitch();
    const conn = connection(fake);
    const events: string[] = [];
    conn.on('connected', () => events.push('connected'));
    const connecting = conn.connect();
    expect(conn.state.status).toBe('connecting');
    await connecting;
    expect(conn.state.status).toBe('connected');
    expect(events).toEqual(['connected']);
    expect(fake.links[0]!.raw).toBe('auth ClueCon\n\n');
    await conn.connect(); // already connected: a no-op
    expect(fake.connectAttempts).toBe(1);
  });

  it('uses userauth when a user is given', async () => {
    const fake = new FakeFreeSwitch({ autoAuth: false });
    const conn = connection(fake, { user: '1000@default', password: 'pw' });
    const connecting = conn.connect();
    const link = await fake.link(0);
    link.frame({ 'Content-Type': 'auth/request' });
    expect(await link.commands(1)).toEqual(['userauth 1000@default:pw']);
    link.reply('+OK accepted');
    await connecting;
    expect(conn.state.status).toBe('connected');
  });

  it('rejects a wrong password with AuthError keeping -ERR invalid', async () => {
    const fake = new FakeFreeSwitch();
    const conn = connection(fake, { password: 'wrong' });
    const error = await conn.connect().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AuthError);
    expect(error).toMatchObject({ code: 'ESL_ERR_AUTH', reply: '-ERR invalid' });
    expect((error as Error).message).toContain('127.0.0.1:8021');
    expect(conn.state).toMatchObject({ status: 'closed' });
    await expect(conn.api('status')).rejects.toBeInstanceOf(DisconnectedError);
  });

  it('rejects a rude rejection (ACL) with AuthError', async () => {
    const fake = new FakeFreeSwitch({ autoAuth: false });
    const conn = connection(fake);
    const connecting = conn.connect();
    const link = await fake.link(0);
    link.frame({ 'Content-Type': 'text/rude-rejection' }, 'Access Denied, go away.\n');
    link.hangUp();
    await expect(connecting).rejects.toMatchObject({ code: 'ESL_ERR_AUTH', reply: 'Access Denied, go away.' });
  });

  it('names host:port when the connection is refused', async () => {
    const fake = new FakeFreeSwitch();
    fake.refuse = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:8021'), { code: 'ECONNREFUSED' });
    const conn = connection(fake);
    const error = (await conn.connect().catch((e: unknown) => e)) as DisconnectedError;
    expect(error).toBeInstanceOf(DisconnectedError);
    expect(error.reason).toBe('socket');
    expect(error.message).toBe('cannot connect to 127.0.0.1:8021: connect ECONNREFUSED 127.0.0.1:8021');
    expect(error.cause).toBe(fake.refuse);
  });

  it('times out when FreeSWITCH never greets, naming host:port', async () => {
    const fake = new FakeFreeSwitch({ autoAuth: false });
    const conn = connection(fake, { connectTimeoutMs: 50 });
    const error = (await conn.connect().catch((e: unknown) => e)) as TimeoutError;
    expect(error).toBeInstanceOf(TimeoutError);
    expect(error.message).toBe('connecting to 127.0.0.1:8021 timed out after 50 ms');
    await fake.links[0]!.closed; // the half-open socket is not leaked
  });
});

describe('Connection: commands', () => {
  it('matches replies first in, first out with events interleaved', async () => {
    const { conn, link } = await connected();
    const events: string[] = [];
    conn.on('event', (e: EslEvent) => events.push(`${e.name}:${e.get('Unique-ID')}`));
    link.onCommand((command) => {
      if (command === 'auth ClueCon') return;
      link.event('CHANNEL_CREATE', { 'Unique-ID': command });
      if (command.startsWith('api ')) link.apiResponse(`answer to ${command}\n`);
      else link.reply(`+OK ${command}`);
      link.event('CHANNEL_DESTROY', { 'Unique-ID': command });
    });
    const [a, b, f, c] = await Promise.all([conn.api('one'), conn.api('two'), conn.filter('Unique-ID', 'x'), conn.api('three')]);
    expect([a, b, f, c]).toEqual(['answer to api one\n', 'answer to api two\n', '+OK filter Unique-ID x', 'answer to api three\n']);
    await new Promise((resolve) => setImmediate(resolve));
    expect(events).toEqual([
      'CHANNEL_CREATE:api one',
      'CHANNEL_DESTROY:api one',
      'CHANNEL_CREATE:api two',
      'CHANNEL_DESTROY:api two',
      'CHANNEL_CREATE:filter Unique-ID x',
      'CHANNEL_DESTROY:filter Unique-ID x',
      'CHANNEL_CREATE:api three',
      'CHANNEL_DESTROY:api three',
    ]);
  });

  it('writes nothing before authentication and then everything queued, in call order', async () => {
    const fake = new FakeFreeSwitch({ autoAuth: false });
    const conn = connection(fake);
    const connecting = conn.connect();
    const link = await fake.link(0);
    const replies = [conn.api('first'), conn.send('second'), conn.api('third')];
    await new Promise((resolve) => setImmediate(resolve));
    expect(link.raw).toBe('');
    link.frame({ 'Content-Type': 'auth/request' });
    await link.commands(1);
    expect(link.raw).toBe('auth ClueCon\n\n');
    link.reply('+OK accepted');
    await connecting;
    expect(await link.commands(4)).toEqual(['auth ClueCon', 'api first', 'second', 'api third']);
    link.apiResponse('1');
    link.reply('+OK 2');
    link.apiResponse('3');
    const [first, second, third] = await Promise.all(replies);
    expect(first).toBe('1');
    expect(second).toMatchObject({ contentType: 'command/reply', headers: { 'Reply-Text': '+OK 2' } });
    expect(third).toBe('3');
  });

  it('turns -ERR into CommandError, except for api which returns it raw', async () => {
    const { conn, link } = await connected();
    link.onCommand((command) => {
      if (command.startsWith('api ')) link.apiResponse('-ERR no_such_command Command not found!\n');
      else if (command.startsWith('auth')) return;
      else link.reply('-ERR command not found');
    });
    expect(await conn.api('no_such_command')).toBe('-ERR no_such_command Command not found!\n');
    const error = (await conn.filter('Unique-ID', 'u1').catch((e: unknown) => e)) as CommandError;
    expect(error).toBeInstanceOf(CommandError);
    expect(error.reply).toBe('-ERR command not found');
    expect(error.command).toBe('filter Unique-ID u1');
    await expect(conn.bgapi('nonsense')).rejects.toMatchObject({ code: 'ESL_ERR_COMMAND', reply: '-ERR command not found' });
    await expect(conn.sendmsg('u1', { 'call-command': 'hangup' })).rejects.toBeInstanceOf(CommandError);
    const frame = await conn.send('nonsense');
    expect(frame.headers['Reply-Text']).toBe('-ERR command not found');
  });

  it('sends bgapi with the client-chosen Job-UUID', async () => {
    const { conn, link } = await connected();
    link.onCommand((command) => {
      const job = /Job-UUID: (.*)$/m.exec(command)?.[1];
      if (job !== undefined) link.reply(`+OK Job-UUID: ${job}`, { 'Job-UUID': job });
    });
    expect(await conn.bgapi('status', { jobUuid: 'j-1' })).toEqual({ jobUuid: 'j-1', reply: '+OK Job-UUID: j-1' });
    const generated = await conn.bgapi('version');
    expect(generated.jobUuid).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(link.received.slice(1)).toEqual(['bgapi status\nJob-UUID: j-1', `bgapi version\nJob-UUID: ${generated.jobUuid}`]);
  });

  it('spells subscriptions, filters, sendmsg and linger as FreeSWITCH reads them', async () => {
    const { conn, link } = await connected();
    echoServer(link);
    await conn.subscribe(['CUSTOM', 'sofia::register', 'conference::maintenance']);
    await conn.subscribe(['channel_create', 'x::y', 'BACKGROUND_JOB'], 'json');
    await conn.unsubscribe(['x::y']);
    await conn.filter('Unique-ID', 'u1');
    await conn.filterDelete('Unique-ID');
    await conn.sendmsg('u1', { 'call-command': 'execute', 'execute-app-name': 'playback', 'execute-app-arg': 'tone_stream://%(100,0,440)' });
    await conn.linger();
    await conn.noevents();
    expect(link.received.slice(1)).toEqual([
      'event plain CUSTOM sofia::register conference::maintenance',
      'event json CHANNEL_CREATE BACKGROUND_JOB CUSTOM x::y',
      'nixevent CUSTOM x::y',
      'filter Unique-ID u1',
      'filter delete Unique-ID',
      'sendmsg u1\ncall-command: execute\nexecute-app-name: playback\nexecute-app-arg: tone_stream://%(100,0,440)',
      'linger',
      'noevents',
    ]);
  });

  it('refuses CR/LF injection before any byte reaches the socket', async () => {
    const { conn, link } = await connected();
    echoServer(link);
    await expect(conn.api('status\nexit')).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(conn.send('api status\r\n\r\nexit')).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(conn.send(Buffer.from('api status\n\nexit\n\n'))).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(conn.filter('Unique-ID', 'x\n\nexit')).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(conn.bgapi('status', { jobUuid: 'j\nexit' })).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(conn.sendmsg('u1', { 'call-command': 'hangup\n\nexit' })).rejects.toBeInstanceOf(InvalidArgumentError);
    expect(await conn.api('ok')).toBe('+OK ok\n');
    expect(link.received).toEqual(['auth ClueCon', 'api ok']);
  });

  it('emits log/data frames as log lines', async () => {
    const { conn, link } = await connected();
    echoServer(link);
    expect(await conn.log(7)).toBe('+OK');
    const line = next(conn, 'log');
    link.frame(
      { 'Content-Type': 'log/data', 'Log-Level': '5', 'Text-Channel': '0', 'Log-File': 'switch_ivr.c' },
      '2026-11-23 22:23:33.503911 [NOTICE] switch_ivr.c:4404 Hangup\n',
    );
    expect(await line).toMatchObject({ level: 5, text: '2026-11-23 22:23:33.503911 [NOTICE] switch_ivr.c:4404 Hangup\n' });
    expect(link.received[1]).toBe('log 7');
  });
});

describe('Connection: close', () => {
  it('lets commands already sent finish, sends exit, and is idempotent', async () => {
    const { conn, link } = await connected();
    link.onCommand((command) => {
      if (command === 'api slow') setImmediate(() => link.apiResponse('done'));
      // FreeSWITCH answers in order: exit only after the slow api
      if (command === 'exit') {
        setImmediate(() => {
          link.reply('+OK bye');
          link.notice();
          link.hangUp();
        });
      }
    });
    const disconnected = next(conn, 'disconnected');
    const slow = conn.api('slow');
    const closing = conn.close();
    expect(conn.close()).toBe(closing);
    await closing;
    expect(await slow).toBe('done');
    expect(link.received.slice(1)).toEqual(['api slow', 'exit']);
    expect(await disconnected).toMatchObject({ reason: 'closed' });
    expect(conn.state).toMatchObject({ status: 'closed', reason: 'closed' });
    await expect(conn.api('status')).rejects.toMatchObject({ code: 'ESL_ERR_DISCONNECTED', reason: 'closed' });
  });

  it('gives up waiting for FreeSWITCH after closeTimeoutMs and rejects what is left', async () => {
    const { conn, link } = await connected({ closeTimeoutMs: 30 });
    const stuck = conn.api('stuck');
    await conn.close();
    await expect(stuck).rejects.toMatchObject({ reason: 'closed' });
    await link.closed;
    expect(conn.state.status).toBe('closed');
  });
});
