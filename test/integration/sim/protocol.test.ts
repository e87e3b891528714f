/**
 * The simulator's Event Socket protocol over real TCP: auth, command replies
 * with FreeSWITCH's exact texts, bgapi, subscriptions and filters, log lines,
 * exit, heartbeat, reload, restart on the same port, dropped connections.
 */
import net from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Simulator, startSimulator } from '../../../src/sim/index.js';
import { TestClient } from './esl-test-client.js';

const GOODBYE = 'Disconnected, goodbye.\nSee you at ClueCon! http://www.cluecon.com/\n';

let sim: Simulator;
const clients: TestClient[] = [];

async function client(authed = true): Promise<TestClient> {
  const c = authed ? await TestClient.authed(sim.port) : await TestClient.connect(sim.port);
  clients.push(c);
  return c;
}

beforeEach(async () => {
  sim = await startSimulator({ port: 0 });
});

afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await sim.close();
});

describe('auth', () => {
  it('accepts the password with +OK accepted', async () => {
    const c = await client(false);
    const reply = await c.command('auth ClueCon');
    expect(reply.contentType).toBe('command/reply');
    expect(reply.headers['Reply-Text']).toBe('+OK accepted');
  });

  it('refuses a wrong password, sends the disconnect notice and closes', async () => {
    const c = await client(false);
    const reply = await c.command('auth nope');
    expect(reply.headers['Reply-Text']).toBe('-ERR invalid');
    const notice = await c.next((f) => f.contentType === 'text/disconnect-notice');
    expect(notice.body?.toString()).toBe(GOODBYE);
    await c.closed;
    expect(c.isClosed).toBe(true);
  });

  it('answers any other command before auth with -ERR command not found', async () => {
    const c = await client(false);
    const reply = await c.command('api status');
    expect(reply.contentType).toBe('command/reply');
    expect(reply.headers['Reply-Text']).toBe('-ERR command not found');
    expect((await c.command('auth ClueCon')).headers['Reply-Text']).toBe('+OK accepted');
  });

  it('takes userauth with the configured users and answers with the allowed lists', async () => {
    await sim.close();
    sim = await startSimulator({ port: 0, users: { 'ops@example.com': 's3cret' } });
    const c = await client(false);
    const ok = await c.command('userauth ops@example.com:s3cret');
    expect(ok.headers).toEqual({
      'Content-Type': 'command/reply',
      'Reply-Text': '+OK accepted',
      'Allowed-Events': 'all',
      'Allowed-API': 'all',
      'Allowed-LOG': 'true',
    });
    const bad = await client(false);
    expect((await bad.command('userauth ops@example.com:wrong')).headers['Reply-Text']).toBe('-ERR invalid');
  });
});

describe('commands', () => {
  it('answers an unknown command and an unknown api with FreeSWITCH texts', async () => {
    const c = await client();
    expect((await c.command('nonsense')).headers['Reply-Text']).toBe('-ERR command not found');
    const api = await c.command('api no_such_command');
    expect(api.contentType).toBe('api/response');
    expect(api.body?.toString()).toBe('-ERR no_such_command Command not found!\n');
  });

  it('answers status, version and global_getvar like the recording', async () => {
    const c = await client();
    const status = await c.api('status');
    expect(status).toMatch(
      /^UP \d+ years?, \d+ days?, \d+ hours?, \d+ minutes?, \d+ seconds?, \d+ milliseconds?, \d+ microseconds?\nFreeSWITCH \(Version 1\.11\.1-release {2}64bit\) is ready\n\d+ session\(s\) since startup\n0 session\(s\) - peak \d+, last 5min \d+ \n\d+ session\(s\) per Sec out of max 1000, peak \d+, last 5min \d+ \n5000 session\(s\) max\nmin idle cpu 0\.00\/\d+\.\d\d\nCurrent Stack Size\/Max 240K\/8192K\n$/,
    );
    expect(await c.api('version')).toBe('FreeSWITCH Version 1.11.1-release~64bit ( 64bit)\n');
    expect(await c.api('global_getvar hostname')).toBe('switchyard-sim');
    expect(await c.api('global_getvar no_such_var')).toBe('-ERR no reply\n');
    expect(await c.api('show channels as json')).toBe('{"row_count": 0}\n');
  });

  it('runs bgapi with a client-chosen Job-UUID: reply first, then BACKGROUND_JOB', async () => {
    const c = await client();
    expect((await c.command('event plain BACKGROUND_JOB')).headers['Reply-Text']).toBe('+OK event listener enabled plain');
    const job = '3f1d7c52-1111-4a5e-9c0d-1234567890ab';
    const reply = await c.command(`bgapi version\nJob-UUID: ${job}`);
    expect(reply.headers['Reply-Text']).toBe(`+OK Job-UUID: ${job}`);
    expect(reply.headers['Job-UUID']).toBe(job);
    const event = await c.event((e) => e.name === 'BACKGROUND_JOB');
    expect(event.headers['Job-UUID']).toBe(job);
    expect(event.headers['Job-Command']).toBe('version');
    expect(event.headers['Job-Command-Arg']).toBeUndefined();
    expect(event.body).toBe('FreeSWITCH Version 1.11.1-release~64bit ( 64bit)\n');
    expect(c.frames.indexOf(reply)).toBeLessThan(c.frames.indexOf(event.frame));
  });

  it('reports a failed originate in the job body', async () => {
    const c = await client();
    await c.command('event plain BACKGROUND_JOB');
    await c.command('bgapi originate error/USER_BUSY &park()');
    const event = await c.event((e) => e.name === 'BACKGROUND_JOB');
    expect(event.headers['Job-Command-Arg']).toBe('error/USER_BUSY &park()');
    expect(event.body).toBe('-ERR USER_BUSY\n');
  });

  it('says goodbye on exit: +OK bye, the notice, then the socket closes', async () => {
    const c = await client();
    expect((await c.command('exit')).headers['Reply-Text']).toBe('+OK bye');
    const notice = await c.next((f) => f.contentType === 'text/disconnect-notice');
    expect(notice.headers['Content-Length']).toBe('67');
    expect(notice.body?.toString()).toBe(GOODBYE);
    await c.closed;
  });

  it('reads a command split byte by byte and one with CRLF line ends', async () => {
    const c = await client();
    for (const byte of Buffer.from('api version\n\n')) c.socket.write(Buffer.from([byte]));
    const split = await c.next((f) => f.contentType === 'api/response');
    expect(split.body?.toString()).toBe('FreeSWITCH Version 1.11.1-release~64bit ( 64bit)\n');
    c.socket.write('api hostname\r\n\r\n');
    const crlf = await c.next((f) => f.contentType === 'api/response');
    expect(crlf.body?.toString()).toBe('switchyard-sim');
  });
});

describe('subscriptions', () => {
  it('replies to event, nixevent and noevents as mod_event_socket does', async () => {
    const c = await client();
    expect((await c.command('event json CHANNEL_CREATE')).headers['Reply-Text']).toBe('+OK event listener enabled json');
    expect((await c.command('event plain NOT_AN_EVENT')).headers['Reply-Text']).toBe('-ERR no keywords supplied');
    expect((await c.command('nixevent CHANNEL_CREATE')).headers['Reply-Text']).toBe('+OK events nixed');
    expect((await c.command('noevents')).headers['Reply-Text']).toBe('+OK no longer listening for events');
    expect((await c.command('noevents')).headers['Reply-Text']).toBe('-ERR not listening for events');
  });

  it('passes only events matching a filter once one is set, and all again after filter delete', async () => {
    const c = await client();
    await c.command('event plain CHANNEL_CREATE');
    const a = '7d0e8f4e-2222-4c1b-8a55-000000000001';
    expect((await c.command(`filter Unique-ID ${a}`)).headers['Reply-Text']).toBe(`+OK filter added. [Unique-ID]=[${a}]`);
    expect(await c.api(`originate {origination_uuid=${a}}loopback/answer/switchyard &park()`)).toBe(`+OK ${a}\n`);
    const created = await c.event((e) => e.name === 'CHANNEL_CREATE');
    expect(created.headers['Unique-ID']).toBe(a);
    expect(c.events().filter((e) => e.name === 'CHANNEL_CREATE')).toHaveLength(1);
    expect((await c.command(`filter delete Unique-ID ${a}`)).headers['Reply-Text']).toBe(`+OK filter deleted. [Unique-ID][${a}]`);
    await c.api('originate loopback/answer/switchyard &park()');
    const next = await c.event((e) => e.name === 'CHANNEL_CREATE' && e.headers['Unique-ID'] !== a);
    expect(next.headers['Channel-Name']).toBe('loopback/answer-a');
  });

  it('delivers CUSTOM events only for the subclasses listed after CUSTOM', async () => {
    const c = await client();
    await c.command('event plain CUSTOM switchyard::note');
    const other = await client();
    const body = 'body ✓ text';
    const sent = await other.command(
      `sendevent CUSTOM\nEvent-Subclass: other::thing\ncontent-length: 2\n\nnosendevent CUSTOM\nEvent-Subclass: switchyard::note\nNote: ünïcode\ncontent-type: text/plain\ncontent-length: ${Buffer.byteLength(body)}\n\n${body}`,
    );
    expect(sent.headers['Reply-Text']).toMatch(/^\+OK [0-9a-f-]{36}$/);
    const event = await c.event((e) => e.name === 'CUSTOM');
    expect(event.headers['Event-Subclass']).toBe('switchyard::note');
    expect(event.headers.Note).toBe('ünïcode');
    expect(event.body).toBe(body);
    expect(event.order.slice(0, 2)).toEqual(['Event-Subclass', 'Command']);
    expect(c.events().map((e) => e.headers['Event-Subclass'])).toEqual(['switchyard::note']);
  });

  it('sends log/data lines at the chosen level, and stops on nolog', async () => {
    const c = await client();
    expect((await c.command('log 7')).headers['Reply-Text']).toBe('+OK log level 7 [7]');
    await c.command('event plain CHANNEL_PARK');
    const a = '7d0e8f4e-2222-4c1b-8a55-000000000002';
    await c.api(`originate {origination_uuid=${a}}loopback/answer/switchyard &park()`);
    await c.event((e) => e.name === 'CHANNEL_PARK' && e.headers['Unique-ID'] === a);
    await c.api(`uuid_kill ${a}`);
    const line = await c.next((f) => f.contentType === 'log/data' && f.body?.toString().includes('Hangup loopback/answer-a') === true);
    expect(line.headers['Log-Level']).toBe('5');
    expect(line.headers['Log-File']).toBe('switch_ivr.c');
    expect(line.headers['Log-Func']).toBe('switch_ivr_kill_uuid');
    expect(line.headers['User-Data']).toBe(a);
    expect(line.body?.toString()).toMatch(/ \[NOTICE\] switch_ivr\.c:4404 Hangup loopback\/answer-a \[CS_EXECUTE\] \[NORMAL_CLEARING\]\n$/);
    expect((await c.command('nolog')).headers['Reply-Text']).toBe('+OK no longer logging');
    expect((await c.command('nolog')).headers['Reply-Text']).toBe('-ERR not loging');
  });
});

describe('server lifecycle', () => {
  it('sends HEARTBEAT every heartbeatIntervalMs', async () => {
    await sim.close();
    sim = await startSimulator({ port: 0, heartbeatIntervalMs: 50, hostname: 'hb-host' });
    const c = await client();
    await c.command('event plain HEARTBEAT');
    const hb = await c.event((e) => e.name === 'HEARTBEAT');
    expect(hb.headers['Event-Info']).toBe('System Ready');
    expect(hb.headers['FreeSWITCH-Hostname']).toBe('hb-host');
    expect(hb.headers['Max-Sessions']).toBe('5000');
    expect(hb.headers['Session-Count']).toBe('0');
  });

  it('reloads mod_event_socket: shutdown notice, close, then accepts again', async () => {
    await sim.close();
    sim = await startSimulator({ port: 0, reloadCloseMs: 20, reloadDowntimeMs: 300 });
    const sub = await client();
    await sub.command('event plain ALL');
    const ctl = await client();
    const reply = await ctl.command('bgapi reload mod_event_socket');
    expect(reply.contentType).toBe('api/response');
    expect(reply.body?.toString()).toMatch(/^\+OK Job-UUID: [0-9a-f-]{36}\n$/);
    const notice = await sub.next((f) => f.contentType === 'text/disconnect-notice');
    expect(notice.body?.toString()).toBe('The system is being shut down.\n');
    await sub.closed;
    await expect(TestClient.connect(sim.port)).rejects.toThrow(/ECONNREFUSED/);
    await sim.listening();
    const again = await client();
    expect(await again.api('hostname')).toBe('switchyard-sim');
  });

  it('restarts on the same port after close', async () => {
    const port = sim.port;
    await sim.close();
    sim = await startSimulator({ port });
    const c = await client();
    expect(sim.port).toBe(port);
    expect(await c.api('hostname')).toBe('switchyard-sim');
  });

  it('drops every connection abruptly, without a notice', async () => {
    const c = await client();
    expect(sim.connectionCount()).toBe(1);
    sim.dropConnections();
    await c.closed;
    expect(c.frames.some((f) => f.contentType === 'text/disconnect-notice')).toBe(false);
  });

  it('refuses nothing but garbage: a malformed command gets a reply and the connection lives on', async () => {
    const c = await client();
    const raw = net.connect(sim.port, '127.0.0.1');
    await new Promise((resolve) => raw.once('connect', resolve));
    raw.destroy();
    expect((await c.command(':::\nno header here\n: empty')).headers['Reply-Text']).toBe('-ERR command not found');
    expect(await c.api('hostname')).toBe('switchyard-sim');
  });
});
