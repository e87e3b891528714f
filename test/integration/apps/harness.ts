/**
 * The shipped apps against the simulator: a real TCP Client + EventListener
 * on a simulator at port 0, and a probe app that turns the events a test
 * waits for into promises (no polling, no sleeps).
 */

import type { App, CustomCallback, SessionCallback } from '../../../src/app.js';
import type { Session } from '../../../src/models/session.js';
import type { EslEvent } from '../../../src/protocol/event.js';
import type { SimulatorOptions } from '../../../src/sim/index.js';
import { type Model, startModel } from '../model/harness.js';

export type Stack = Model;

/** The model tests' stack (simulator, listener, client) without listener reconnects. */
export function startStack(options: Omit<SimulatorOptions, 'port'> = {}): Promise<Stack> {
  return startModel({ simulator: options, listenerReconnect: false });
}

export interface Seen {
  readonly name: string;
  readonly uuid: string | undefined;
  readonly event: EslEvent;
}

export type ProbeEvent =
  | 'CHANNEL_EXECUTE'
  | 'PLAYBACK_START'
  | 'CHANNEL_DESTROY'
  | 'CHANNEL_HANGUP'
  | 'RECORD_START'
  | 'RECORD_STOP'
  | 'mod_bert::in_sync'
  | 'mod_bert::lost_sync';

/**
 * An app (loaded next to the app under test, under the same app id) that
 * records the events it is given and resolves `until(n)` once `n` of them
 * passed `keep`.
 */
export class Probe {
  readonly seen: Seen[] = [];
  readonly app: App;
  readonly #waiters: Array<{ n: number; resolve: () => void }> = [];

  /** `name`: the app's name, distinct for each probe loaded under one app id. */
  constructor(events: readonly ProbeEvent[], keep: (s: Seen) => boolean = () => true, name = 'Probe') {
    // CUSTOM events may name no tracked session: fall back to the event's Unique-ID.
    const note = (session: Session | undefined, event: EslEvent): void => {
      const seen: Seen = { name: event.name, uuid: session?.uuid ?? event.get('Unique-ID'), event };
      if (!keep(seen)) return;
      this.seen.push(seen);
      for (const w of [...this.#waiters]) {
        if (this.seen.length >= w.n) {
          this.#waiters.splice(this.#waiters.indexOf(w), 1);
          w.resolve();
        }
      }
    };
    const handlers: { [K in ProbeEvent]?: SessionCallback & CustomCallback } = {};
    for (const e of events) handlers[e] = note;
    this.app = { name, handlers };
  }

  /** Resolves once `n` events were kept. */
  until(n: number): Promise<void> {
    if (this.seen.length >= n) return Promise.resolve();
    return new Promise((resolve) => this.#waiters.push({ n, resolve }));
  }
}

/** Resolves once `session` is destroyed. */
export function destroyed(session: Session): Promise<unknown> {
  if (session.closedReason !== undefined) return Promise.resolve();
  return session.waitFor('CHANNEL_DESTROY', { timeout: 10_000 }).catch((error: unknown) => {
    if (session.closedReason === undefined) throw error;
  });
}
