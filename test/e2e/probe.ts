/**
 * A recording app for e2e tests: it remembers every session that reached the
 * events it listens to, and lets a test wait for one. Because the history is
 * kept, waiting for an event that already happened resolves at once: a test
 * never races FreeSWITCH between causing an event and starting to wait.
 */
import type { App, AppHandlers, Session, SessionCallback } from 'switchyard';

type ProbeEvent = 'CHANNEL_CREATE' | 'CHANNEL_PARK' | 'CHANNEL_ANSWER' | 'CHANNEL_HANGUP' | 'CHANNEL_DESTROY' | 'PLAYBACK_START';

interface Waiter {
  readonly event: ProbeEvent;
  readonly match: (session: Session) => boolean;
  readonly resolve: (session: Session) => void;
}

export class CallProbe {
  readonly #seen = new Map<ProbeEvent, Session[]>();
  readonly #waiters = new Set<Waiter>();
  readonly app: App;

  constructor(events: readonly ProbeEvent[] = ['CHANNEL_CREATE', 'CHANNEL_PARK', 'CHANNEL_ANSWER', 'CHANNEL_DESTROY']) {
    const handlers: Partial<Record<ProbeEvent, SessionCallback>> = {};
    for (const event of events) handlers[event] = (session) => this.#record(event, session);
    this.app = { name: 'E2eProbe', handlers: handlers satisfies AppHandlers };
  }

  /** Sessions seen with this event, in arrival order. */
  seen(event: ProbeEvent): readonly Session[] {
    return this.#seen.get(event) ?? [];
  }

  /** The first session (past or future) with this event that `match` accepts. */
  next(event: ProbeEvent, match: (session: Session) => boolean, what: string, timeoutMs = 15_000): Promise<Session> {
    const past = this.seen(event).find(match);
    if (past) return Promise.resolve(past);
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        event,
        match,
        resolve: (session) => {
          clearTimeout(timer);
          resolve(session);
        },
      };
      const timer = setTimeout(() => {
        this.#waiters.delete(waiter);
        reject(new Error(`no ${event} for ${what} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.#waiters.add(waiter);
    });
  }

  /** Resolves once every uuid has had this event. */
  all(event: ProbeEvent, uuids: readonly string[], what: string, timeoutMs = 15_000): Promise<Session[]> {
    return Promise.all(uuids.map((u) => this.next(event, (s) => s.uuid === u, `${what} ${u}`, timeoutMs)));
  }

  clear(): void {
    this.#seen.clear();
  }

  #record(event: ProbeEvent, session: Session): void {
    const list = this.#seen.get(event) ?? [];
    this.#seen.set(event, list);
    list.push(session);
    for (const waiter of this.#waiters) {
      if (waiter.event !== event || !waiter.match(session)) continue;
      this.#waiters.delete(waiter);
      waiter.resolve(session);
    }
  }
}
