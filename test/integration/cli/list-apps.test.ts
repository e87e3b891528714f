import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appsTsconfig, runCli } from './run-cli.js';

describe('switchyard list-apps and apps by name', () => {
  let dir: string;
  let env: NodeJS.ProcessEnv;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'switchyard-apps-'));
    env = { TSX_TSCONFIG_PATH: await appsTsconfig(dir) };
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('lists the shipped apps', async () => {
    const r = await runCli(['list-apps'], env);
    expect(r).toMatchObject({ code: 0, stderr: '', stdout: 'Bert\nCallMetrics\nDtmfChecker\nPlayRec\nRouter\nTonePlay\n' });
    const json = await runCli(['list-apps', '--json'], env);
    expect(JSON.parse(json.stdout)).toEqual(['Bert', 'CallMetrics', 'DtmfChecker', 'PlayRec', 'Router', 'TonePlay'].map((name) => ({ name })));
  });

  it('dials with a shipped app by name and weight', async () => {
    const r = await runCli(
      ['dial', '--sim', '--app', 'TonePlay,2', '--rate', '100', '--max-offered', '6', '--duration', '200ms', '--json'],
      env,
    );
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ offered: 6, answered: 6, completed: 6, failed: 0, lost: 0 });
  });

  it('names the shipped apps when an app name is unknown', async () => {
    const r = await runCli(['dial', '--sim', '--app', 'Nope'], env);
    expect(r).toMatchObject({
      code: 1,
      stdout: '',
      stderr:
        'switchyard: unknown app "Nope" (shipped: Bert, CallMetrics, DtmfChecker, PlayRec, Router, TonePlay); or pass a module file (./my-app.ts)\n',
    });
  });
});
