/**
 * mod_bert's `bert_test` application (mod_bert.c bert_test_function), loaded
 * only when the simulator is started with `modules: { bert: true }`.
 *
 * The real application answers, refuses any codec but PCMU, sends the ulaw
 * digital milliwatt and measures, per window (bert_window_ms, default 1000),
 * the share of received samples that break the pattern. Here the pattern is
 * received when the other leg runs bert_test or echo; a window is lost
 * outright when `sim_bert_lose` (a channel variable, also set by the
 * `sim_bert_lose <uuid> [windows]` api) is above zero. The CUSTOM events and
 * variables are mod_bert's: mod_bert::in_sync, mod_bert::lost_sync
 * (sync_lost_percent, sync_lost_count, cng_count, err_samples),
 * mod_bert::timeout, bert_stats_sync_lost[_count]; bert_hangup_on_error
 * hangs up with MEDIA_TIMEOUT.
 */
import type { SimChannel } from './channel.js';
import { appendBasicChannelData } from './channel-data.js';
import { LogLevel } from './core.js';
import type { EventOrigin } from './event.js';
import { drainPrivate } from './session.js';

export const BERT_IN_SYNC = 'mod_bert::in_sync';
export const BERT_LOST_SYNC = 'mod_bert::lost_sync';
export const BERT_TIMEOUT = 'mod_bert::timeout';
/** The channel variable a test sets to lose that many windows. */
export const BERT_LOSE_VAR = 'sim_bert_lose';

const IN_SYNC_ORIGIN: EventOrigin = { file: 'mod_bert.c', func: 'bert_test_function', line: 344 };
const LOST_SYNC_ORIGIN: EventOrigin = { file: 'mod_bert.c', func: 'bert_test_function', line: 325 };
const TIMEOUT_ORIGIN: EventOrigin = { file: 'mod_bert.c', func: 'bert_test_function', line: 272 };
const DEFAULT_WINDOW_MS = 1000;
const DEFAULT_MAX_ERR = 10;
const DEFAULT_TIMEOUT_MS = 10_000;
const SAMPLES_PER_MS = 8;

/** A positive integer channel variable (atoi, > 0), else the default. */
function positive(ch: SimChannel, name: string, fallback: number): number {
  const n = Number.parseInt(ch.getVar(name) ?? '', 10);
  return Number.isFinite(n) && n > 0 ? n : fallback;
}

/** switch_channel_event_set_basic_data: the channel and caller blocks, no variables. */
function fireBert(ch: SimChannel, subclass: string, origin: EventOrigin, extra: Array<[string, string]> = []): void {
  const event = ch.core.createEvent('CUSTOM', origin, subclass);
  appendBasicChannelData(event.headers, ch);
  event.headers.push(...extra);
  ch.core.fire(event);
}

/** Whether the other end sends our pattern back: it runs bert_test itself, or echoes ours. */
function patternReceived(ch: SimChannel): boolean {
  const other = ch.bridgedTo ?? ch.peer;
  return other !== undefined && !other.hungup && other.appStack.some((a) => a.name === 'bert_test' || a.name === 'echo');
}

/** Takes one window from `sim_bert_lose`, returning whether this window is lost. */
function takeLoss(ch: SimChannel): boolean {
  const left = Number.parseInt(ch.getVar(BERT_LOSE_VAR) ?? '', 10);
  if (!Number.isFinite(left) || left <= 0) return false;
  if (left === 1) ch.unsetVar(BERT_LOSE_VAR);
  else ch.setVar(BERT_LOSE_VAR, String(left - 1));
  return true;
}

/** Waits until `until`, running sendmsg commands meanwhile (switch_ivr_parse_all_events); false when the app must end. */
async function waitUntil(ch: SimChannel, until: number): Promise<boolean> {
  while (!ch.hungup && ch.divert === undefined && Date.now() < until) {
    if (ch.privateQueue.length > 0) {
      await drainPrivate(ch);
      continue;
    }
    await ch.sleep(until - Date.now());
  }
  return !ch.hungup && ch.divert === undefined;
}

export async function bertTestApp(ch: SimChannel): Promise<void> {
  if (ch.hooks.answer) ch.hooks.answer(ch);
  else ch.markAnswered();
  if (ch.hungup) return;
  if (ch.readCodec?.name !== 'PCMU') {
    ch.core.log(LogLevel.ERR, TIMEOUT_ORIGIN, 'This application only works when using ulaw codec', ch.uuid);
    return;
  }
  const windowMs = positive(ch, 'bert_window_ms', DEFAULT_WINDOW_MS);
  const timeoutMs = positive(ch, 'bert_timeout_ms', DEFAULT_TIMEOUT_MS);
  const maxErr = positive(ch, 'bert_max_err', DEFAULT_MAX_ERR);
  const hangupOnError = /^(true|yes|on|1|enabled|active|allow)$/i.test(ch.getVar('bert_hangup_on_error') ?? '');
  ch.setVar('bert_stats_sync_lost_count', '0');
  ch.setVar('bert_stats_sync_lost', 'false');
  const windowSamples = windowMs * SAMPLES_PER_MS;
  let timeoutAt: number | undefined = Date.now() + timeoutMs;
  let inSync = false;
  let lostCount = 0;
  let windowEnd = Date.now() + windowMs;
  for (;;) {
    if (!(await waitUntil(ch, timeoutAt !== undefined ? Math.min(windowEnd, timeoutAt) : windowEnd))) return;
    if (timeoutAt !== undefined && Date.now() >= timeoutAt) {
      timeoutAt = undefined;
      ch.core.log(LogLevel.WARNING, TIMEOUT_ORIGIN, `BERT Timeout (session=${ch.uuid})`, ch.uuid);
      fireBert(ch, BERT_TIMEOUT, TIMEOUT_ORIGIN);
      if (hangupOnError) {
        ch.hangup('MEDIA_TIMEOUT', TIMEOUT_ORIGIN);
        return;
      }
      continue;
    }
    windowEnd += windowMs;
    const errSamples = takeLoss(ch) || !patternReceived(ch) ? windowSamples : 0;
    const err = (errSamples / windowSamples) * 100;
    if (err > maxErr) {
      if (!inSync) continue;
      inSync = false;
      lostCount++;
      ch.setVar('bert_stats_sync_lost_count', String(lostCount));
      ch.setVar('bert_stats_sync_lost', 'true');
      fireBert(ch, BERT_LOST_SYNC, LOST_SYNC_ORIGIN, [
        ['sync_lost_percent', err.toFixed(6)],
        ['sync_lost_count', String(lostCount)],
        ['cng_count', '0'],
        ['err_samples', String(errSamples)],
      ]);
      if (hangupOnError) {
        ch.hangup('MEDIA_TIMEOUT', LOST_SYNC_ORIGIN);
        return;
      }
    } else if (!inSync) {
      inSync = true;
      timeoutAt = undefined;
      ch.core.log(LogLevel.INFO, IN_SYNC_ORIGIN, 'BERT Sync Success', ch.uuid);
      fireBert(ch, BERT_IN_SYNC, IN_SYNC_ORIGIN);
    }
  }
}
