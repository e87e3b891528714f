/**
 * MetricsStore's files: JSON (columnar, the store's own format) and CSV (one
 * row per call, RFC 4180), written and read back for `switchyard plot`.
 * Loaders check every row and say which one is bad.
 */

import { InvalidArgumentError } from '../errors.js';
import { type CallOutcome, type MetricsJson, MetricsStore, type MetricsStoreOptions, OUTCOMES } from './metrics.js';

export const CSV_COLUMNS = [
  'id',
  'host',
  'app',
  'offered_at',
  'answered_at',
  'hungup_at',
  'setup_ms',
  'outcome',
  'cause',
  'reason',
] as const;

/** One row per call, RFC 4180 quoting; times are ms since epoch. */
export function metricsToCsv(store: MetricsStore): string {
  const lines = [CSV_COLUMNS.join(',')];
  for (const r of store.rows()) {
    lines.push(
      [
        r.id,
        r.host,
        r.app,
        r.offeredAt,
        r.answeredAt ?? '',
        r.hungupAt ?? '',
        r.setupMs ?? '',
        r.outcome ?? '',
        r.cause,
        r.reason,
      ]
        .map((v) => csvField(String(v)))
        .join(','),
    );
  }
  return lines.join('\r\n') + '\r\n';
}

function csvField(s: string): string {
  return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

export function metricsFromJson(input: unknown): MetricsStore {
  const j = input as Partial<MetricsJson> | null;
  if (j?.format !== 'switchyard-metrics' || j.version !== 1) {
    throw new InvalidArgumentError('not a switchyard metrics file (format "switchyard-metrics", version 1)');
  }
  const c = j.calls;
  const strings = j.strings;
  const n = c?.id?.length ?? -1;
  const cols = c ? [c.host, c.app, c.offeredAt, c.answeredAt, c.hungupAt, c.outcome, c.cause, c.reason] : [];
  if (!c || !Array.isArray(strings) || n < 0 || cols.some((a) => !Array.isArray(a) || a.length !== n)) {
    throw new InvalidArgumentError('metrics file: calls must be columns of equal length');
  }
  const str = (i: number | undefined, row: number): string => {
    const v = Number.isInteger(i) ? strings[i!] : undefined;
    if (typeof v !== 'string') throw new InvalidArgumentError(`metrics file: row ${row} has a bad string index ${i}`);
    return v;
  };
  const time = (v: number | null | undefined, row: number): number | undefined => {
    if (v === null) return undefined;
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new InvalidArgumentError(`metrics file: row ${row} has a bad time`);
    return v;
  };
  const store = new MetricsStore({
    bucketMs: j.bucketMs ?? 1000,
    ...(typeof j.startedAt === 'number' ? { startedAt: j.startedAt } : {}),
    ...(Array.isArray(j.completedCauses) ? { completedCauses: j.completedCauses } : {}),
  });
  for (const [t, r] of j.targets ?? []) store.setTargetRate(r, t);
  for (let i = 0; i < n; i++) {
    const o = c.outcome[i]!;
    if (!(o in OUTCOMES)) throw new InvalidArgumentError(`metrics file: row ${i} has a bad outcome ${o}`);
    store.restore({
      id: String(c.id[i]),
      host: str(c.host[i], i),
      app: str(c.app[i], i),
      offeredAt: time(c.offeredAt[i], i) ?? Number.NaN,
      answeredAt: time(c.answeredAt[i], i),
      hungupAt: time(c.hungupAt[i], i),
      outcome: OUTCOMES[o],
      cause: str(c.cause[i], i),
      reason: str(c.reason[i], i),
    });
  }
  return store;
}

export function metricsFromCsv(text: string, options: MetricsStoreOptions): MetricsStore {
  const records = parseCsv(text);
  const header = records.shift() ?? [];
  const col = new Map(header.map((h, i) => [h.trim(), i]));
  const missing = CSV_COLUMNS.filter((h) => h !== 'setup_ms' && !col.has(h));
  if (missing.length > 0) throw new InvalidArgumentError(`metrics CSV: missing column(s) ${missing.join(', ')}`);
  const store = new MetricsStore(options);
  records.forEach((rec, i) => {
    if (rec.length === 1 && rec[0] === '') return;
    const get = (name: string): string => rec[col.get(name)!] ?? '';
    const time = (name: string): number | undefined => {
      const v = get(name);
      if (v === '') return undefined;
      const t = Number(v);
      if (!Number.isFinite(t)) throw new InvalidArgumentError(`metrics CSV: line ${i + 2}: ${name} is not a number: ${v}`);
      return t;
    };
    const outcome = get('outcome');
    if (outcome !== '' && !OUTCOMES.includes(outcome as CallOutcome)) {
      throw new InvalidArgumentError(`metrics CSV: line ${i + 2}: unknown outcome ${outcome}`);
    }
    const offeredAt = time('offered_at');
    if (offeredAt === undefined) throw new InvalidArgumentError(`metrics CSV: line ${i + 2}: offered_at is empty`);
    store.restore({
      id: get('id'),
      host: get('host'),
      app: get('app'),
      offeredAt,
      answeredAt: time('answered_at'),
      hungupAt: time('hungup_at'),
      outcome: outcome === '' ? undefined : (outcome as CallOutcome),
      cause: get('cause'),
      reason: get('reason'),
    });
  });
  return store;
}

/** RFC 4180 records: quoted fields may hold commas, quotes ("") and newlines. */
function parseCsv(text: string): string[][] {
  const out: string[][] = [];
  let rec: string[] = [];
  let i = 0;
  while (i < text.length) {
    let field: string;
    if (text[i] === '"') {
      const close = quotedEnd(text, i + 1);
      field = text.slice(i + 1, close).replaceAll('""', '"');
      i = close + 1;
    } else {
      const m = /[,\r\n]/g;
      m.lastIndex = i;
      const end = m.exec(text)?.index ?? text.length;
      field = text.slice(i, end);
      i = end;
    }
    rec.push(field);
    if (text[i] === ',') {
      i++;
      continue;
    }
    out.push(rec);
    rec = [];
    i += text[i] === '\r' && text[i + 1] === '\n' ? 2 : 1;
  }
  if (rec.length > 0) out.push([...rec, '']);
  return out;
}

function quotedEnd(text: string, from: number): number {
  for (let i = from; i < text.length; i++) {
    if (text[i] !== '"') continue;
    if (text[i + 1] === '"') i++;
    else return i;
  }
  throw new InvalidArgumentError('metrics CSV: a quoted field is not closed');
}
