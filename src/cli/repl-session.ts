/**
 * The interactive session behind `switchyard repl`: Node's REPL (top-level
 * await, tab completion over everything in scope) with a connected `pool`,
 * the first host's `client` and `listener`, and the whole public API as
 * `switchyard`. History persists in a file between sessions.
 */

import repl from 'node:repl';
import * as switchyard from '../index.js';
import { Pool } from '../pool/pool.js';
import type { ReplPlan } from './repl.js';
import { openTargets } from './targets.js';

export interface ReplIo {
  input: NodeJS.ReadableStream;
  output: NodeJS.WritableStream;
}

export async function runRepl(plan: ReplPlan, io: ReplIo = { input: process.stdin, output: process.stdout }): Promise<void> {
  const targets = plan.hosts.length > 0 || plan.flags.sim ? await openTargets(plan.hosts, plan.flags) : undefined;
  const pool = targets ? new Pool(targets.list) : undefined;
  try {
    await pool?.connect();
    const names = pool?.members.map((m) => m.name) ?? [];
    io.output.write(
      names.length > 0
        ? `connected to ${names.join(', ')}; in scope: client, listener, pool, switchyard\n`
        : 'no host: in scope: switchyard (new switchyard.Client({ host, password }) to connect)\n',
    );
    const server = repl.start({
      prompt: 'switchyard> ',
      input: io.input,
      output: io.output,
      terminal: (io.input as { isTTY?: boolean }).isTTY === true,
      useGlobal: false,
    });
    const first = pool?.members[0];
    Object.assign(server.context, {
      switchyard,
      pool,
      client: first?.client,
      listener: first?.listener,
    });
    if (plan.historyFile !== undefined) {
      const file = plan.historyFile;
      server.setupHistory(file, (err) => {
        if (err) io.output.write(`switchyard: no history (${err.message})\n`);
      });
    }
    await new Promise<void>((resolve) => server.on('exit', resolve));
  } finally {
    await pool?.close();
    await targets?.close();
  }
}
