/**
 * What `switchyard dial` shows while it runs: pure functions from a metrics
 * summary to text, so the view is tested without a terminal.
 *
 * On a terminal the panel is redrawn in place (cursor up over the previous
 * frame, clear to the end of the screen); anywhere else one line per interval,
 * so a log file or CI output stays readable.
 */

import type { MetricsSummary } from '../load/metrics.js';

export interface LivePanelInput {
  summary: MetricsSummary;
  /** Offers per second over the last interval; the summary's rate is the run's average. */
  recentRate?: number;
  title?: string;
  /** Failure causes listed before "+N more"; default 4. */
  maxCauses?: number;
}

export function renderLivePanel(input: LivePanelInput): string[] {
  const s = input.summary;
  const l = s.setupLatencyMs;
  const target = s.targetRate === null ? '—' : `${rate(s.targetRate)}/s`;
  const recent = input.recentRate === undefined ? '' : `   last interval ${rate(input.recentRate)}/s`;
  return [
    `${input.title ?? 'switchyard dial'}   elapsed ${clock(s.elapsedMs)}`,
    `rate      target ${target}   achieved ${rate(s.achievedRate)}/s${recent}`,
    `calls     active ${s.active}   offered ${s.offered}   answered ${s.answered}   failed ${s.failed}   lost ${s.lost}`,
    `setup     p50 ${ms(l.p50)}   p95 ${ms(l.p95)}   p99 ${ms(l.p99)}`,
    `failures  ${causes(s.failuresByCause, input.maxCauses ?? 4)}`,
  ];
}

/** One line per interval for pipes and logs. */
export function renderProgressLine(input: LivePanelInput): string {
  const s = input.summary;
  const l = s.setupLatencyMs;
  const target = s.targetRate === null ? '' : `/${rate(s.targetRate)}`;
  const recent = input.recentRate === undefined ? rate(s.achievedRate) : rate(input.recentRate);
  return (
    `t=${Math.floor(s.elapsedMs / 1000)}s rate=${recent}${target} active=${s.active} offered=${s.offered} ` +
    `answered=${s.answered} failed=${s.failed} lost=${s.lost} p50=${ms(l.p50, '')} p95=${ms(l.p95, '')} p99=${ms(l.p99, '')}`
  );
}

/**
 * The bytes that replace the previous frame (of `previousLines` lines) with
 * `lines`: CSI n F moves to the start of the line n lines up, CSI J clears below.
 */
export function redrawFrame(lines: readonly string[], previousLines: number): string {
  const up = previousLines > 0 ? `\x1b[${previousLines}F` : '';
  return `${up}\x1b[J${lines.join('\n')}\n`;
}

function causes(byCause: Record<string, number>, max: number): string {
  const entries = Object.entries(byCause);
  if (entries.length === 0) return 'none';
  const shown = entries.slice(0, max).map(([cause, n]) => `${cause} ${n}`);
  const rest = entries.length - max;
  return shown.join(' · ') + (rest > 0 ? ` · +${rest} more` : '');
}

function clock(ms: number): string {
  const total = Math.floor(ms / 1000);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${two(Math.floor(total / 3600))}:${two(Math.floor(total / 60) % 60)}:${two(total % 60)}`;
}

function rate(v: number): string {
  return v.toFixed(1);
}

function ms(v: number | null, unit = ' ms'): string {
  if (v === null) return '—';
  return `${Number.isInteger(v) ? v : v.toFixed(1)}${unit}`;
}
