/** `switchyard plot FILE [-o out.html]`: the HTML report from a metrics file written by `dial --metrics-file`. */

import { readFile, writeFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { Command, InvalidArgumentError as CommanderArgumentError } from 'commander';
import { InvalidArgumentError } from '../errors.js';
import { MetricsStore } from '../load/metrics.js';
import { renderReport } from '../load/report.js';

interface PlotOptions {
  output?: string;
  title?: string;
  bucketMs?: number;
  targetRate?: number;
}

export function plotCommand(): Command {
  return new Command('plot')
    .description('render the HTML load-test report from a metrics file (.json or .csv)')
    .argument('<file>', 'metrics file written by dial --metrics-file')
    .option('-o, --output <file>', 'where to write the report (default: FILE with .html)')
    .option('--title <text>', 'report title')
    .option('--bucket-ms <ms>', 'series bucket width for CSV input (default 1000)', positiveNumber)
    .option('--target-rate <calls/s>', 'target rate to draw for CSV input', positiveNumber)
    .action(async (file: string, options: PlotOptions) => {
      const out = await plot(file, options);
      process.stdout.write(`wrote ${out}\n`);
    });
}

export async function plot(file: string, options: PlotOptions = {}): Promise<string> {
  const text = await readFile(file, 'utf8').catch((err: NodeJS.ErrnoException) => {
    throw new InvalidArgumentError(`cannot read ${file}: ${err.code === 'ENOENT' ? 'no such file' : err.message}`);
  });
  const store = loadMetrics(file, text, options);
  const out = options.output ?? file.slice(0, file.length - extname(file).length) + '.html';
  if (out === file) throw new InvalidArgumentError(`refusing to overwrite the input ${file}; pass -o`);
  const html = renderReport(
    { summary: store.summary(), series: store.series() },
    { title: options.title ?? `switchyard load test: ${file}` },
  );
  await writeFile(out, html);
  return out;
}

function loadMetrics(file: string, text: string, options: PlotOptions): MetricsStore {
  // The content decides, not the name: a JSON document starts with `{`.
  if (text.trimStart().startsWith('{')) {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (err) {
      throw new InvalidArgumentError(`${file} is not valid JSON: ${(err as Error).message}`);
    }
    return MetricsStore.fromJSON(json);
  }
  return MetricsStore.fromCsv(text, {
    ...(options.bucketMs === undefined ? {} : { bucketMs: options.bucketMs }),
    ...(options.targetRate === undefined ? {} : { targetRate: options.targetRate }),
  });
}

function positiveNumber(value: string): number {
  const n = Number(value);
  if (!(Number.isFinite(n) && n > 0)) throw new CommanderArgumentError('expected a positive number');
  return n;
}
