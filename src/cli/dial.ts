/**
 * `switchyard dial HOST... --rate --limit --duration --max-offered --dest --app NAME[,weight]`:
 * the load test. This file owns the command line only; the run itself (Originator,
 * live panel, report) is passed in, so parsing is tested on its own.
 */

import { Command, InvalidArgumentError as CommanderArgumentError, Option } from 'commander';
import { InvalidArgumentError } from '../errors.js';
import { addConnectOptions, type ConnectFlags } from './connect-options.js';

export interface WeightedApp {
  name: string;
  weight: number;
}

export interface DialPlan {
  hosts: string[];
  flags: ConnectFlags;
  /** Originates per second, paced evenly. */
  rate: number;
  /** Most calls up at once. */
  limit: number;
  /** How long each answered call is kept up, ms; undefined = limit / rate, as switchio does. */
  durationMs: number | undefined;
  /** Stop originating after this many offers; undefined = until Ctrl-C. */
  maxOffered: number | undefined;
  dest: string;
  apps: WeightedApp[];
  metricsFile: string | undefined;
  report: string | undefined;
  json: boolean;
  /** Progress refresh, ms. */
  intervalMs: number;
}

/** The simulator's and the docker FreeSWITCH's answering extension (context switchyard). */
export const DEFAULT_DEST = 'loopback/answer/switchyard';

interface DialFlags extends ConnectFlags {
  rate: number;
  limit: number;
  duration?: number;
  maxOffered?: number;
  dest: string;
  app: WeightedApp[];
  metricsFile?: string;
  report?: string;
  json?: boolean;
  interval: number;
}

export function dialCommand(run: (plan: DialPlan) => Promise<void>): Command {
  return addConnectOptions(new Command('dial'))
    .description('load test: originate calls at a steady rate, show live progress, write a report')
    .argument('[hosts...]', 'HOST[:port] of each FreeSWITCH (calls go round-robin), or --sim')
    .addOption(new Option('--rate <calls/s>', 'originates per second').default(10).argParser(positive))
    .addOption(new Option('--limit <calls>', 'most calls up at once').default(100).argParser(positiveInt))
    .option('--duration <time>', 'how long each call stays up (30, 30s, 500ms, 2m) (default: limit / rate)', duration)
    .option('--max-offered <calls>', 'stop after this many originates (default: until Ctrl-C)', positiveInt)
    .option('--dest <dial-string>', 'destination: a dial string, or user@host[:port]', DEFAULT_DEST)
    .option('--app <name[,weight]>', 'app for the calls; repeat to mix them by weight', appSpec, [])
    .option('--metrics-file <file>', 'write per-call metrics (.json or .csv)')
    .option('--report <file>', 'write the HTML report')
    .option('--json', 'print the final summary as JSON')
    .addOption(new Option('--interval <time>', 'progress refresh').default(1000, '1s').argParser(duration))
    .action(async (hosts: string[], flags: DialFlags) => {
      await run(toPlan(hosts, flags));
    });
}

function toPlan(hosts: string[], f: DialFlags): DialPlan {
  if (hosts.length === 0 && !f.sim) throw new InvalidArgumentError('dial needs at least one HOST (or --sim)');
  if (f.metricsFile !== undefined && !/\.(json|csv)$/i.test(f.metricsFile)) {
    throw new InvalidArgumentError(`--metrics-file must end in .json or .csv, got ${f.metricsFile}`);
  }
  return {
    hosts,
    flags: { password: f.password, port: f.port, ...(f.sim ? { sim: true } : {}) },
    rate: f.rate,
    limit: f.limit,
    durationMs: f.duration,
    maxOffered: f.maxOffered,
    dest: f.dest,
    apps: f.app,
    metricsFile: f.metricsFile,
    report: f.report,
    json: f.json === true,
    intervalMs: f.interval,
  };
}

function positive(text: string): number {
  const n = Number(text);
  if (!(text.trim() !== '' && Number.isFinite(n) && n > 0)) throw new CommanderArgumentError('expected a number > 0');
  return n;
}

function positiveInt(text: string): number {
  const n = positive(text);
  if (!Number.isInteger(n)) throw new CommanderArgumentError('expected a whole number > 0');
  return n;
}

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** `30` and `30s` are seconds; `500ms`, `2m`, `1h` as written. */
export function duration(text: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)?\s*$/.exec(text);
  if (!m) throw new CommanderArgumentError('expected a duration like 30, 30s, 500ms or 2m');
  return Number(m[1]) * UNIT_MS[m[2] ?? 's']!;
}

/** `NAME` or `NAME,WEIGHT`, collected over repeated --app flags. */
export function appSpec(text: string, previous: WeightedApp[] = []): WeightedApp[] {
  const [name = '', weight, ...extra] = text.split(',').map((s) => s.trim());
  if (name === '' || extra.length > 0) throw new CommanderArgumentError('expected NAME or NAME,WEIGHT');
  return [...previous, { name, weight: weight === undefined ? 1 : positive(weight) }];
}
