import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MetricsStore } from '../../../src/load/metrics.js';
import { runCli } from './run-cli.js';

const uplot = (() => {
  try {
    return createRequire(import.meta.url).resolve('uplot/dist/uPlot.iife.min.js');
  } catch {
    return undefined;
  }
})();
if (!uplot) console.warn('plot success tests skipped: the "uplot" package is not installed');

function dataOf(html: string): { summary: { offered: number; failuresByCause: object }; series: { time: number[] } } {
  return JSON.parse(/<script id="switchyard-data" type="application\/json">(.*?)<\/script>/s.exec(html)![1]!);
}

describe('switchyard plot', () => {
  let dir: string;
  const store = new MetricsStore({ startedAt: 0, targetRate: 5 });
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'switchyard-plot-'));
    for (let i = 0; i < 30; i++) {
      store.offer(`c${i}`, i * 200);
      if (i % 3) store.answer(`c${i}`, i * 200 + 25);
      else store.hangup(`c${i}`, i * 200 + 40, 'USER_BUSY');
    }
    await writeFile(join(dir, 'run.json'), JSON.stringify(store));
    await writeFile(join(dir, 'run.csv'), store.toCsv());
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it.skipIf(!uplot)('writes FILE.html next to a JSON metrics file', async () => {
    const r = await runCli(['plot', join(dir, 'run.json')]);
    expect(r).toMatchObject({ code: 0, stderr: '', stdout: `wrote ${join(dir, 'run.html')}\n` });
    const data = dataOf(await readFile(join(dir, 'run.html'), 'utf8'));
    expect(data.summary.offered).toBe(30);
    expect(data.summary.failuresByCause).toEqual({ USER_BUSY: 10 });
    expect(data.series.time).toEqual([0, 1000, 2000, 3000, 4000, 5000]);
  });

  it.skipIf(!uplot)('reads CSV with -o, --bucket-ms and --title', async () => {
    const out = join(dir, 'csv-report.html');
    const r = await runCli(['plot', join(dir, 'run.csv'), '-o', out, '--bucket-ms', '2000', '--title', 'CSV run']);
    expect(r).toMatchObject({ code: 0, stdout: `wrote ${out}\n` });
    const html = await readFile(out, 'utf8');
    expect(html).toContain('<title>CSV run</title>');
    expect(dataOf(html).series.time).toEqual([0, 2000, 4000]);
  });

  it('fails with one line and exit 1 on a missing or malformed file', async () => {
    const missing = await runCli(['plot', join(dir, 'nope.json')]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toBe(`switchyard: cannot read ${join(dir, 'nope.json')}: no such file\n`);

    await writeFile(join(dir, 'bad.json'), '{"format":"other"}');
    const bad = await runCli(['plot', join(dir, 'bad.json')]);
    expect(bad).toMatchObject({
      code: 1,
      stdout: '',
      stderr: 'switchyard: not a switchyard metrics file (format "switchyard-metrics", version 1)\n',
    });
  });

  it('rejects bad usage with commander’s message, prefixed, and exit 1', async () => {
    const r = await runCli(['plot', 'x.csv', '--bucket-ms', 'soon']);
    expect(r.code).toBe(1);
    expect(r.stderr.split('\n')[0]).toBe("switchyard: option '--bucket-ms <ms>' argument 'soon' is invalid. expected a positive number");
  });
});
