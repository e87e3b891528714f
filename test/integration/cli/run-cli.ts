import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = fileURLToPath(new URL('../../../', import.meta.url));

/**
 * A tsconfig for tsx that also maps `switchyard/apps` to the apps' source, the
 * way the built package resolves its own export; pass it as TSX_TSCONFIG_PATH.
 */
export async function appsTsconfig(dir: string): Promise<string> {
  const file = join(dir, 'tsconfig.apps.json');
  const config = {
    extends: join(REPO, 'tsconfig.json'),
    compilerOptions: { paths: { switchyard: ['./src/index.ts'], 'switchyard/apps': ['./apps/index.ts'] } },
  };
  await writeFile(file, JSON.stringify(config));
  return file;
}

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs `switchyard ARGS` from source in a child process, as a user would. */
export function runCli(args: readonly string[], env: NodeJS.ProcessEnv = {}, stdin?: string): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], {
      cwd: REPO,
      env: { ...process.env, ...env },
      stdio: [stdin === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    });
    if (stdin !== undefined) child.stdin!.end(stdin);
    let stdout = '';
    let stderr = '';
    child.stdout!.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

export interface CliSim {
  host: string;
  port: number;
  /** SIGINT, then the exit code and everything it printed. */
  stop(): Promise<CliResult>;
}

/** `switchyard sim --port 0` in a child process; resolves once it prints where it listens. */
export function startCliSim(args: readonly string[] = []): Promise<CliSim> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'sim', '--port', '0', ...args], {
      cwd: REPO,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    const exited = new Promise<CliResult>((done) =>
      child.on('close', (code, signal) => done({ code, signal, stdout, stderr })),
    );
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
      const m = /listening on (.+):(\d+)\n/.exec(stdout);
      if (m) {
        resolve({
          host: m[1]!,
          port: Number(m[2]),
          stop: () => {
            child.kill('SIGINT');
            return exited;
          },
        });
      }
    });
    child.on('error', reject);
    void exited.then((r) => reject(new Error(`sim exited before listening: ${JSON.stringify(r)}`)));
  });
}

export interface CliProcess {
  /** Resolves when stderr (or stdout) has printed a match. */
  waitFor(stream: 'stdout' | 'stderr', pattern: RegExp): Promise<void>;
  signal(signal: NodeJS.Signals): void;
  exited: Promise<CliResult>;
}

/** A long-running `switchyard ARGS` to interact with (signals, streamed output). */
export function spawnCli(args: readonly string[]): CliProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], {
    cwd: REPO,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const out = { stdout: '', stderr: '' };
  const waiters: (() => void)[] = [];
  const poke = () => {
    for (const w of waiters.splice(0)) w();
  };
  child.stdout.setEncoding('utf8').on('data', (d: string) => {
    out.stdout += d;
    poke();
  });
  child.stderr.setEncoding('utf8').on('data', (d: string) => {
    out.stderr += d;
    poke();
  });
  const exited = new Promise<CliResult>((resolve) =>
    child.on('close', (code, signal) => resolve({ code, signal, ...out })),
  );
  return {
    exited,
    signal: (s) => child.kill(s),
    waitFor(stream, pattern) {
      return new Promise((resolve, reject) => {
        const check = () => {
          if (pattern.test(out[stream])) resolve();
          else waiters.push(check);
        };
        void exited.then((r) => reject(new Error(`exited before ${pattern}: ${JSON.stringify(r)}`)));
        check();
      });
    },
  };
}
