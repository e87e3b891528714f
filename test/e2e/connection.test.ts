/**
 * The Event Socket itself, with only a Connection: auth (good and bad
 * password), api, bgapi with a client-chosen Job-UUID, and surviving
 * `reload mod_event_socket`, the restart a long-running client must ride out
 * (FreeSWITCH sends a disconnect notice, closes, and listens again about a
 * second later; see ../../shared/captures/reload-event-socket.*).
 */
import { AuthError, Connection } from 'switchyard';
import { afterEach, expect, it } from 'vitest';
import { describeE2E, nextEvent, target, uuid } from './support.js';

describeE2E('Event Socket', () => {
  const opened: Connection[] = [];
  function open(options: Partial<ConstructorParameters<typeof Connection>[0]> = {}): Connection {
    const conn = new Connection({ ...target, ...options });
    opened.push(conn);
    return conn;
  }
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((c) => c.close()));
  });

  it('authenticates with the configured password', async () => {
    const conn = open();
    await conn.connect();
    expect(conn.state.status).toBe('connected');
  });

  it('refuses a wrong password with AuthError carrying -ERR invalid', async () => {
    const conn = open({ password: `${target.password}-wrong` });
    const failure = await conn.connect().then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(AuthError);
    expect(failure).toMatchObject({ code: 'ESL_ERR_AUTH', reply: '-ERR invalid' });
    expect(conn.state.status).toBe('closed');
  });

  it('answers api status', async () => {
    const conn = open();
    await conn.connect();
    const status = await conn.api('status');
    // mod_commands.c pluralises each unit: "1 minute", "2 minutes".
    expect(status).toMatch(/^UP \d+ years?, \d+ days?, \d+ hours?, \d+ minutes?, \d+ seconds?, /);
    expect(status).toMatch(/\nFreeSWITCH \(Version [^)]+\) is ready\n/);
    expect(status).toMatch(/\n\d+ session\(s\) max\n/);
  });

  it('returns -ERR from an unknown api command as text, not as an exception', async () => {
    const conn = open();
    await conn.connect();
    expect(await conn.api('no_such_command')).toBe('-ERR no_such_command Command not found!\n');
  });

  it('runs bgapi under the Job-UUID it chose and delivers the BACKGROUND_JOB', async () => {
    const conn = open();
    await conn.connect();
    await conn.subscribe(['BACKGROUND_JOB']);
    const jobUuid = uuid();
    const done = nextEvent(conn, (e) => e.name === 'BACKGROUND_JOB' && e.get('Job-UUID') === jobUuid, 'BACKGROUND_JOB');
    expect(await conn.bgapi('status', { jobUuid })).toEqual({ jobUuid, reply: `+OK Job-UUID: ${jobUuid}` });
    const job = await done;
    expect(job.get('Job-Command')).toBe('status');
    expect(String(job.body)).toMatch(/^UP \d+ years?, /);
  });

  it('reports a failing background job in its BACKGROUND_JOB body', async () => {
    const conn = open();
    await conn.connect();
    await conn.subscribe(['BACKGROUND_JOB']);
    const jobUuid = uuid();
    const done = nextEvent(conn, (e) => e.name === 'BACKGROUND_JOB' && e.get('Job-UUID') === jobUuid, 'BACKGROUND_JOB');
    await conn.bgapi('originate error/USER_BUSY &park()', { jobUuid });
    const job = await done;
    expect(job.get('Job-Command')).toBe('originate');
    expect(String(job.body)).toBe('-ERR USER_BUSY\n');
  });

  it('reconnects after reload mod_event_socket and restores its subscription', async () => {
    const watcher = open({ reconnect: true });
    await watcher.connect();
    await watcher.subscribe(['BACKGROUND_JOB']);
    const disconnected = new Promise<{ reason: string }>((resolve) => watcher.once('disconnected', resolve));
    const reconnected = new Promise<{ gapMs: number; attempts: number }>((resolve) => watcher.once('reconnected', resolve));

    // Another connection does the reload, as an operator would; it is cut off too.
    const admin = open();
    await admin.connect();
    await admin.bgapi('reload mod_event_socket');

    expect((await disconnected).reason).toBe('notice');
    const back = await reconnected;
    expect(back.attempts).toBeGreaterThanOrEqual(1);
    expect(back.gapMs).toBeGreaterThan(0);
    expect(watcher.state.status).toBe('connected');

    // The event subscription came back with the link: a BACKGROUND_JOB arrives.
    const jobUuid = uuid();
    const done = nextEvent(watcher, (e) => e.name === 'BACKGROUND_JOB' && e.get('Job-UUID') === jobUuid, 'BACKGROUND_JOB after reconnect');
    await watcher.bgapi('status', { jobUuid });
    expect(String((await done).body)).toMatch(/^UP /);
  });
});
