import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MetricsStore, type MetricsSummary } from '../../../src/load/metrics.js';
import { runCli, spawnCli } from './run-cli.js';

describe('switchyard dial --sim', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'switchyard-dial-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('runs to --max-offered, prints the JSON summary, writes the metrics file and the report', async () => {
    const metricsFile = join(dir, 'run.json');
    const report = join(dir, 'run.html');
    const r = await runCli([
      'dial',
      '--sim',
      '--rate',
      '100',
      '--limit',
      '10',
      '--duration',
      '100ms',
      '--max-offered',
      '30',
      '--interval',
      '100ms',
      '--json',
      '--metrics-file',
      metricsFile,
      '--report',
      report,
    ]);
    expect(r.code).toBe(0);
    const summary = JSON.parse(r.stdout) as MetricsSummary;
    expect(summary).toMatchObject({
      offered: 30,
      answered: 30,
      completed: 30,
      failed: 0,
      lost: 0,
      active: 0,
      targetRate: 100,
      failuresByCause: {},
    });
    expect(summary.setupLatencyMs.count).toBe(30);
    // Not a terminal: one progress line per interval on stderr, nothing else.
    const lines = r.stderr.trimEnd().split('\n');
    expect(lines.length).toBeGreaterThanOrEqual(2);
    for (const line of lines) expect(line).toMatch(/^t=\d+s rate=[\d.]+\/100\.0 active=\d+ offered=\d+ answered=\d+ /);
    expect(lines.at(-1)).toMatch(/ active=0 offered=30 answered=30 failed=0 lost=0 /);

    const stored = MetricsStore.fromJSON(JSON.parse(await readFile(metricsFile, 'utf8')));
    expect(stored.size).toBe(30);
    expect([...stored.rows()].every((row) => row.outcome === 'completed' && row.cause === 'NORMAL_CLEARING')).toBe(true);
    expect(await readFile(report, 'utf8')).toContain('<title>switchyard dial loopback/answer/switchyard</title>');
  });

  it('counts failures by cause and writes CSV metrics', async () => {
    const metricsFile = join(dir, 'busy.csv');
    const r = await runCli([
      'dial',
      '--sim',
      '--rate',
      '200',
      '--dest',
      'loopback/busy/switchyard',
      '--max-offered',
      '12',
      '--json',
      '--metrics-file',
      metricsFile,
    ]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ offered: 12, answered: 0, failed: 12, failuresByCause: { USER_BUSY: 12 } });
    const csv = (await readFile(metricsFile, 'utf8')).trimEnd().split('\r\n');
    expect(csv).toHaveLength(13);
    expect(csv[1]).toMatch(/^[0-9a-f-]{36},127\.0\.0\.1:\d+,,[\d.]+,,[\d.]+,,failed,USER_BUSY,USER_BUSY$/);
  });

  it('on Ctrl-C stops, hangs up, still reports, and exits 130', async () => {
    const report = join(dir, 'interrupted.html');
    const p = spawnCli(['dial', '--sim', '--rate', '100', '--limit', '50', '--duration', '30s', '--interval', '100ms', '--json', '--report', report]);
    await p.waitFor('stderr', /offered=[1-9]/);
    p.signal('SIGINT');
    const r = await p.exited;
    expect(r.code).toBe(130);
    const summary = JSON.parse(r.stdout) as MetricsSummary;
    expect(summary.offered).toBeGreaterThan(0);
    expect(summary.active).toBe(0);
    // Calls held for 30 s were hung up by us: they end NORMAL_CLEARING, not lost.
    expect(summary.completed + summary.failed).toBe(summary.offered);
    expect(summary.lost).toBe(0);
    expect(await readFile(report, 'utf8')).toContain('switchyard-data');
  });

  it('runs app modules from files', async () => {
    const file = join(dir, 'quiet.mjs');
    await writeFile(file, "export default { name: 'Quiet', handlers: {} };\n");
    const r = await runCli(['dial', '--sim', '--app', `${file},3`, '--rate', '100', '--max-offered', '5', '--duration', '100ms', '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ offered: 5, completed: 5 });
  });
});
