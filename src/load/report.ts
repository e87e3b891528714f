/**
 * The load-test report: one self-contained HTML file, readable offline.
 *
 * Charts are drawn by uPlot (small, fast, MIT). Its script and stylesheet are
 * read from the installed `uplot` package when a report is rendered and inlined
 * into the file, so the repository holds no copy of the library and the report
 * needs no network. The data travels as JSON in a `<script type="application/json">`
 * block with `<` escaped, so no cause string or title can end the script early.
 */

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { MetricsSeries, MetricsSummary } from './metrics.js';

export interface ReportInput {
  summary: MetricsSummary;
  series: MetricsSeries;
}

export interface ReportOptions {
  title?: string;
  /** Shown in the header; default now. */
  generatedAt?: Date;
}

/** Chart ids, in page order; the page exposes `window.switchyardCharts[id]` (the uPlot instance). */
export const REPORT_CHARTS = ['calls', 'rate', 'latency', 'failures'] as const;

interface Assets {
  js: string;
  css: string;
}

let assets: Assets | undefined;

function loadAssets(): Assets {
  if (assets) return assets;
  const require = createRequire(import.meta.url);
  try {
    assets = {
      // A `</script` inside the library would end the inline element; `<\/` means the same to JS.
      js: readFileSync(require.resolve('uplot/dist/uPlot.iife.min.js'), 'utf8').replace(/<\/(script)/gi, '<\\/$1'),
      css: readFileSync(require.resolve('uplot/dist/uPlot.min.css'), 'utf8'),
    };
  } catch (cause) {
    throw new Error('the HTML report needs the "uplot" package installed beside switchyard', { cause });
  }
  return assets;
}

export function renderReport(input: ReportInput, options: ReportOptions = {}): string {
  const { js, css } = loadAssets();
  const { summary } = input;
  const title = options.title ?? 'switchyard load test';
  const generated = (options.generatedAt ?? new Date()).toISOString();
  const data = jsonForScript({ summary, series: input.series });
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>${css}</style>
<style>${PAGE_CSS}</style>
</head>
<body>
<header><h1>${escapeHtml(title)}</h1><p class="meta">${escapeHtml(describeRun(summary))} · generated ${escapeHtml(generated)}</p></header>
${summaryTiles(summary)}
<section><h2>Calls per second and calls up</h2><div class="chart" id="chart-calls"></div></section>
<section><h2>Originate rate: achieved vs target (calls/s)</h2><div class="chart" id="chart-rate"></div></section>
<section><h2>Setup latency percentiles (ms)</h2><div class="chart" id="chart-latency"></div></section>
<section><h2>Failures by cause</h2><div class="chart" id="chart-failures"></div>${failureTable(summary)}</section>
<script id="switchyard-data" type="application/json">${data}</script>
<script>${js}</script>
<script>${PAGE_SCRIPT}</script>
</body>
</html>
`;
}

function describeRun(s: MetricsSummary): string {
  if (s.startedAt === null) return 'no calls recorded';
  return `started ${new Date(s.startedAt).toISOString()}, ran ${formatNumber(s.elapsedMs / 1000)} s`;
}

function summaryTiles(s: MetricsSummary): string {
  const l = s.setupLatencyMs;
  const tiles: [string, string][] = [
    ['offered', String(s.offered)],
    ['answered', String(s.answered)],
    ['completed', String(s.completed)],
    ['failed', String(s.failed)],
    ['lost', String(s.lost)],
    ['still up', String(s.active)],
    ['achieved rate', `${formatNumber(s.achievedRate)} /s`],
    ['target rate', s.targetRate === null ? '—' : `${formatNumber(s.targetRate)} /s`],
    ['setup p50 / p95 / p99', [l.p50, l.p95, l.p99].map(formatMs).join(' / ')],
    ['erlangs', formatNumber(s.erlangs)],
  ];
  const cells = tiles
    .map(([k, v]) => `<div class="tile"><span class="k">${escapeHtml(k)}</span><span class="v">${escapeHtml(v)}</span></div>`)
    .join('');
  return `<section class="tiles" id="summary">${cells}</section>`;
}

function failureTable(s: MetricsSummary): string {
  const rows = Object.entries(s.failuresByCause);
  if (rows.length === 0) return '<p class="none">No failed or lost calls.</p>';
  const body = rows.map(([cause, n]) => `<tr><td>${escapeHtml(cause)}</td><td>${n}</td></tr>`).join('');
  return `<table id="failures"><thead><tr><th>cause</th><th>calls</th></tr></thead><tbody>${body}</tbody></table>`;
}

function formatMs(v: number | null): string {
  return v === null ? '—' : `${formatNumber(v)} ms`;
}

function formatNumber(v: number): string {
  return Number.isInteger(v) ? String(v) : v.toFixed(2);
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** JSON safe inside a script element: `<` (and the JS line separators) become escapes. */
function jsonForScript(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

const PAGE_CSS = `
body { font: 14px/1.4 system-ui, sans-serif; margin: 24px auto; max-width: 1000px; color: #1d2430; background: #fff; }
h1 { font-size: 22px; margin: 0; } h2 { font-size: 16px; margin: 24px 0 8px; }
.meta { color: #5b6575; margin: 4px 0 16px; }
.tiles { display: grid; grid-template-columns: repeat(5, 1fr); gap: 8px; }
.tile { border: 1px solid #d8dde5; border-radius: 6px; padding: 8px; display: flex; flex-direction: column; }
.tile .k { color: #5b6575; font-size: 12px; } .tile .v { font-size: 18px; font-weight: 600; }
.chart { min-height: 40px; }
table { border-collapse: collapse; margin-top: 8px; } td, th { border-bottom: 1px solid #d8dde5; padding: 4px 12px; text-align: left; }
.none { color: #5b6575; }
`;

// Runs in the browser: plain ES2017, no imports, reads the JSON block and draws with the inlined uPlot.
const PAGE_SCRIPT = `
(function () {
  'use strict';
  var data = JSON.parse(document.getElementById('switchyard-data').textContent);
  var s = data.series;
  var t0 = s.time.length ? s.time[0] : 0;
  var x = s.time.map(function (t) { return (t - t0) / 1000; });
  var width = Math.min(1000, document.body.clientWidth || 1000);
  var charts = {};
  window.switchyardCharts = charts;

  function line(label, color, extra) {
    var o = { label: label, stroke: color, width: 2, spanGaps: false };
    for (var k in extra || {}) o[k] = extra[k];
    return o;
  }
  function timeChart(id, yLabel, series, columns) {
    var el = document.getElementById('chart-' + id);
    var opts = {
      width: width, height: 260,
      scales: { x: { time: false } },
      axes: [{ label: 'seconds since start' }, { label: yLabel }],
      series: [{ label: 'second' }].concat(series),
    };
    charts[id] = new uPlot(opts, [x].concat(columns), el);
  }

  timeChart('calls', 'calls', [
    line('offered', '#2f6fdf'), line('answered', '#1a9a5a'), line('failed', '#d23c3c'),
    line('lost', '#8e44ad'), line('active', '#e08a00', { width: 3 }),
  ], [s.offered, s.answered, s.failed, s.lost, s.active]);
  timeChart('rate', 'calls/s', [
    line('achieved', '#2f6fdf'), line('target', '#777', { dash: [6, 4] }),
  ], [s.achievedRate, s.targetRate]);
  timeChart('latency', 'ms', [
    line('p50', '#1a9a5a'), line('p95', '#e08a00'), line('p99', '#d23c3c'),
  ], [s.latencyP50, s.latencyP95, s.latencyP99]);

  var causes = Object.keys(data.summary.failuresByCause);
  if (causes.length) {
    var el = document.getElementById('chart-failures');
    charts.failures = new uPlot({
      width: width, height: 240,
      scales: { x: { time: false, range: [-0.5, causes.length - 0.5] }, y: { range: function (u, min, max) { return [0, Math.max(1, max) * 1.1]; } } },
      axes: [
        { values: function (u, splits) { return splits.map(function (v) { return causes[v] === undefined ? '' : causes[v]; }); },
          splits: function () { return causes.map(function (_, i) { return i; }); } },
        { label: 'calls' },
      ],
      series: [{ label: 'cause' }, { label: 'failures', stroke: '#d23c3c', fill: 'rgba(210,60,60,0.35)',
        paths: uPlot.paths.bars({ size: [0.6, 80] }), points: { show: false } }],
    }, [causes.map(function (_, i) { return i; }), causes.map(function (c) { return data.summary.failuresByCause[c]; })], el);
  }
  document.body.setAttribute('data-rendered', 'true');
})();
`;
