import type { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { parseHost } from '../../../src/cli/connect-options.js';
import { DEFAULT_DEST, type DialPlan, dialCommand, duration } from '../../../src/cli/dial.js';
import { InvalidArgumentError } from '../../../src/errors.js';

describe('parseHost', () => {
  it.each([
    ['fs1', { host: 'fs1', port: 8021 }],
    ['fs1:8022', { host: 'fs1', port: 8022 }],
    ['10.0.0.5:1', { host: '10.0.0.5', port: 1 }],
    ['[::1]:9000', { host: '::1', port: 9000 }],
    ['[fe80::1]', { host: 'fe80::1', port: 8021 }],
    ['fe80::1', { host: 'fe80::1', port: 8021 }],
  ])('%s', (spec, expected) => {
    expect(parseHost(spec)).toEqual(expected);
  });

  it('uses the given default port', () => {
    expect(parseHost('fs1', 9999)).toEqual({ host: 'fs1', port: 9999 });
  });

  it.each([
    ['fs1:0', 'bad HOST "fs1:0": port must be 1-65535'],
    ['fs1:65536', 'bad HOST "fs1:65536": port must be 1-65535'],
    ['fs1:abc', 'bad HOST "fs1:abc": port must be 1-65535'],
    ['fs1:', 'bad HOST "fs1:": port must be 1-65535'],
    [':8021', 'bad HOST ":8021": no host name'],
    ['', 'bad HOST "": no host name'],
  ])('rejects %j', (spec, message) => {
    expect(() => parseHost(spec)).toThrow(InvalidArgumentError);
    expect(() => parseHost(spec)).toThrow(message);
  });
});

async function parseDial(args: string[], env: Record<string, string> = {}): Promise<DialPlan> {
  const saved = process.env.ESL_PASSWORD;
  if (env.ESL_PASSWORD === undefined) delete process.env.ESL_PASSWORD;
  else process.env.ESL_PASSWORD = env.ESL_PASSWORD;
  try {
    let plan: DialPlan | undefined;
    const cmd: Command = dialCommand(async (p) => {
      plan = p;
    });
    await cmd.exitOverride().configureOutput({ writeErr: () => {} }).parseAsync(args, { from: 'user' });
    return plan!;
  } finally {
    if (saved === undefined) delete process.env.ESL_PASSWORD;
    else process.env.ESL_PASSWORD = saved;
  }
}

describe('dial options', () => {
  it('has documented defaults', async () => {
    expect(await parseDial(['fs1'])).toEqual({
      hosts: ['fs1'],
      flags: { password: 'ClueCon', port: 8021 },
      rate: 10,
      limit: 100,
      durationMs: undefined,
      maxOffered: undefined,
      dest: DEFAULT_DEST,
      apps: [],
      metricsFile: undefined,
      report: undefined,
      json: false,
      intervalMs: 1000,
    });
  });

  it('parses every flag, repeated weighted apps and ESL_PASSWORD', async () => {
    const plan = await parseDial(
      [
        'fs1:8022',
        'fs2',
        '--rate',
        '500',
        '--limit',
        '2000',
        '--duration',
        '90s',
        '--max-offered',
        '100000',
        '--dest',
        'sofia/external/1000@10.0.0.5:5080',
        '--app',
        'TonePlay,3',
        '--app',
        'PlayRec',
        '--metrics-file',
        'run.csv',
        '--report',
        'run.html',
        '--json',
        '--interval',
        '250ms',
        '--port',
        '9000',
      ],
      { ESL_PASSWORD: 'from-env' },
    );
    expect(plan).toEqual({
      hosts: ['fs1:8022', 'fs2'],
      flags: { password: 'from-env', port: 9000 },
      rate: 500,
      limit: 2000,
      durationMs: 90_000,
      maxOffered: 100_000,
      dest: 'sofia/external/1000@10.0.0.5:5080',
      apps: [
        { name: 'TonePlay', weight: 3 },
        { name: 'PlayRec', weight: 1 },
      ],
      metricsFile: 'run.csv',
      report: 'run.html',
      json: true,
      intervalMs: 250,
    });
  });

  it('lets --password beat ESL_PASSWORD and accepts --sim without hosts', async () => {
    const plan = await parseDial(['--sim', '--password', 'flag'], { ESL_PASSWORD: 'env' });
    expect([plan.hosts, plan.flags]).toEqual([[], { password: 'flag', port: 8021, sim: true }]);
  });

  it.each([
    [['fs1', '--rate', '0'], "option '--rate <calls/s>' argument '0' is invalid. expected a number > 0"],
    [['fs1', '--limit', '2.5'], "option '--limit <calls>' argument '2.5' is invalid. expected a whole number > 0"],
    [['fs1', '--duration', 'long'], "argument 'long' is invalid. expected a duration like 30, 30s, 500ms or 2m"],
    [['fs1', '--app', 'A,0'], "argument 'A,0' is invalid. expected a number > 0"],
    [['fs1', '--app', ',2'], "argument ',2' is invalid. expected NAME or NAME,WEIGHT"],
    [['fs1', '--port', '70000'], "argument '70000' is invalid. port must be 1-65535"],
    [['fs1', '--metrics-file', 'out.txt'], '--metrics-file must end in .json or .csv, got out.txt'],
    [[], 'dial needs at least one HOST (or --sim)'],
  ])('rejects %j', async (args, message) => {
    await expect(parseDial(args)).rejects.toThrow(message);
  });

  it('reads durations', () => {
    expect([duration('30'), duration('1.5s'), duration('500ms'), duration('2m'), duration('1h')]).toEqual([
      30_000, 1500, 500, 120_000, 3_600_000,
    ]);
  });
});
