import { describe, expect, it } from 'vitest';
import { redrawFrame, renderLivePanel, renderProgressLine } from '../../../src/cli/live-panel.js';
import { MetricsStore } from '../../../src/load/metrics.js';

const T0 = 1_700_000_000_000;

function summary() {
  const m = new MetricsStore({ startedAt: T0, targetRate: 20 });
  const causes = ['USER_BUSY', 'USER_BUSY', 'NO_ANSWER', 'CALL_REJECTED', 'UNALLOCATED_NUMBER', 'NO_ROUTE_DESTINATION'];
  for (let i = 0; i < 10; i++) {
    m.offer(`c${i}`, T0 + i * 100);
    if (i < causes.length) m.hangup(`c${i}`, T0 + i * 100 + 5, causes[i]!);
    else m.answer(`c${i}`, T0 + i * 100 + 10 * (i - 5));
  }
  return m.summary(T0 + 3_725_500);
}

describe('live panel', () => {
  it('renders the panel lines exactly', () => {
    expect(renderLivePanel({ summary: summary(), recentRate: 0 })).toEqual([
      'switchyard dial   elapsed 01:02:05',
      'rate      target 20.0/s   achieved 10.0/s   last interval 0.0/s',
      'calls     active 4   offered 10   answered 4   failed 6   lost 0',
      'setup     p50 20 ms   p95 40 ms   p99 40 ms',
      'failures  USER_BUSY 2 · NO_ANSWER 1 · CALL_REJECTED 1 · UNALLOCATED_NUMBER 1 · +1 more',
    ]);
  });

  it('shows dashes and "none" before anything happened', () => {
    const lines = renderLivePanel({ summary: new MetricsStore().summary(), title: 'warm-up' });
    expect(lines).toEqual([
      'warm-up   elapsed 00:00:00',
      'rate      target —   achieved 0.0/s',
      'calls     active 0   offered 0   answered 0   failed 0   lost 0',
      'setup     p50 —   p95 —   p99 —',
      'failures  none',
    ]);
  });

  it('renders one progress line for non-terminals', () => {
    expect(renderProgressLine({ summary: summary(), recentRate: 12.25 })).toBe(
      't=3725s rate=12.3/20.0 active=4 offered=10 answered=4 failed=6 lost=0 p50=20 p95=40 p99=40',
    );
  });

  it('redraws in place over the previous frame', () => {
    expect(redrawFrame(['a', 'b'], 0)).toBe('\x1b[Ja\nb\n');
    expect(redrawFrame(['c'], 2)).toBe('\x1b[2F\x1b[Jc\n');
  });
});
