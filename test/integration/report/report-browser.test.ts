import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MetricsStore } from '../../../src/load/metrics.js';
import { REPORT_CHARTS, renderReport } from '../../../src/load/report.js';

// Debian's chromium driven by playwright-core: no browser download in CI.
const CHROMIUM = '/usr/bin/chromium';
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

// The slice of playwright-core's API used here, so the project type-checks without its types or the DOM lib.
interface Page {
  on(event: 'pageerror', fn: (e: Error) => void): void;
  on(event: 'console', fn: (m: { type(): string; text(): string }) => void): void;
  on(event: 'request', fn: (r: { url(): string }) => void): void;
  goto(url: string): Promise<unknown>;
  waitForSelector(selector: string): Promise<unknown>;
  evaluate<T>(expression: string): Promise<T>;
  screenshot(options: { path: string; fullPage: boolean }): Promise<unknown>;
  close(): Promise<void>;
}
interface Browser {
  newPage(options: { viewport: { width: number; height: number } }): Promise<Page>;
  close(): Promise<void>;
}
interface Playwright {
  chromium: { launch(options: { executablePath: string; args: string[] }): Promise<Browser> };
}
interface ChartInfo {
  id: string;
  labels: string[];
  points: number[];
  last: (number | null)[];
  canvas: [boolean, boolean] | null;
}
const require = createRequire(import.meta.url);
function load(): { pw?: Playwright; why?: string } {
  if (!existsSync(CHROMIUM)) return { why: `${CHROMIUM} is absent (apt-get install chromium)` };
  try {
    require.resolve('uplot/dist/uPlot.iife.min.js');
    return { pw: require('playwright-core') as Playwright };
  } catch (err) {
    return { why: `a package is missing: ${(err as Error).message.split('\n')[0]}` };
  }
}
const { pw, why } = load();
if (why) console.warn(`report rendering test skipped: ${why}`);

const T0 = 1_700_000_000_000;

/** 20 s at 10 calls/s: every 7th busy, every 11th unanswered, the rest up for 3 s; those still up at 21 s lost. */
function run(): MetricsStore {
  const m = new MetricsStore({ startedAt: T0, targetRate: 10 });
  const events: [number, () => void][] = [];
  for (let i = 0; i < 200; i++) {
    const id = `call-${i}`;
    const at = T0 + i * 100;
    events.push([at, () => m.offer(id, at, { host: i % 2 ? 'fs1' : 'fs2' })]);
    if (i % 7 === 0) events.push([at + 50, () => m.hangup(id, at + 50, 'USER_BUSY')]);
    else if (i % 11 === 0) events.push([at + 900, () => m.hangup(id, at + 900, 'NO_ANSWER')]);
    else {
      events.push([at + 20 + (i % 40), () => m.answer(id, at + 20 + (i % 40))]);
      events.push([at + 3000, () => m.hangup(id, at + 3000, 'NORMAL_CLEARING')]);
    }
  }
  // A stable sort keeps each call's offer before its answer when they share a millisecond.
  for (const [t, apply] of events.sort((x, y) => x[0] - y[0])) if (t <= T0 + 21_000) apply();
  m.loseOpen(T0 + 21_000, 'disconnected');
  return m;
}

describe.skipIf(!pw)('HTML report in headless Chromium', () => {
  let dir: string;
  let browser: Browser;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'switchyard-report-'));
    browser = await pw!.chromium.launch({ executablePath: CHROMIUM, args: ARGS });
  });
  afterAll(async () => {
    await browser?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('draws every chart with the right series and point counts, offline, without errors', async () => {
    const m = run();
    const summary = m.summary();
    const series = m.series();
    const file = join(dir, 'report.html');
    await writeFile(file, renderReport({ summary, series }, { title: 'browser test' }));

    const page = await browser.newPage({ viewport: { width: 1100, height: 1800 } });
    const errors: string[] = [];
    const requests: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (msg) => msg.type() === 'error' && errors.push(msg.text()));
    page.on('request', (r) => requests.push(r.url()));
    await page.goto(pathToFileURL(file).href);
    await page.waitForSelector('body[data-rendered="true"]');

    // Runs in the page: read each uPlot instance the report exposes.
    const charts = await page.evaluate<ChartInfo[]>(`${JSON.stringify(REPORT_CHARTS)}.map(function (id) {
      var u = window.switchyardCharts[id];
      var canvas = document.querySelector('#chart-' + id + ' canvas');
      return {
        id: id,
        labels: u.series.slice(1).map(function (s) { return s.label; }),
        points: u.data.map(function (d) { return d.length; }),
        last: u.data.map(function (d) { return d[d.length - 1]; }),
        canvas: canvas ? [canvas.width > 0, canvas.height > 0] : null,
      };
    })`);

    const n = series.time.length;
    expect(n).toBe(22);
    expect(charts).toEqual([
      {
        id: 'calls',
        labels: ['offered', 'answered', 'failed', 'lost', 'active'],
        points: [n, n, n, n, n, n],
        last: [21, 0, 0, 0, 14, 0],
        canvas: [true, true],
      },
      { id: 'rate', labels: ['achieved', 'target'], points: [n, n, n], last: [21, 0, 10], canvas: [true, true] },
      { id: 'latency', labels: ['p50', 'p95', 'p99'], points: [n, n, n, n], last: [21, null, null, null], canvas: [true, true] },
      {
        id: 'failures',
        labels: ['failures'],
        points: [3, 3],
        last: [2, 14],
        canvas: [true, true],
      },
    ]);
    // multiples of 7 below 200: 29; of 11 but not 7: 16; answered calls offered after 18 s: 14.
    expect(summary.failuresByCause).toEqual({ USER_BUSY: 29, NO_ANSWER: 16, disconnected: 14 });
    // uPlot draws tick labels on the canvas; ask the axis for the labels it drew.
    const ticks = await page.evaluate<string[]>('window.switchyardCharts.failures.axes[0]._values');
    expect(ticks).toEqual(['USER_BUSY', 'NO_ANSWER', 'disconnected']);
    expect(errors).toEqual([]);
    expect(requests.every((u) => u.startsWith('file:') || u.startsWith('data:'))).toBe(true);

    const shot = join(tmpdir(), 'switchyard-report.png');
    await page.screenshot({ path: shot, fullPage: true });
    console.info(`report screenshot: ${shot}`);
    await page.close();
  });
});
