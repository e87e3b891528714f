/**
 * Time as FreeSWITCH writes it in events (switch_event.c
 * switch_event_prep_for_delivery_detailed): `Event-Date-Timestamp` in
 * microseconds since the epoch, `Event-Date-Local` as `YYYY-MM-DD HH:MM:SS` in
 * local time, `Event-Date-GMT` in RFC 1123 form. Channel timestamps
 * (`Caller-Channel-*-Time`, `variable_*_uepoch`) are microseconds too.
 */

const origin = performance.timeOrigin;

/** Microseconds since the epoch, from a monotonic source so it never goes back. */
export function nowMicros(): number {
  return Math.floor((origin + performance.now()) * 1000);
}

const pad2 = (n: number): string => (n < 10 ? `0${n}` : String(n));

/** `2026-11-23 22:23:30`, local time (switch_strftime_nocheck "%Y-%m-%d %T"). */
export function formatLocal(micros: number): string {
  const d = new Date(Math.floor(micros / 1000));
  return `${d.getFullYear()}-${pad2(d.getMonth() + 1)}-${pad2(d.getDate())} ${pad2(d.getHours())}:${pad2(d.getMinutes())}:${pad2(d.getSeconds())}`;
}

/** `Mon, 23 Nov 2026 22:23:30 GMT` (switch_rfc822_date). */
export function formatGmt(micros: number): string {
  return new Date(Math.floor(micros / 1000)).toUTCString();
}

/** `2026-11-23 22:23:33.503911`, the prefix of a log line (switch_log.c). */
export function formatLogStamp(micros: number): string {
  const frac = String(micros % 1_000_000).padStart(6, '0');
  return `${formatLocal(micros)}.${frac}`;
}

/**
 * `0 years, 0 days, 0 hours, 12 minutes, 42 seconds, 264 milliseconds, 659
 * microseconds` (mod_commands.c status_function, switch_core.c send_heartbeat).
 */
export function formatUptime(micros: number): string {
  let rest = Math.max(0, Math.floor(micros));
  const us = rest % 1000;
  rest = Math.floor(rest / 1000);
  const ms = rest % 1000;
  rest = Math.floor(rest / 1000);
  const sec = rest % 60;
  rest = Math.floor(rest / 60);
  const min = rest % 60;
  rest = Math.floor(rest / 60);
  const hours = rest % 24;
  rest = Math.floor(rest / 24);
  const days = rest % 365;
  const years = Math.floor(rest / 365);
  return `${years} year${years === 1 ? '' : 's'}, ${days} day${days === 1 ? '' : 's'}, ${hours} hour${hours === 1 ? '' : 's'}, ${min} minute${min === 1 ? '' : 's'}, ${sec} second${sec === 1 ? '' : 's'}, ${ms} millisecond${ms === 1 ? '' : 's'}, ${us} microsecond${us === 1 ? '' : 's'}`;
}
