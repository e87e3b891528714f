import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { LivenessMonitor } from '../../../src/connection/liveness.js';

describe('LivenessMonitor', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  function monitor(timeoutMs = 60_000, probeAfterMs?: number) {
    const probes: number[] = [];
    const silences: number[] = [];
    const start = Date.now();
    const m = new LivenessMonitor({
      timeoutMs,
      ...(probeAfterMs === undefined ? {} : { probeAfterMs }),
      onProbe: () => probes.push(Date.now() - start),
      onSilence: (ms) => silences.push(ms),
    });
    return { m, probes, silences, start };
  }

  it('probes at half the timeout and declares silence at the timeout', () => {
    const { m, probes, silences } = monitor();
    m.start();
    vi.advanceTimersByTime(29_999);
    expect(probes).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(probes).toEqual([30_000]);
    vi.advanceTimersByTime(29_999);
    expect(silences).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(silences).toEqual([60_000]);
    expect(m.running).toBe(false);
  });

  it('stays quiet while bytes keep arriving', () => {
    const { m, probes, silences } = monitor(1000);
    m.start();
    for (let i = 0; i < 20; i++) {
      vi.advanceTimersByTime(400);
      m.touch();
    }
    expect(probes).toEqual([]);
    expect(silences).toEqual([]);
    expect(m.running).toBe(true);
  });

  it('measures silence from the last byte, not from the last timer', () => {
    const { m, probes, silences } = monitor(1000);
    m.start();
    vi.advanceTimersByTime(300);
    m.touch(); // last byte at 300
    vi.advanceTimersByTime(499); // 799: the 500 ms timer re-armed for 800
    expect(probes).toEqual([]);
    vi.advanceTimersByTime(1); // 800 = 300 + 500
    expect(probes).toEqual([800]);
    vi.advanceTimersByTime(499);
    expect(silences).toEqual([]);
    vi.advanceTimersByTime(1); // 1300 = 300 + 1000
    expect(silences).toEqual([1000]);
  });

  it('probes again after an answered probe goes quiet again', () => {
    const { m, probes, silences } = monitor(1000);
    m.start();
    vi.advanceTimersByTime(500);
    expect(probes).toEqual([500]);
    vi.advanceTimersByTime(10);
    m.touch(); // the probe's reply at 510
    vi.advanceTimersByTime(500); // 1010 = 510 + 500
    expect(probes).toEqual([500, 1010]);
    expect(silences).toEqual([]);
  });

  it('honours a custom probe delay and stops on stop()', () => {
    const { m, probes, silences } = monitor(1000, 900);
    m.start();
    vi.advanceTimersByTime(899);
    expect(probes).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(probes).toEqual([900]);
    m.stop();
    vi.advanceTimersByTime(10_000);
    expect(silences).toEqual([]);
  });
});
