import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CliSim, runCli, spawnCli, startCliSim } from './run-cli.js';

// A user's app module: prints each answered channel so the test can see it ran.
const APP = `export default {
  name: 'AnswerLog',
  handlers: {
    CHANNEL_ANSWER: (session) => { process.stdout.write('answered ' + session.uuid + '\\n'); },
  },
};
`;

describe('switchyard serve', () => {
  let dir: string;
  let sim: CliSim;
  let where: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'switchyard-serve-'));
    await writeFile(join(dir, 'answer-log.mjs'), APP);
    sim = await startCliSim();
    where = `${sim.host}:${sim.port}`;
  });
  afterAll(async () => {
    await sim?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('runs an app from a file on calls until SIGINT, then unloads it and exits 0', async () => {
    const serve = spawnCli(['serve', where, '--app', join(dir, 'answer-log.mjs')]);
    await serve.waitFor('stdout', /^serving AnswerLog on 127\.0\.0\.1:\d+ \(Ctrl-C to stop\)\n/);

    const call = await runCli(['api', where, 'originate', 'loopback/answer/switchyard', '&park']);
    expect(call.code).toBe(0);
    const uuid = /^\+OK ([0-9a-f-]{36})\n$/.exec(call.stdout)?.[1];
    expect(uuid).toBeDefined();
    await serve.waitFor('stdout', new RegExp(`answered ${uuid}\\n`));
    await runCli(['api', where, 'hupall']);

    serve.signal('SIGINT');
    const r = await serve.exited;
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/SIGINT: unloading\n$/);
  });

  it('refuses a file that exports no app, in one line', async () => {
    await writeFile(join(dir, 'not-an-app.mjs'), 'export default 42;\n');
    const r = await runCli(['serve', where, '--app', join(dir, 'not-an-app.mjs')]);
    expect(r).toMatchObject({
      code: 1,
      stderr: `switchyard: ${join(dir, 'not-an-app.mjs')} must export (default) an app: { name, handlers } or a class constructed without arguments\n`,
    });
  });
});
