import type { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { formatAppList } from '../../../src/cli/list-apps.js';
import { DEFAULT_HISTORY, type ReplPlan, replCommand } from '../../../src/cli/repl.js';
import { appRef, type ServePlan, serveCommand } from '../../../src/cli/serve.js';
import { InvalidArgumentError } from '../../../src/errors.js';

async function parse<T>(make: (run: (plan: T) => Promise<void>) => Command, args: string[]): Promise<T> {
  let plan: T | undefined;
  const cmd = make(async (p) => {
    plan = p;
  });
  await cmd.exitOverride().configureOutput({ writeErr: () => {} }).parseAsync(args, { from: 'user' });
  return plan!;
}

describe('serve options', () => {
  it('collects apps by name and by file, resolving files against the working directory', async () => {
    const plan = await parse<ServePlan>(serveCommand, ['fs1', 'fs2:8022', '--app', 'TonePlay', '--app', './apps/mine.ts']);
    expect(plan).toEqual({
      hosts: ['fs1', 'fs2:8022'],
      flags: { password: process.env.ESL_PASSWORD ?? 'ClueCon', port: 8021 },
      apps: [
        { kind: 'name', name: 'TonePlay' },
        { kind: 'file', path: `${process.cwd()}/apps/mine.ts` },
      ],
    });
  });

  it('tells a file from a name', () => {
    expect(appRef('Router', '/w')).toEqual({ kind: 'name', name: 'Router' });
    expect(appRef('bert.ts', '/w')).toEqual({ kind: 'file', path: '/w/bert.ts' });
    expect(appRef('/abs/app.mjs', '/w')).toEqual({ kind: 'file', path: '/abs/app.mjs' });
    expect(() => appRef('two words', '/w')).toThrow(InvalidArgumentError);
  });

  it('needs a host (or --sim) and an app', async () => {
    await expect(parse(serveCommand, ['--app', 'X'])).rejects.toThrow('serve needs at least one HOST (or --sim)');
    await expect(parse(serveCommand, ['--sim'])).rejects.toThrow('serve needs at least one --app');
  });
});

describe('repl options', () => {
  it('defaults to a history file in the home directory and may start with no host', async () => {
    const plan = await parse<ReplPlan>(replCommand, []);
    expect([plan.hosts, plan.historyFile]).toEqual([[], DEFAULT_HISTORY]);
  });

  it('takes hosts, --sim, --history FILE and --no-history', async () => {
    expect(await parse<ReplPlan>(replCommand, ['fs1', '--sim', '--history', '/tmp/h'])).toMatchObject({
      hosts: ['fs1'],
      flags: { sim: true },
      historyFile: '/tmp/h',
    });
    expect((await parse<ReplPlan>(replCommand, ['--no-history'])).historyFile).toBeUndefined();
  });
});

describe('list-apps output', () => {
  const apps = [{ name: 'TonePlay', description: 'plays a tone' }, { name: 'Bert' }, { name: 'PlayRec', description: 'plays and records' }];
  it('lists names sorted, descriptions aligned', () => {
    expect(formatAppList(apps, false)).toBe('Bert\nPlayRec   plays and records\nTonePlay  plays a tone\n');
  });
  it('prints JSON with --json', () => {
    expect(JSON.parse(formatAppList(apps, true)).map((a: { name: string }) => a.name)).toEqual(['Bert', 'PlayRec', 'TonePlay']);
  });
});
