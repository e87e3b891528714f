/**
 * Runs `switchyard serve`: connects a Pool, loads each app on every host (in
 * the default group, so calls without an app id reach them) and keeps them
 * running until SIGINT or SIGTERM, then unloads them and disconnects.
 */

import { Pool } from '../pool/pool.js';
import { loadAppRef } from './app-loader.js';
import type { ServePlan } from './serve.js';
import { untilSignal } from './signals.js';
import { openTargets } from './targets.js';

export async function runServe(plan: ServePlan, out: NodeJS.WritableStream = process.stdout): Promise<void> {
  const apps = await Promise.all(plan.apps.map((ref) => loadAppRef(ref)));
  // Listen before anything is announced: a supervisor may signal as soon as it reads the line.
  const stopped = untilSignal(['SIGINT', 'SIGTERM']);
  const targets = await openTargets(plan.hosts, plan.flags);
  const pool = new Pool(targets.list);
  const loaded: { name: string; appId: string }[] = [];
  try {
    await pool.connect();
    // Sequential: Pool.loadApp is atomic per app, and a failure must unload the earlier ones (finally).
    for (const app of apps) loaded.push({ name: app.name, appId: await pool.loadApp(app) });
    const where = pool.members.map((m) => m.name).join(', ');
    out.write(`serving ${apps.map((a) => a.name).join(', ')} on ${where} (Ctrl-C to stop)\n`);
    const signal = await stopped;
    out.write(`${signal}: unloading\n`);
  } finally {
    for (const { appId, name } of loaded.reverse()) await pool.unloadApp(appId, name).catch(() => {});
    await pool.close();
    await targets.close();
  }
}
