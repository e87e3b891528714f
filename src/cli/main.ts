#!/usr/bin/env node
/**
 * The switchyard command: a thin commander shell over the library, one file per
 * subcommand. Errors end as one line on stderr (`switchyard: <message>`) and a
 * non-zero exit, never a stack trace.
 */

import { realpathSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { Command, CommanderError } from 'commander';
import { apiCommand } from './api.js';
import { dialCommand } from './dial.js';
import { listAppsCommand } from './list-apps.js';
import { plotCommand } from './plot.js';
import { replCommand } from './repl.js';
import { serveCommand } from './serve.js';
import { simCommand } from './sim.js';

export function buildProgram(): Command {
  const program = new Command('switchyard')
    .description('control FreeSWITCH over the Event Socket: one-shot commands, load tests, a simulator')
    .version(version(), '-V, --version')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()
    .configureOutput({
      outputError: (text, write) => write(`switchyard: ${text.replace(/^error: /, '')}`),
    });
  // Runners load on demand, so `plot` never loads the ESL stack and every command starts fast.
  const commands = [
    apiCommand(),
    dialCommand(async (plan) => {
      process.exitCode = await (await import('./dial-run.js')).runDial(plan);
    }),
    replCommand(async (plan) => (await import('./repl-session.js')).runRepl(plan)),
    serveCommand(async (plan) => (await import('./serve-run.js')).runServe(plan)),
    listAppsCommand(async () => (await import('./app-loader.js')).shippedApps()),
    simCommand(),
    plotCommand(),
  ];
  for (const command of commands) {
    program.addCommand(command.copyInheritedSettings(program));
  }
  return program;
}

export async function main(argv: readonly string[] = process.argv): Promise<number> {
  try {
    await buildProgram().parseAsync([...argv]);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (err) {
    // commander has printed its own usage error (or help/version, exit code 0).
    if (err instanceof CommanderError) return err.exitCode;
    process.stderr.write(`switchyard: ${describe(err)}\n`);
    return 1;
  }
}

function describe(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const first = (text: string) => text.split('\n', 1)[0]!.trim();
  const cause = err.cause instanceof Error && !err.message.includes(first(err.cause.message));
  return cause ? `${first(err.message)} (${first((err.cause as Error).message)})` : first(err.message);
}

function version(): string {
  // ../../package.json from both src/cli and dist/cli.
  return (createRequire(import.meta.url)('../../package.json') as { version: string }).version;
}

function isEntryPoint(): boolean {
  const entry = process.argv[1];
  if (!entry) return false;
  try {
    return realpathSync(entry) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (isEntryPoint()) {
  process.exitCode = await main();
}
