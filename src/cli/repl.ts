/**
 * `switchyard repl [HOST...]`: a Node REPL with top-level await and a connected
 * `client`, `listener` and `pool` in scope. This file owns the command line;
 * the session (node:repl with history and completion) is passed in.
 */

import { homedir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { addConnectOptions, type ConnectFlags } from './connect-options.js';

export interface ReplPlan {
  /** Empty: start disconnected; connect from the prompt. */
  hosts: string[];
  flags: ConnectFlags;
  /** Where history is kept between sessions; undefined = none. */
  historyFile: string | undefined;
}

interface ReplFlags extends ConnectFlags {
  history: string | false;
}

export const DEFAULT_HISTORY = join(homedir(), '.switchyard_history');

export function replCommand(run: (plan: ReplPlan) => Promise<void>): Command {
  return addConnectOptions(new Command('repl'))
    .description('interactive session: client, listener and pool in scope, top-level await')
    .argument('[hosts...]', 'HOST[:port] to connect to, or --sim')
    .option('--history <file>', 'history file', DEFAULT_HISTORY)
    .option('--no-history', 'keep no history')
    .action(async (hosts: string[], flags: ReplFlags) => {
      await run({
        hosts,
        flags: { password: flags.password, port: flags.port, ...(flags.sim ? { sim: true } : {}) },
        historyFile: flags.history === false ? undefined : flags.history,
      });
    });
}
