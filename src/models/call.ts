/**
 * Call: the sessions (legs) FreeSWITCH ties together, grouped by the
 * listener's call-tracking header (`variable_call_uuid` by default, which
 * switch_ivr_originate.c copies to the legs it bridges) or by a leg naming
 * its partner (loopback's `other_loopback_leg_uuid`, switchyard's
 * `sip_h_X-switchyard_call`).
 */

import type { Session } from './session.js';

export class Call {
  readonly id: string;
  readonly #sessions: Session[] = [];
  #first: Session | undefined;
  #last: Session | undefined;
  #vars: Record<string, unknown> | undefined;

  constructor(id: string) {
    this.id = id;
  }

  /** The legs still tracked, in the order they appeared. */
  get sessions(): readonly Session[] {
    return this.#sessions;
  }

  /** The leg that started the call (kept after it ends, for apps). */
  get first(): Session | undefined {
    return this.#first;
  }

  /** The most recent leg to join (the same as `first` while there is one). */
  get last(): Session | undefined {
    return this.#last;
  }

  /** Scratch space for apps. */
  get vars(): Record<string, unknown> {
    this.#vars ??= {};
    return this.#vars;
  }

  /** The other leg of a two-leg call: `last` for `first`, `first` for any other leg. */
  peer(session: Session): Session | undefined {
    if (session === this.#first) return this.#last === session ? undefined : this.#last;
    return this.#sessions.includes(session) || session === this.#last ? this.#first : undefined;
  }

  /**
   * Hangs the call up: the first leg still up (FreeSWITCH tears down what it
   * is bridged to), else every remaining leg. Like Session's verbs, an
   * un-awaited failure does not become an unhandled rejection.
   */
  hangup(cause = 'NORMAL_CLEARING'): Promise<void> {
    const done = this.#hangup(cause);
    done.catch(() => {});
    return done;
  }

  async #hangup(cause: string): Promise<void> {
    const live = this.#sessions.filter((s) => !s.hungup);
    const first = live[0];
    if (first === undefined) return;
    if (first === this.#first) {
      await first.hangup(cause);
      return;
    }
    await Promise.all(live.map((s) => s.hangup(cause)));
  }

  /** @internal */
  add(session: Session): void {
    this.#sessions.push(session);
    this.#first ??= session;
    this.#last = session;
  }

  /** @internal Returns how many legs are left. */
  remove(session: Session): number {
    const i = this.#sessions.indexOf(session);
    if (i >= 0) this.#sessions.splice(i, 1);
    return this.#sessions.length;
  }
}
