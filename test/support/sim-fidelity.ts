/**
 * Simulator fidelity check: runs the scenarios recorded against a real
 * FreeSWITCH (../shared/tools/scenarios.mjs) against the simulator with the
 * same recorder, records reload-event-socket (which needs two connections, so
 * the recorder cannot script it) and the outbound socket session (with the
 * shared outbound recorder), then compares with ../shared/tools/fidelity.mjs.
 *
 * Usage: npx tsx test/support/sim-fidelity.ts [OUTDIR]
 * Prints the comparison and exits non-zero when a scenario differs.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { startSimulator } from '../../src/sim/index.js';

const run = promisify(execFile);

/** The `shared` folder beside the repository. */
export const SHARED_DIR = fileURLToPath(new URL('../../../shared/', import.meta.url));
export const TOOLS_DIR = path.join(SHARED_DIR, 'tools');
export const CAPTURES_DIR = path.join(SHARED_DIR, 'captures');
/**
 * The shared outbound recorder drives the call through ESL on 8021 and serves
 * the `socket` application on 8084 (the recorded dialplan's address), so it
 * runs only where both ports are free.
 */
const OUTBOUND = { scenario: 'outbound-async-full', eslPort: 8021, socketPort: 8084, exten: 'socket' } as const;

export interface FidelityReport {
  /** scenario -> the fidelity tool's line for it. */
  readonly lines: ReadonlyMap<string, string>;
  readonly output: string;
  readonly recorderOutput: string;
  /** Scenarios that are not `ok` (other than those in `skipped`). */
  readonly failed: readonly string[];
  /** Scenarios not recorded here, with why. */
  readonly skipped: ReadonlyMap<string, string>;
  readonly outDir: string;
}

/** Connects, reads until `until` holds for the bytes received, resolves with them. */
function readUntil(socket: net.Socket, received: Buffer[], until: (all: string) => boolean): Promise<void> {
  return new Promise((resolve, reject) => {
    const check = (): void => {
      if (until(Buffer.concat(received).toString('utf8'))) {
        socket.off('data', check);
        resolve();
      }
    };
    socket.on('data', check);
    socket.once('error', reject);
    check();
  });
}

function connect(port: number, received: Buffer[]): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => resolve(socket));
    socket.on('data', (chunk: Buffer) => received.push(chunk));
    socket.once('error', reject);
  });
}

/**
 * reload-event-socket: a subscriber on `event plain ALL` while another
 * connection runs `bgapi reload mod_event_socket`; what the subscriber
 * receives until FreeSWITCH closes it.
 */
export async function recordReload(port: number, outDir: string): Promise<void> {
  const inBytes: Buffer[] = [];
  const sent: string[] = [];
  const sub = await connect(port, inBytes);
  const send = (s: net.Socket, text: string, record: boolean): void => {
    if (record) sent.push(text);
    s.write(text);
  };
  await readUntil(sub, inBytes, (all) => all.includes('auth/request'));
  send(sub, 'auth ClueCon\n\n', true);
  await readUntil(sub, inBytes, (all) => all.includes('+OK accepted'));
  send(sub, 'event plain ALL\n\n', true);
  await readUntil(sub, inBytes, (all) => all.includes('+OK event listener enabled'));
  const started = Date.now();
  const closed = new Promise<number>((resolve) => sub.once('close', () => resolve(Date.now() - started)));
  const ctl = await connect(port, []);
  ctl.write('auth ClueCon\n\nbgapi reload mod_event_socket\n\n');
  const closedAfterMs = await closed;
  ctl.destroy();
  writeFileSync(path.join(outDir, 'reload-event-socket.in.esl'), Buffer.concat(inBytes));
  writeFileSync(path.join(outDir, 'reload-event-socket.out.esl'), sent.join(''));
  writeFileSync(
    path.join(outDir, 'reload-event-socket.json'),
    JSON.stringify({ name: 'reload-event-socket', closedAfterMs }, null, 1),
  );
}

export interface FidelityOptions {
  readonly outDir?: string;
  /**
   * Record the outbound socket session too (fixed ports 8021 and 8084). The
   * vitest suite leaves it to test/integration/outbound/sim-fidelity.test.ts,
   * which needs 8084 itself; files run in parallel.
   */
  readonly outbound?: boolean;
}

export async function runFidelity(options: FidelityOptions = {}): Promise<FidelityReport> {
  const outDir = options.outDir ?? mkdtempSync(path.join(tmpdir(), 'sim-caps-'));
  mkdirSync(outDir, { recursive: true });
  // A short heartbeat keeps the heartbeat scenario (which waits for one) quick.
  const sim = await startSimulator({ port: 0, heartbeatIntervalMs: 1000, reloadDowntimeMs: 300 });
  let recorderOutput = '';
  try {
    const rec = await run(
      process.execPath,
      [path.join(TOOLS_DIR, 'esl-record.mjs'), path.join(TOOLS_DIR, 'scenarios.mjs'), outDir],
      { env: { ...process.env, ESL_PORT: String(sim.port), ESL_HOST: '127.0.0.1', CTX: 'switchyard' } },
    );
    recorderOutput = rec.stdout + rec.stderr;
    await recordReload(sim.port, outDir);
  } finally {
    await sim.close();
  }
  const skipped = new Map<string, string>();
  const outboundSkip = options.outbound === false ? 'left to the outbound tests' : await recordOutbound(outDir);
  if (outboundSkip !== undefined) skipped.set(OUTBOUND.scenario, outboundSkip);
  // fidelity.mjs exits 1 when any scenario differs: read its lines instead.
  const compared = await run(process.execPath, [path.join(TOOLS_DIR, 'fidelity.mjs'), CAPTURES_DIR, outDir]).catch(
    (err: { stdout?: string; stderr?: string }) => ({ stdout: err.stdout ?? '', stderr: err.stderr ?? '' }),
  );
  const output = compared.stdout + compared.stderr;
  const lines = new Map<string, string>();
  for (const line of output.split('\n')) {
    const m = /^([\w-]+): (.*)$/.exec(line);
    if (m && !line.startsWith('simulator fidelity')) lines.set(m[1]!, m[2]!);
  }
  const failed = [...lines].filter(([name, text]) => !skipped.has(name) && !text.startsWith('ok')).map(([n]) => n);
  return { lines, output, recorderOutput, failed, skipped, outDir };
}

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = net.createServer();
    probe.once('error', () => resolve(false));
    probe.listen({ host: '127.0.0.1', port }, () => probe.close(() => resolve(true)));
  });
}

/** Records the outbound socket scenario against a simulator on 8021; returns why not when it cannot. */
async function recordOutbound(outDir: string): Promise<string | undefined> {
  for (const port of [OUTBOUND.eslPort, OUTBOUND.socketPort]) {
    if (!(await portFree(port))) return `port ${port} is in use`;
  }
  const sim = await startSimulator({ port: OUTBOUND.eslPort });
  try {
    const rec = await run(process.execPath, [
      path.join(TOOLS_DIR, 'esl-record-outbound.mjs'),
      outDir,
      OUTBOUND.scenario,
      String(OUTBOUND.socketPort),
      OUTBOUND.exten,
    ]);
    if (!rec.stdout.startsWith('ok')) throw new Error(`outbound recorder: ${rec.stdout}${rec.stderr}`);
  } finally {
    await sim.close();
  }
  return undefined;
}

const isMain = process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (isMain) {
  if (!existsSync(TOOLS_DIR)) {
    console.error(`fidelity tools not found at ${TOOLS_DIR}`);
    process.exit(2);
  }
  const report = await runFidelity(process.argv[2] === undefined ? {} : { outDir: process.argv[2] });
  process.stdout.write(report.recorderOutput);
  process.stdout.write(report.output);
  console.log(`recordings in ${report.outDir}`);
  for (const [name, why] of report.skipped) console.log(`not recorded: ${name} (${why})`);
  if (report.failed.length > 0) {
    console.error(`DIFF: ${report.failed.join(', ')}`);
    process.exit(1);
  }
}
