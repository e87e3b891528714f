/**
 * The load test as a user runs it: `switchyard dial` for 30 seconds at 20
 * calls/s against the live FreeSWITCH, by default over the SIP self-loop
 * (each call a real SIP call from the `switchyard` profile to the `loop`
 * profile, whose `answer` extension answers it), with no failures and
 * nothing left up afterwards.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Connection, type MetricsSummary } from 'switchyard';
import { expect, it } from 'vitest';
import { channelCount, describeE2E, target, until } from './support.js';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const DEST = process.env.SWITCHYARD_E2E_DIAL_DEST ?? 'sofia/switchyard/answer@127.0.0.1:5090';
const RATE = 20;
const SECONDS = 30;

interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly elapsedMs: number;
}

/** `switchyard dial ...` from source in a child process. */
function dial(args: readonly string[]): Promise<Run> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'dial', ...args], {
      cwd: REPO,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr, elapsedMs: performance.now() - started }));
  });
}

describeE2E('switchyard dial', () => {
  it(`keeps ${RATE} calls/s for ${SECONDS} s with no failure`, async () => {
    const offered = RATE * SECONDS;
    const run = await dial([
      target.host,
      '--port',
      String(target.port),
      '--password',
      target.password,
      '--rate',
      String(RATE),
      '--limit',
      String(3 * RATE),
      '--duration',
      '2s',
      '--max-offered',
      String(offered),
      '--dest',
      DEST,
      '--interval',
      '5s',
      '--json',
    ]);
    expect(run.code, run.stderr).toBe(0);
    const summary = JSON.parse(run.stdout) as MetricsSummary;
    expect(summary).toMatchObject({
      offered,
      answered: offered,
      completed: offered,
      failed: 0,
      lost: 0,
      active: 0,
      targetRate: RATE,
      failuresByCause: {},
    });
    expect(summary.setupLatencyMs.count).toBe(offered);
    // 600 offers at 20/s span 29.95 s, then the last call is held 2 s.
    expect(run.elapsedMs).toBeGreaterThanOrEqual((SECONDS - 0.1) * 1000);

    const conn = new Connection({ ...target });
    await conn.connect();
    try {
      await until(async () => (await channelCount(conn)) === 0, 'no channel left after dial');
    } finally {
      await conn.close();
    }
  });
});
