/**
 * The core's scheduled heartbeat (switch_core.c send_heartbeat, run by
 * switch_scheduler.c every 20 s): a HEARTBEAT event with the session counters,
 * then RE_SCHEDULE for the task's next run. Every 60 s the `check_ip` task
 * re-schedules too, as in the recording.
 */
import { formatUptime, nowMicros } from './clock.js';
import type { SimCore } from './core.js';
import type { EventOrigin } from './event.js';

const HEARTBEAT_ORIGIN: EventOrigin = { file: 'switch_core.c', func: 'send_heartbeat', line: 95 };
const SCHEDULER_ORIGIN: EventOrigin = { file: 'switch_scheduler.c', func: 'switch_scheduler_execute', line: 73 };

export function fireHeartbeat(core: SimCore, intervalMs: number, beat: number): void {
  const up = nowMicros() - core.startedAt;
  const s = core.stats;
  const hb = core.createEvent('HEARTBEAT', HEARTBEAT_ORIGIN);
  hb.headers.push(
    ['Event-Info', 'System Ready'],
    ['Up-Time', formatUptime(up)],
    ['FreeSWITCH-Version', core.identity.version],
    ['Uptime-msec', String(Math.floor(up / 1000))],
    ['Session-Count', String(core.channels.size)],
    ['Max-Sessions', String(core.limits.maxSessions)],
    ['Session-Per-Sec', String(core.limits.sessionsPerSecond)],
    ['Session-Per-Sec-Last', String(s.perSecondLast)],
    ['Session-Per-Sec-Max', String(s.perSecondMax)],
    ['Session-Per-Sec-FiveMin', String(s.perSecondMax)],
    ['Session-Since-Startup', String(s.sinceStartup)],
    ['Session-Peak-Max', String(s.peak)],
    ['Session-Peak-FiveMin', String(s.peakFiveMin)],
    ['Idle-CPU', core.idleCpu.toFixed(6)],
  );
  core.fire(hb);
  const nextRun = (ms: number): string => String(Math.floor(Date.now() / 1000 + ms / 1000));
  fireReschedule(core, '1', 'heartbeat', nextRun(intervalMs));
  if (beat % 3 === 0) fireReschedule(core, '2', 'check_ip', nextRun(3 * intervalMs));
}

function fireReschedule(core: SimCore, id: string, desc: string, runtime: string): void {
  const ev = core.createEvent('RE_SCHEDULE', SCHEDULER_ORIGIN);
  ev.headers.push(['Task-ID', id], ['Task-Desc', desc], ['Task-Group', 'core'], ['Task-Runtime', runtime]);
  core.fire(ev);
}

/** Starts the heartbeat; returns a function that stops it. */
export function startHeartbeat(core: SimCore, intervalMs: number): () => void {
  let beat = 0;
  const timer = setInterval(() => fireHeartbeat(core, intervalMs, ++beat), intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
