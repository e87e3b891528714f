import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { MetricsStore } from '../../../src/load/metrics.js';
import { renderReport } from '../../../src/load/report.js';

const T0 = 1_700_000_000_000;
const uplotInstalled = (() => {
  try {
    createRequire(import.meta.url).resolve('uplot/dist/uPlot.iife.min.js');
    return true;
  } catch {
    return false;
  }
})();
if (!uplotInstalled) console.warn('report tests skipped: the "uplot" package is not installed');

function dataBlock(html: string): unknown {
  const m = /<script id="switchyard-data" type="application\/json">(.*?)<\/script>/s.exec(html);
  if (!m) throw new Error('no data block');
  return JSON.parse(m[1]!);
}

describe.skipIf(!uplotInstalled)('renderReport', () => {
  it('inlines uPlot and the data, with no external references', () => {
    const m = new MetricsStore({ startedAt: T0, targetRate: 2 });
    m.offer('a', T0);
    m.answer('a', T0 + 30);
    m.hangup('a', T0 + 1500, 'NORMAL_CLEARING');
    const input = { summary: m.summary(), series: m.series() };
    const html = renderReport(input, { generatedAt: new Date(T0), title: 'Run 1' });
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html).toContain('<title>Run 1</title>');
    expect(html).toContain('generated 2023-11-14T22:13:20.000Z');
    expect(html).toContain('var uPlot');
    expect(html).not.toMatch(/<(script|link|img)[^>]+(src|href)=/);
    expect(dataBlock(html)).toEqual(JSON.parse(JSON.stringify(input)));
    expect(html).toContain('<span class="k">setup p50 / p95 / p99</span><span class="v">30 ms / 30 ms / 30 ms</span>');
    expect(html).toContain('No failed or lost calls.');
  });

  it('escapes causes and titles so they cannot inject markup or end the data script', () => {
    const m = new MetricsStore();
    const evil = '</script><script>alert(1)</script>&"';
    m.offer('a', T0);
    m.fail('a', T0 + 1, evil);
    const html = renderReport({ summary: m.summary(), series: m.series() }, { title: '<b>x</b>' });
    expect(html).toContain('<title>&#60;b&#62;x&#60;/b&#62;</title>');
    expect(html).toContain('<td>&#60;/script&#62;&#60;script&#62;alert(1)&#60;/script&#62;&#38;&#34;</td><td>1</td>');
    expect(html).not.toContain('alert(1)</script>');
    expect((dataBlock(html) as { summary: { failuresByCause: Record<string, number> } }).summary.failuresByCause).toEqual({
      [evil]: 1,
    });
  });

  it('renders an empty run', () => {
    const m = new MetricsStore();
    const html = renderReport({ summary: m.summary(), series: m.series() });
    expect(html).toContain('no calls recorded');
    expect(html).toContain('<span class="k">target rate</span><span class="v">—</span>');
  });
});
