/**
 * `switchyard serve HOST... --app NAME|./file.ts`: load call apps and run them
 * until SIGINT. This file owns the command line; the runner (Client.loadApp)
 * is passed in.
 */

import { isAbsolute, resolve } from 'node:path';
import { Command } from 'commander';
import { InvalidArgumentError } from '../errors.js';
import { addConnectOptions, type ConnectFlags } from './connect-options.js';

/** A shipped app by name, or a module file exporting one. */
export type AppRef = { kind: 'name'; name: string } | { kind: 'file'; path: string };

export interface ServePlan {
  hosts: string[];
  flags: ConnectFlags;
  apps: AppRef[];
}

interface ServeFlags extends ConnectFlags {
  app: string[];
  outbound?: string;
}

export function serveCommand(run: (plan: ServePlan) => Promise<void>): Command {
  return addConnectOptions(new Command('serve'))
    .description('run call apps on FreeSWITCH until Ctrl-C')
    .argument('[hosts...]', 'HOST[:port] of each FreeSWITCH, or --sim')
    .option('--app <name|file>', 'a shipped app (see list-apps) or ./file.ts; repeatable', collect, [])
    .option('--outbound <[host:]port>', "serve calls FreeSWITCH's socket application hands over on this port, instead of HOSTs")
    .action(async (hosts: string[], flags: ServeFlags) => {
      if (flags.outbound !== undefined) {
        if (hosts.length > 0 || flags.sim) throw new InvalidArgumentError('serve --outbound takes no HOST or --sim: FreeSWITCH connects to it');
        if (flags.app.length === 0) throw new InvalidArgumentError('serve needs at least one --app');
        const { runServeOutbound } = await import('./serve-outbound.js');
        await runServeOutbound({ listen: flags.outbound, apps: flags.app.map((a) => appRef(a)) });
        return;
      }
      if (hosts.length === 0 && !flags.sim) throw new InvalidArgumentError('serve needs at least one HOST (or --sim)');
      if (flags.app.length === 0) throw new InvalidArgumentError('serve needs at least one --app');
      await run({
        hosts,
        flags: { password: flags.password, port: flags.port, ...(flags.sim ? { sim: true } : {}) },
        apps: flags.app.map((a) => appRef(a)),
      });
    });
}

/** A path (has a slash, or a .ts/.js/.mjs extension) is a file; anything else an app name. */
export function appRef(text: string, cwd: string = process.cwd()): AppRef {
  if (/[\\/]/.test(text) || /\.(ts|mts|js|mjs)$/.test(text)) {
    return { kind: 'file', path: isAbsolute(text) ? text : resolve(cwd, text) };
  }
  if (!/^[A-Za-z_][\w-]*$/.test(text)) throw new InvalidArgumentError(`not an app name or file: ${text}`);
  return { kind: 'name', name: text };
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}
