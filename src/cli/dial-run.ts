/**
 * Runs `switchyard dial`: a Pool over the hosts, an Originator feeding a
 * MetricsStore, a live view each interval, then the summary, metrics file and
 * HTML report. The first Ctrl-C stops originating, hangs up this run's calls
 * and still writes everything; a second one quits at once.
 *
 * Progress goes to stderr (redrawn in place on a terminal, one line per
 * interval otherwise) so stdout carries only the result, e.g. `--json`.
 */

import { writeFile } from 'node:fs/promises';
import { MetricsStore } from '../load/metrics.js';
import { Originator, type OriginatorApp } from '../load/originator.js';
import { renderReport } from '../load/report.js';
import { Pool } from '../pool/pool.js';
import { loadAppRef } from './app-loader.js';
import type { DialPlan } from './dial.js';
import { redrawFrame, renderLivePanel, renderProgressLine } from './live-panel.js';
import { appRef } from './serve.js';
import { openTargets } from './targets.js';

/** After Ctrl-C, how long the run waits for its calls to hang up before reporting. */
const DRAIN_TIMEOUT_MS = 10_000;
export const INTERRUPTED_EXIT_CODE = 130;

export interface DialIo {
  out: NodeJS.WritableStream;
  err: NodeJS.WritableStream & { isTTY?: boolean };
}

export async function runDial(plan: DialPlan, io: DialIo = { out: process.stdout, err: process.stderr }): Promise<number> {
  const apps = await Promise.all(
    plan.apps.map(async (a): Promise<OriginatorApp> => ({ app: await loadAppRef(appRef(a.name)), weight: a.weight })),
  );
  const targets = await openTargets(plan.hosts, plan.flags);
  const pool = new Pool(targets.list);
  const metrics = new MetricsStore({ bucketMs: 1000 });
  const stopSignals = new AbortController();
  let interrupted = false;
  const onSignal = () => {
    if (interrupted) process.exit(INTERRUPTED_EXIT_CODE);
    interrupted = true;
    stopSignals.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    await pool.connect();
    const originator = new Originator({
      pool,
      rate: plan.rate,
      limit: plan.limit,
      ...(plan.durationMs === undefined ? {} : { duration: plan.durationMs / 1000 }),
      dest: plan.dest,
      apps,
      metrics,
      tickMs: plan.intervalMs,
      ...(plan.maxOffered === undefined ? {} : { maxOffered: plan.maxOffered }),
    });
    const view = liveView(io.err);
    originator.on('tick', (stats) => view.show(metrics, stats.achievedRate));
    await originator.start();
    try {
      await originator.waitForIdle({ signal: stopSignals.signal });
    } catch (error) {
      if (!interrupted) throw error;
    }
    await originator.close({ timeout: DRAIN_TIMEOUT_MS });
    // Whatever did not end in time is reported as lost rather than left open.
    metrics.loseOpen(Date.now(), 'interrupted');
    view.finish(metrics);
    await writeResults(plan, metrics, io);
    return interrupted ? INTERRUPTED_EXIT_CODE : 0;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await pool.close();
    await targets.close();
  }
}

async function writeResults(plan: DialPlan, metrics: MetricsStore, io: DialIo): Promise<void> {
  if (plan.metricsFile !== undefined) {
    const csv = plan.metricsFile.toLowerCase().endsWith('.csv');
    await writeFile(plan.metricsFile, csv ? metrics.toCsv() : JSON.stringify(metrics));
  }
  const summary = metrics.summary();
  if (plan.report !== undefined) {
    await writeFile(plan.report, renderReport({ summary, series: metrics.series() }, { title: `switchyard dial ${plan.dest}` }));
  }
  io.out.write(plan.json ? `${JSON.stringify(summary)}\n` : `${renderLivePanel({ summary, title: 'switchyard dial: done' }).join('\n')}\n`);
}

function liveView(err: DialIo['err']) {
  let drawn = 0;
  return {
    /** The last progress line; on a terminal the panel goes, as the final summary replaces it. */
    finish(metrics: MetricsStore) {
      if (err.isTTY) err.write(redrawFrame([], drawn).replace(/\n$/, ''));
      else this.show(metrics, undefined);
    },
    show(metrics: MetricsStore, recentRate: number | undefined) {
      const input = { summary: metrics.summary(Date.now()), ...(recentRate === undefined ? {} : { recentRate }) };
      if (err.isTTY) {
        const lines = renderLivePanel(input);
        err.write(redrawFrame(lines, drawn));
        drawn = lines.length;
      } else {
        err.write(`${renderProgressLine(input)}\n`);
      }
    },
  };
}
