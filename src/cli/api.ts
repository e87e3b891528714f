/** `switchyard api HOST CMD...`: one api command, its output on stdout, like `fs_cli -x`. */

import { Command, Option } from 'commander';
import { InvalidArgumentError, TimeoutError } from '../errors.js';
import { addConnectOptions, type ConnectFlags } from './connect-options.js';
import { duration } from './dial.js';
import { openTargets } from './targets.js';

export function apiCommand(): Command {
  return addConnectOptions(new Command('api'))
    .description('run one api command and print its output (exit 1 on -ERR), like fs_cli -x')
    .argument('<host-and-command...>', 'HOST[:port] then the command; with --sim, just the command')
    .usage('[options] HOST CMD...  |  api --sim CMD...')
    .addOption(new Option('--timeout <time>', 'give up waiting for the reply (30, 30s, 500ms, 2m)').default(120_000, '2m').argParser(duration))
    .action(async (words: string[], flags: ApiFlags) => {
      const [hosts, command] = flags.sim ? [[], words] : [words.slice(0, 1), words.slice(1)];
      if (command.length === 0) throw new InvalidArgumentError('api needs a command, e.g. switchyard api HOST status');
      const ok = await runApi(hosts, command.join(' '), flags);
      if (!ok) process.exitCode = 1;
    });
}

interface ApiFlags extends ConnectFlags {
  timeout: number;
}

/** Prints the reply; false when FreeSWITCH answered `-ERR`. */
async function runApi(hosts: string[], command: string, flags: ApiFlags): Promise<boolean> {
  const targets = await openTargets(hosts, flags);
  try {
    const [target] = targets.list;
    // An api runs inline on FreeSWITCH's socket thread and sends nothing until it
    // is done (originate waits for an answer), so silence is normal: our own
    // deadline replaces the connection's liveness check.
    const { Connection } = await import('../connection/connection.js');
    const connection = new Connection({ ...target!, livenessTimeoutMs: 0 });
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new TimeoutError(`no reply to "${command}" within ${flags.timeout} ms`, flags.timeout)),
        flags.timeout,
      );
    });
    try {
      await Promise.race([connection.connect(), deadline]);
      const body = await Promise.race([connection.api(command), deadline]);
      process.stdout.write(body.endsWith('\n') || body === '' ? body : `${body}\n`);
      return !body.startsWith('-ERR');
    } finally {
      clearTimeout(timer);
      await connection.close();
    }
  } finally {
    await targets.close();
  }
}
