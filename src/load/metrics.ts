/**
 * MetricsStore: what a load test measured, per call and over time.
 *
 * Per-call rows live in columns (typed arrays that double when full) and every
 * string but the call id is interned, so a million calls cost a few tens of
 * bytes each and no object per call. Per-bucket counters are updated as events
 * arrive, so a live view reads them without scanning the rows.
 *
 * Setup-latency percentiles are EXACT (nearest rank over every answered call),
 * not a histogram estimate: latencies are kept in a column and a sorted copy is
 * extended by merging only the values added since the last query, so polling a
 * live view once a second is linear, not n log n.
 *
 * The app-level CallMetrics (apps/) feeds this store from channel events; the
 * store itself knows nothing of ESL.
 */

import { InvalidArgumentError } from '../errors.js';
import { metricsFromCsv, metricsFromJson, metricsToCsv } from './metrics-io.js';

export type CallOutcome = 'completed' | 'failed' | 'lost';

export interface MetricsStoreOptions {
  /** Width of a series bucket; default 1000 ms. */
  bucketMs?: number;
  /** Time zero of the series (ms since epoch); default the first offer. */
  startedAt?: number;
  /** Target originate rate (calls/s) in effect from the start. */
  targetRate?: number;
  /** Hangup causes that make an answered call `completed`; default NORMAL_CLEARING. */
  completedCauses?: readonly string[];
}

export interface OfferInfo {
  host?: string;
  app?: string;
}

export interface CallRow {
  id: string;
  host: string;
  app: string;
  offeredAt: number;
  answeredAt: number | undefined;
  hungupAt: number | undefined;
  setupMs: number | undefined;
  /** undefined while the call is still up. */
  outcome: CallOutcome | undefined;
  cause: string;
  reason: string;
}

export interface LatencyStats {
  count: number;
  min: number | null;
  max: number | null;
  mean: number | null;
  p50: number | null;
  p95: number | null;
  p99: number | null;
}

export interface MetricsSummary {
  startedAt: number | null;
  elapsedMs: number;
  offered: number;
  answered: number;
  completed: number;
  failed: number;
  lost: number;
  active: number;
  /**
   * Originates per second over the originating period (first to last offer),
   * the figure to hold against the target: the hold time of the last calls
   * does not dilute it. With fewer than two offers, offered / elapsed seconds.
   */
  achievedRate: number;
  targetRate: number | null;
  setupLatencyMs: LatencyStats;
  /** failed and lost calls by reason, most frequent first. */
  failuresByCause: Record<string, number>;
  /** Carried traffic: answered call-seconds / elapsed seconds. */
  erlangs: number;
}

export interface MetricsSeries {
  bucketMs: number;
  /** Start of each bucket, ms since epoch. */
  time: number[];
  offered: number[];
  answered: number[];
  failed: number[];
  lost: number[];
  /** Calls offered and not yet ended at the end of the bucket. */
  active: number[];
  /** Offers in the bucket, per second. */
  achievedRate: number[];
  targetRate: (number | null)[];
  /** Setup-latency percentiles of the calls answered in the bucket. */
  latencyP50: (number | null)[];
  latencyP95: (number | null)[];
  latencyP99: (number | null)[];
}

export interface MetricsJson {
  format: 'switchyard-metrics';
  version: 1;
  bucketMs: number;
  startedAt: number | null;
  completedCauses: string[];
  /** [time, rate] steps of the target rate. */
  targets: [number, number][];
  strings: string[];
  calls: {
    id: string[];
    host: number[];
    app: number[];
    offeredAt: number[];
    answeredAt: (number | null)[];
    hungupAt: (number | null)[];
    /** 0 while up, then 1 completed, 2 failed, 3 lost. */
    outcome: number[];
    cause: number[];
    reason: number[];
  };
  /** Derived, for readers that do not load the store; ignored by fromJSON. */
  summary?: MetricsSummary;
  series?: MetricsSeries;
}

/** Outcome codes as stored in the outcome column (0 = still open). */
export const OUTCOMES: readonly (CallOutcome | undefined)[] = [undefined, 'completed', 'failed', 'lost'];
const OPEN = 0;
const COMPLETED = 1;
const FAILED = 2;
const LOST = 3;

/** A growable per-bucket counter. */
class Buckets {
  data = new Uint32Array(64);
  length = 0;
  add(i: number): void {
    if (i >= this.data.length) {
      const next = new Uint32Array(Math.max(this.data.length * 2, i + 1));
      next.set(this.data);
      this.data = next;
    }
    this.data[i]! += 1;
    if (i >= this.length) this.length = i + 1;
  }
  at(i: number): number {
    return i < this.length ? this.data[i]! : 0;
  }
}

export class MetricsStore {
  readonly bucketMs: number;
  private readonly completedCauses: Set<string>;
  private origin: number | undefined;
  private targets: [number, number][] = [];
  private lastAt = Number.NEGATIVE_INFINITY;
  /** The first and last offer times: the originating period the achieved rate is measured over. */
  private firstOffer = Number.POSITIVE_INFINITY;
  private lastOffer = Number.NEGATIVE_INFINITY;

  private readonly strings: string[] = [''];
  private readonly stringIndex = new Map<string, number>([['', 0]]);

  private count = 0;
  private ids: string[] = [];
  private host = new Uint32Array(1024);
  private app = new Uint32Array(1024);
  private offeredAt = new Float64Array(1024);
  private answeredAt = new Float64Array(1024);
  private hungupAt = new Float64Array(1024);
  private outcome = new Uint8Array(1024);
  private cause = new Uint32Array(1024);
  private reason = new Uint32Array(1024);
  /** Row of each call still up; bounded by the calls in flight, not the total. */
  private readonly open = new Map<string, number>();

  private latencies = new Float64Array(1024);
  private latencyCount = 0;
  private latencySum = 0;
  private sorted: Float64Array = new Float64Array(0);

  private readonly offeredB = new Buckets();
  private readonly answeredB = new Buckets();
  private readonly failedB = new Buckets();
  private readonly lostB = new Buckets();
  private readonly endedB = new Buckets();
  private readonly failures = new Map<string, number>();
  private totals = [0, 0, 0, 0];
  private endedAnsweredMs = 0;

  constructor(options: MetricsStoreOptions = {}) {
    const bucketMs = options.bucketMs ?? 1000;
    if (!(Number.isFinite(bucketMs) && bucketMs > 0)) {
      throw new InvalidArgumentError(`bucketMs must be a positive number, got ${bucketMs}`);
    }
    this.bucketMs = bucketMs;
    this.completedCauses = new Set(options.completedCauses ?? ['NORMAL_CLEARING']);
    if (options.startedAt !== undefined) this.origin = checkTime(options.startedAt, 'startedAt');
    if (options.targetRate !== undefined) this.setTargetRate(options.targetRate, options.startedAt ?? 0);
  }

  /** A call was originated. `id` must not be a call still up. */
  offer(id: string, at: number, info: OfferInfo = {}): void {
    checkTime(at, 'offer time');
    if (this.open.has(id)) throw new InvalidArgumentError(`call ${id} was offered twice`);
    this.origin ??= at;
    const row = this.appendRow(id, at, this.intern(info.host ?? ''), this.intern(info.app ?? ''));
    this.open.set(id, row);
    this.offeredB.add(this.bucketOf(at));
    this.seenOffer(at);
    this.seen(at);
  }

  /** The call answered. Returns false for a call that is not up (or answered already). */
  answer(id: string, at: number): boolean {
    checkTime(at, 'answer time');
    const row = this.open.get(id);
    if (row === undefined || !Number.isNaN(this.answeredAt[row]!)) return false;
    this.markAnswered(row, at);
    this.seen(at);
    return true;
  }

  /**
   * The call hung up. Answered with a completed cause -> completed; otherwise
   * failed, with the cause as the reason.
   */
  hangup(id: string, at: number, cause: string): boolean {
    const row = this.takeOpen(id, at, 'hangup time');
    if (row === undefined) return false;
    const answered = !Number.isNaN(this.answeredAt[row]!);
    const outcome = answered && this.completedCauses.has(cause) ? COMPLETED : FAILED;
    this.markEnded(row, at, outcome, cause, outcome === COMPLETED ? '' : cause);
    return true;
  }

  /** The originate failed before any channel hung up (e.g. a -ERR job result). */
  fail(id: string, at: number, reason: string, cause = ''): boolean {
    const row = this.takeOpen(id, at, 'failure time');
    if (row === undefined) return false;
    this.markEnded(row, at, FAILED, cause, reason);
    return true;
  }

  /** We lost track of the call (e.g. the connection dropped); its end is unknown. */
  lose(id: string, at: number, reason: string): boolean {
    const row = this.takeOpen(id, at, 'loss time');
    if (row === undefined) return false;
    this.markEnded(row, at, LOST, '', reason);
    return true;
  }

  /** Marks every call still up as lost; returns how many. */
  loseOpen(at: number, reason: string): number {
    const ids = [...this.open.keys()];
    for (const id of ids) this.lose(id, at, reason);
    return ids.length;
  }

  setTargetRate(rate: number, at: number): void {
    if (!(Number.isFinite(rate) && rate >= 0)) {
      throw new InvalidArgumentError(`target rate must be a number >= 0, got ${rate}`);
    }
    this.targets.push([checkTime(at, 'target time'), rate]);
  }

  get size(): number {
    return this.count;
  }

  get active(): number {
    return this.open.size;
  }

  row(i: number): CallRow {
    if (!(Number.isInteger(i) && i >= 0 && i < this.count)) {
      throw new InvalidArgumentError(`no row ${i} (size ${this.count})`);
    }
    const answeredAt = optional(this.answeredAt[i]!);
    const offeredAt = this.offeredAt[i]!;
    return {
      id: this.ids[i]!,
      host: this.strings[this.host[i]!]!,
      app: this.strings[this.app[i]!]!,
      offeredAt,
      answeredAt,
      hungupAt: optional(this.hungupAt[i]!),
      setupMs: answeredAt === undefined ? undefined : answeredAt - offeredAt,
      outcome: OUTCOMES[this.outcome[i]!],
      cause: this.strings[this.cause[i]!]!,
      reason: this.strings[this.reason[i]!]!,
    };
  }

  *rows(): IterableIterator<CallRow> {
    for (let i = 0; i < this.count; i++) yield this.row(i);
  }

  /** Exact nearest-rank percentiles over every answered call. */
  latency(): LatencyStats {
    const n = this.latencyCount;
    if (n === 0) return { count: 0, min: null, max: null, mean: null, p50: null, p95: null, p99: null };
    const s = this.sortedLatencies();
    return {
      count: n,
      min: s[0]!,
      max: s[n - 1]!,
      mean: this.latencySum / n,
      p50: nearestRank(s, 50),
      p95: nearestRank(s, 95),
      p99: nearestRank(s, 99),
    };
  }

  /** Totals up to `now` (default: the last event seen; an earlier `now` still counts ended calls in full). */
  summary(now?: number): MetricsSummary {
    const end = this.endOf(now);
    const elapsedMs = this.origin === undefined ? 0 : Math.max(0, end - this.origin);
    const offered = this.count;
    const t = this.targets.length > 0 ? this.targets[this.targets.length - 1]![1] : null;
    return {
      startedAt: this.origin ?? null,
      elapsedMs,
      offered,
      answered: this.latencyCount,
      completed: this.totals[COMPLETED]!,
      failed: this.totals[FAILED]!,
      lost: this.totals[LOST]!,
      active: this.open.size,
      achievedRate: this.offerRate(elapsedMs),
      targetRate: t,
      setupLatencyMs: this.latency(),
      failuresByCause: Object.fromEntries([...this.failures].sort((a, b) => b[1] - a[1])),
      erlangs: elapsedMs > 0 ? this.answeredMs(end) / elapsedMs : 0,
    };
  }

  /** Per-bucket series from the start up to `now` (default: the last event seen). */
  series(now?: number): MetricsSeries {
    const s: MetricsSeries = {
      bucketMs: this.bucketMs,
      time: [],
      offered: [],
      answered: [],
      failed: [],
      lost: [],
      active: [],
      achievedRate: [],
      targetRate: [],
      latencyP50: [],
      latencyP95: [],
      latencyP99: [],
    };
    if (this.origin === undefined) return s;
    const n = this.bucketOf(this.endOf(now)) + 1;
    const perBucket = this.latenciesByBucket(n);
    let active = 0;
    let target = 0;
    for (let b = 0; b < n; b++) {
      const start = this.origin + b * this.bucketMs;
      while (target < this.targets.length && this.targets[target]![0] < start + this.bucketMs) target++;
      active += this.offeredB.at(b) - this.endedB.at(b);
      s.time.push(start);
      s.offered.push(this.offeredB.at(b));
      s.answered.push(this.answeredB.at(b));
      s.failed.push(this.failedB.at(b));
      s.lost.push(this.lostB.at(b));
      s.active.push(active);
      s.achievedRate.push((this.offeredB.at(b) * 1000) / this.bucketMs);
      s.targetRate.push(target > 0 ? this.targets[target - 1]![1] : null);
      const l = perBucket[b]!.sort((x, y) => x - y);
      s.latencyP50.push(nearestRank(l, 50));
      s.latencyP95.push(nearestRank(l, 95));
      s.latencyP99.push(nearestRank(l, 99));
    }
    return s;
  }

  toJSON(): MetricsJson {
    const c = this.count;
    return {
      format: 'switchyard-metrics',
      version: 1,
      bucketMs: this.bucketMs,
      startedAt: this.origin ?? null,
      completedCauses: [...this.completedCauses],
      targets: this.targets.map(([t, r]) => [t, r]),
      strings: [...this.strings],
      calls: {
        id: this.ids.slice(0, c),
        host: Array.from(this.host.subarray(0, c)),
        app: Array.from(this.app.subarray(0, c)),
        offeredAt: Array.from(this.offeredAt.subarray(0, c)),
        answeredAt: Array.from(this.answeredAt.subarray(0, c), (v) => optional(v) ?? null),
        hungupAt: Array.from(this.hungupAt.subarray(0, c), (v) => optional(v) ?? null),
        outcome: Array.from(this.outcome.subarray(0, c)),
        cause: Array.from(this.cause.subarray(0, c)),
        reason: Array.from(this.reason.subarray(0, c)),
      },
      summary: this.summary(),
      series: this.series(),
    };
  }

  /** One row per call, RFC 4180 quoting; times are ms since epoch. */
  toCsv(): string {
    return metricsToCsv(this);
  }

  static fromJSON(input: unknown): MetricsStore {
    return metricsFromJson(input);
  }

  /** CSV carries no bucket width or target; pass them here. */
  static fromCsv(text: string, options: MetricsStoreOptions = {}): MetricsStore {
    return metricsFromCsv(text, options);
  }

  private seenOffer(at: number): void {
    if (at < this.firstOffer) this.firstOffer = at;
    if (at > this.lastOffer) this.lastOffer = at;
  }

  private offerRate(elapsedMs: number): number {
    const spanMs = this.lastOffer - this.firstOffer;
    if (this.count >= 2 && spanMs > 0) return ((this.count - 1) * 1000) / spanMs;
    return elapsedMs > 0 ? (this.count * 1000) / elapsedMs : 0;
  }

  /** @internal used by the loaders: restores a finished or open row as recorded. */
  restore(r: Omit<CallRow, 'setupMs'>): void {
    this.origin ??= r.offeredAt;
    const row = this.appendRow(r.id, r.offeredAt, this.intern(r.host), this.intern(r.app));
    this.offeredB.add(this.bucketOf(r.offeredAt));
    this.seenOffer(r.offeredAt);
    this.seen(r.offeredAt);
    if (r.answeredAt !== undefined) {
      this.markAnswered(row, r.answeredAt);
      this.seen(r.answeredAt);
    }
    if (r.outcome === undefined) {
      this.open.set(r.id, row);
    } else {
      const end = r.hungupAt ?? r.answeredAt ?? r.offeredAt;
      this.markEnded(row, end, OUTCOMES.indexOf(r.outcome), r.cause, r.reason);
    }
  }

  private appendRow(id: string, at: number, host: number, app: number): number {
    if (this.count === this.offeredAt.length) this.growRows();
    const row = this.count++;
    this.ids.push(id);
    this.host[row] = host;
    this.app[row] = app;
    this.offeredAt[row] = at;
    this.answeredAt[row] = Number.NaN;
    this.hungupAt[row] = Number.NaN;
    this.outcome[row] = OPEN;
    return row;
  }

  private markAnswered(row: number, at: number): void {
    this.answeredAt[row] = at;
    if (this.latencyCount === this.latencies.length) this.latencies = grow(this.latencies);
    const setup = at - this.offeredAt[row]!;
    this.latencies[this.latencyCount++] = setup;
    this.latencySum += setup;
    this.answeredB.add(this.bucketOf(at));
  }

  private takeOpen(id: string, at: number, what: string): number | undefined {
    checkTime(at, what);
    const row = this.open.get(id);
    if (row !== undefined) this.open.delete(id);
    return row;
  }

  private markEnded(row: number, at: number, outcome: number, cause: string, reason: string): void {
    this.hungupAt[row] = at;
    this.outcome[row] = outcome;
    this.cause[row] = this.intern(cause);
    this.reason[row] = this.intern(reason);
    this.totals[outcome]! += 1;
    const answered = this.answeredAt[row]!;
    if (!Number.isNaN(answered)) this.endedAnsweredMs += Math.max(0, at - answered);
    const b = this.bucketOf(at);
    this.endedB.add(b);
    if (outcome === FAILED) this.failedB.add(b);
    if (outcome === LOST) this.lostB.add(b);
    if (outcome !== COMPLETED) {
      const key = reason || 'UNKNOWN';
      this.failures.set(key, (this.failures.get(key) ?? 0) + 1);
    }
    this.seen(at);
  }

  private growRows(): void {
    this.host = grow(this.host);
    this.app = grow(this.app);
    this.offeredAt = grow(this.offeredAt);
    this.answeredAt = grow(this.answeredAt);
    this.hungupAt = grow(this.hungupAt);
    this.outcome = grow(this.outcome);
    this.cause = grow(this.cause);
    this.reason = grow(this.reason);
  }

  private intern(s: string): number {
    let i = this.stringIndex.get(s);
    if (i === undefined) {
      i = this.strings.push(s) - 1;
      this.stringIndex.set(s, i);
    }
    return i;
  }

  private bucketOf(at: number): number {
    // An event stamped before time zero (clock skew between hosts) counts in the first bucket.
    return Math.max(0, Math.floor((at - (this.origin ?? at)) / this.bucketMs));
  }

  private seen(at: number): void {
    if (at > this.lastAt) this.lastAt = at;
  }

  private endOf(now: number | undefined): number {
    if (now !== undefined) return checkTime(now, 'now');
    return Number.isFinite(this.lastAt) ? this.lastAt : (this.origin ?? 0);
  }

  private sortedLatencies(): Float64Array {
    const have = this.sorted.length;
    if (have === this.latencyCount) return this.sorted;
    const fresh = this.latencies.slice(have, this.latencyCount).sort();
    this.sorted = mergeSorted(this.sorted, fresh);
    return this.sorted;
  }

  private latenciesByBucket(n: number): number[][] {
    const out: number[][] = Array.from({ length: n }, () => []);
    for (let i = 0; i < this.count; i++) {
      const a = this.answeredAt[i]!;
      if (Number.isNaN(a)) continue;
      out[Math.min(n - 1, this.bucketOf(a))]!.push(a - this.offeredAt[i]!);
    }
    return out;
  }

  /** Answered call time up to `end`: the ended calls' sum, kept as they end, plus the calls still up. */
  private answeredMs(end: number): number {
    let total = this.endedAnsweredMs;
    for (const row of this.open.values()) {
      const a = this.answeredAt[row]!;
      if (a < end) total += end - a;
    }
    return total;
  }
}

/** Nearest rank: the smallest value with at least p% of the values at or below it. */
export function nearestRank(sorted: ArrayLike<number>, p: number): number | null {
  const n = sorted.length;
  if (n === 0) return null;
  return sorted[Math.min(n - 1, Math.max(0, Math.ceil((p / 100) * n) - 1))]!;
}

function mergeSorted(a: Float64Array, b: Float64Array): Float64Array {
  const out = new Float64Array(a.length + b.length);
  let i = 0;
  let j = 0;
  let k = 0;
  while (i < a.length && j < b.length) out[k++] = a[i]! <= b[j]! ? a[i++]! : b[j++]!;
  while (i < a.length) out[k++] = a[i++]!;
  while (j < b.length) out[k++] = b[j++]!;
  return out;
}

function grow<T extends Float64Array | Uint32Array | Uint8Array>(a: T): T {
  const next = new (a.constructor as new (n: number) => T)(a.length * 2);
  next.set(a);
  return next;
}

function optional(v: number): number | undefined {
  return Number.isNaN(v) ? undefined : v;
}

function checkTime(at: number, what: string): number {
  if (!Number.isFinite(at)) throw new InvalidArgumentError(`${what} must be a finite number of ms, got ${at}`);
  return at;
}
