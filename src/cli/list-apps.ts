/** `switchyard list-apps`: the shipped apps `serve --app` and `dial --app` accept. */

import { Command } from 'commander';

export interface AppListing {
  name: string;
  description?: string;
}

export function listAppsCommand(list: () => Promise<readonly AppListing[]>): Command {
  return new Command('list-apps')
    .description('list the shipped call apps')
    .option('--json', 'print as JSON')
    .action(async (flags: { json?: boolean }) => {
      process.stdout.write(formatAppList(await list(), flags.json === true));
    });
}

export function formatAppList(apps: readonly AppListing[], json: boolean): string {
  const sorted = [...apps].sort((a, b) => a.name.localeCompare(b.name));
  if (json) return `${JSON.stringify(sorted)}\n`;
  const width = Math.max(0, ...sorted.map((a) => a.name.length));
  return sorted.map((a) => (a.description ? `${a.name.padEnd(width)}  ${a.description}` : a.name)).join('\n') + '\n';
}
