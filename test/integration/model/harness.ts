/**
 * A simulator with a connected EventListener and Client, and helpers to put
 * calls up on it, for the model's integration tests.
 */

import type { App } from '../../../src/app.js';
import { Client } from '../../../src/client/client.js';
import type { OriginateOptions } from '../../../src/client/originate.js';
import { EventListener } from '../../../src/listener/listener.js';
import type { Call } from '../../../src/models/call.js';
import type { Session } from '../../../src/models/session.js';
import { type Simulator, type SimulatorOptions, startSimulator } from '../../../src/sim/index.js';

export interface Model {
  readonly sim: Simulator;
  readonly listener: EventListener;
  readonly client: Client;
  close(): Promise<void>;
}

export interface ModelOptions {
  /** Extra events for the listener. */
  readonly events?: readonly string[];
  /** The listener's first reconnect delay. Default 20 ms. */
  readonly reconnectDelayMs?: number;
  /** Reconnect the client's command connection too. Default off. */
  readonly clientReconnect?: boolean;
  /** Reconnect the listener's event connection. Default on. */
  readonly listenerReconnect?: boolean;
  /** The simulator's options (it always listens on an ephemeral port). */
  readonly simulator?: Omit<SimulatorOptions, 'port'>;
}

export async function startModel(options: ModelOptions = {}): Promise<Model> {
  const sim = await startSimulator({ ...options.simulator, port: 0 });
  const delay = options.reconnectDelayMs ?? 20;
  const listener = new EventListener({
    host: sim.host,
    port: sim.port,
    events: options.events ?? [],
    reconnect: options.listenerReconnect === false ? false : { initialDelayMs: delay, maxDelayMs: delay * 4, jitter: 0 },
  });
  const client = new Client({ host: sim.host, port: sim.port, listener, reconnect: options.clientReconnect ?? false });
  await client.connect();
  return {
    sim,
    listener,
    client,
    async close() {
      await client.close();
      await sim.close();
    },
  };
}

export interface LoopbackCall {
  readonly a: Session;
  readonly b: Session;
  readonly call: Call;
}

/**
 * A two-leg loopback call whose b-leg answers and parks (`answer` in the
 * recorded dialplan) and whose a-leg parks once answered.
 */
export async function loopbackCall(model: Model, options: Partial<OriginateOptions> = {}): Promise<LoopbackCall> {
  const uuid = await model.client.originate({ dest: 'loopback/answer/switchyard', ...options });
  const a = model.listener.sessions.get(uuid);
  if (a === undefined || a.call === undefined) throw new Error(`originated ${uuid} is not tracked`);
  const b = a.call.peer(a);
  if (b === undefined) throw new Error(`originated ${uuid} has no b-leg in its call`);
  return { a, b, call: a.call };
}

/** Resolves once `session` is destroyed (its CHANNEL_DESTROY was handled). */
export function destroyed(session: Session): Promise<unknown> {
  if (session.closedReason !== undefined) return Promise.resolve();
  return session.waitFor('CHANNEL_DESTROY', { timeout: 5000 }).catch((error: unknown) => {
    if (session.closedReason === undefined) throw error;
  });
}

/** An app recording which (app, event, uuid) callbacks ran. */
export function recorder(name: string, seen: string[]): App {
  const note = (event: string) => (s: Session) => void seen.push(`${name} ${event} ${s.uuid}`);
  return {
    name,
    handlers: { CHANNEL_ANSWER: note('CHANNEL_ANSWER'), CHANNEL_HANGUP: note('CHANNEL_HANGUP') },
  };
}
