import { afterEach, describe, expect, it, vi } from 'vitest';
import { Client } from '../../../src/client/client.js';
import { CommandError, DisconnectedError, InvalidArgumentError, JobError, TimeoutError } from '../../../src/errors.js';
import { EventListener } from '../../../src/listener/listener.js';
import { backgroundJob, FakeConnection } from '../../support/fake-connection.js';

async function setup(options: { jobTimeout?: number } = {}) {
  const events = new FakeConnection();
  const commands = new FakeConnection();
  const listener = new EventListener({ connection: events, syncOnConnect: false });
  const client = new Client({ connection: commands, listener, ...options });
  await client.connect();
  return { events, commands, listener, client };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('bgapi jobs', () => {
  it('registers the job before the bgapi goes out, with a client-chosen Job-UUID', async () => {
    const { commands, listener, client } = await setup();
    let registeredWhenSent = false;
    commands.onBgapi = (_command, jobUuid) => {
      registeredWhenSent = listener.jobs.has(jobUuid);
      return `+OK Job-UUID: ${jobUuid}`;
    };
    const job = client.bgapi('status');
    expect(job.uuid).toMatch(/^[0-9a-f-]{36}$/);
    expect(commands.sent.at(-1)).toEqual({ kind: 'bgapi', command: 'status', jobUuid: job.uuid });
    expect(registeredWhenSent).toBe(true);
    expect(job.state).toBe('pending');
    expect(listener.countJobs()).toBe(1);
  });

  it('resolves with the BACKGROUND_JOB body and leaves the map', async () => {
    const { events, listener, client } = await setup();
    const job = client.bgapi('status');
    events.emitEvent(backgroundJob(job.uuid, 'UP 0 years, 0 days\n283 session(s) since startup\n', 'status'));
    await expect(job).resolves.toBe('UP 0 years, 0 days\n283 session(s) since startup');
    expect(job.state).toBe('done');
    expect(job.reply).toBe('UP 0 years, 0 days\n283 session(s) since startup\n');
    expect(listener.countJobs()).toBe(0);
  });

  it('settles even when BACKGROUND_JOB beats the bgapi reply (two sockets)', async () => {
    const { events, commands, client } = await setup();
    let release!: () => void;
    commands.onBgapi = (_c, jobUuid) =>
      new Promise((resolve) => {
        release = () => resolve(`+OK Job-UUID: ${jobUuid}`);
      });
    const job = client.bgapi('uuid_answer x');
    events.emitEvent(backgroundJob(job.uuid, '+OK\n', 'uuid_answer'));
    release();
    await expect(job).resolves.toBe('');
  });

  it('rejects with JobError keeping FreeSWITCH text, pointing at the caller', async () => {
    const { events, listener, client } = await setup();
    const job = client.originate({ dest: 'error/USER_BUSY' });
    events.emitEvent(backgroundJob(job.uuid, '-ERR USER_BUSY\n'));
    const error = await job.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(JobError);
    expect(error).toMatchObject({ code: 'ESL_ERR_JOB', reply: '-ERR USER_BUSY\n', jobUuid: job.uuid });
    expect((error as JobError).message).toBe(`job ${job.uuid} (originate) failed: -ERR USER_BUSY`);
    expect((error as JobError).stack).toContain('jobs.test.ts');
    expect(job.state).toBe('failed');
    expect(listener.countJobs()).toBe(0);
  });

  it('originate resolves to the new session uuid it chose', async () => {
    const { events, commands, client } = await setup();
    const job = client.originate({ dest: 'loopback/park/switchyard', appId: 'demo' });
    const sent = commands.sent.at(-1)!.command;
    expect(sent).toBe(
      `originate {origination_uuid=${job.sessUuid},sip_h_X-switchyard_call=${job.sessUuid},sip_h_X-switchyard_app=demo}loopback/park/switchyard &park()`,
    );
    events.emitEvent(backgroundJob(job.uuid, `+OK ${job.sessUuid}\n`));
    await expect(job).resolves.toBe(job.sessUuid);
  });

  it('fails with the CommandError when FreeSWITCH refuses the bgapi itself', async () => {
    const { commands, listener, client } = await setup();
    commands.onBgapi = () => '-ERR command not found';
    const job = client.bgapi('nope');
    await expect(job).rejects.toThrow(CommandError);
    expect(job.state).toBe('failed');
    expect(listener.countJobs()).toBe(0);
  });

  it('times out with the client default, then leaves the map', async () => {
    vi.useFakeTimers();
    const { listener, client } = await setup({ jobTimeout: 5000 });
    const job = client.bgapi('status');
    await vi.advanceTimersByTimeAsync(4999);
    expect(job.state).toBe('pending');
    await vi.advanceTimersByTimeAsync(1);
    expect(job.state).toBe('timeout');
    await expect(job).rejects.toThrow(TimeoutError);
    await expect(job).rejects.toThrow(`job ${job.uuid} (status) got no result within 5000 ms`);
    expect(listener.countJobs()).toBe(0);
  });

  it('result({ timeout }) gives the job up after that many ms', async () => {
    vi.useFakeTimers();
    const { events, listener, client } = await setup();
    const job = client.bgapi('status');
    const result = expect(job.result({ timeout: 250 })).rejects.toMatchObject({ code: 'ESL_ERR_TIMEOUT', timeoutMs: 250 });
    await vi.advanceTimersByTimeAsync(249);
    expect(job.state).toBe('pending');
    await vi.advanceTimersByTimeAsync(1);
    await result;
    expect(job.state).toBe('timeout');
    expect(listener.countJobs()).toBe(0);
    events.emitEvent(backgroundJob(job.uuid, '+OK late\n'));
    expect(job.state).toBe('timeout');
  });

  it('result({ signal }) aborts with the signal reason', async () => {
    const { listener, client } = await setup();
    const job = client.bgapi('status');
    const controller = new AbortController();
    const result = job.result({ signal: controller.signal });
    const reason = new Error('user gave up');
    controller.abort(reason);
    await expect(result).rejects.toBe(reason);
    await expect(job).rejects.toBe(reason);
    expect(job.state).toBe('aborted');
    expect(listener.countJobs()).toBe(0);
  });

  it('result() of a settled job is its value, even with a timeout', async () => {
    const { events, client } = await setup();
    const job = client.bgapi('status');
    events.emitEvent(backgroundJob(job.uuid, '+OK done\n'));
    await expect(job.result({ timeout: 1 })).resolves.toBe('done');
  });

  it('a lost event connection rejects every pending job with DisconnectedError', async () => {
    const { events, listener, client } = await setup();
    const jobs = [client.bgapi('status'), client.bgapi('version')];
    events.drop({ reason: 'socket' });
    for (const job of jobs) {
      await expect(job).rejects.toThrow(DisconnectedError);
      await expect(job).rejects.toMatchObject({ reason: 'socket' });
    }
    expect(listener.countJobs()).toBe(0);
    // While the event link is down a new job fails at once: its result could not arrive.
    await expect(client.bgapi('status')).rejects.toThrow('the listener is not connected');
  });

  it('a job nobody awaits does not become an unhandled rejection', async () => {
    const { events, client } = await setup();
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      const job = client.bgapi('status');
      events.emitEvent(backgroundJob(job.uuid, '-ERR nope\n'));
      await new Promise((resolve) => setImmediate(resolve));
      expect(job.state).toBe('failed');
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });

  it('bgapi and originate without a listener throw saying why; api and cmd still work', async () => {
    const commands = new FakeConnection();
    const client = new Client({ connection: commands });
    await client.connect();
    expect(() => client.bgapi('status')).toThrow(InvalidArgumentError);
    expect(() => client.originate({ dest: 'loopback/park' })).toThrow(
      'originate needs an EventListener (its results arrive as events)',
    );
    commands.onApi = () => 'UP 0 years\n';
    await expect(client.api('status')).resolves.toBe('UP 0 years\n');
    await expect(client.cmd('status')).resolves.toBe('UP 0 years');
    commands.onApi = () => '-ERR no such command\n';
    await expect(client.cmd('nope')).rejects.toMatchObject({ code: 'ESL_ERR_COMMAND', reply: '-ERR no such command\n' });
    await expect(client.loadApp({ name: 'x', handlers: {} })).rejects.toThrow('loadApp needs an EventListener');
  });

  it('hupall filters on the app id variable', async () => {
    const { commands, client } = await setup();
    await client.hupall();
    await client.hupall('USER_BUSY', 'load-1');
    expect(commands.commands('api')).toEqual(['hupall NORMAL_CLEARING', 'hupall USER_BUSY sip_h_X-switchyard_app load-1']);
    await expect(client.hupall('bad cause')).rejects.toThrow(InvalidArgumentError);
  });
});
