/**
 * Turns HOST arguments (and `--sim`) into connectable targets. With `--sim` an
 * embedded simulator is started on a free local port and closed afterwards, so
 * every command can be tried without a FreeSWITCH.
 */

import { InvalidArgumentError } from '../errors.js';
import { type ConnectFlags, parseHost } from './connect-options.js';

export interface Target {
  host: string;
  port: number;
  password: string;
}

export interface Targets {
  list: Target[];
  close(): Promise<void>;
}

export async function openTargets(hosts: readonly string[], flags: ConnectFlags): Promise<Targets> {
  const list = hosts.map((spec) => ({ ...parseHost(spec, flags.port), password: flags.password }));
  if (!flags.sim) {
    if (list.length === 0) throw new InvalidArgumentError('no HOST given (or use --sim)');
    return { list, close: async () => {} };
  }
  // Loaded on demand: commands without --sim never pay for the simulator.
  const { startSimulator } = await import('../sim/index.js');
  const sim = await startSimulator({ port: 0, password: flags.password });
  list.push({ host: sim.host, port: sim.port, password: flags.password });
  return { list, close: () => sim.close() };
}
