/**
 * What this connection asked FreeSWITCH to send (events, filters, log level),
 * recorded when FreeSWITCH accepts it, so it can be asked again on a new socket
 * after a reconnect.
 *
 * Semantics follow mod_event_socket.c: `event <format> ...` adds to the set and
 * switches the format of the whole listener; every token after `CUSTOM` is a
 * subclass; `ALL` enables everything; `nixevent` removes (`nixevent ALL` clears);
 * `noevents` clears events but keeps filters; `filter delete <h>` without a
 * value drops every filter on that header and `filter delete all` drops all.
 */

import type { EventFormat } from '../protocol/names.js';

export interface EventSelection {
  /** Event names, CUSTOM excluded, in first-seen order. */
  readonly events: readonly string[];
  /** CUSTOM subclasses (`sofia::register`). */
  readonly subclasses: readonly string[];
}

/**
 * Splits caller tokens into event names and CUSTOM subclasses. A token with
 * `::` is a subclass wherever it appears; so is every token after `CUSTOM`, as
 * FreeSWITCH reads it. Tokens may also hold several names separated by spaces.
 */
export function splitEventTokens(tokens: readonly string[]): EventSelection {
  const events: string[] = [];
  const subclasses: string[] = [];
  let afterCustom = false;
  for (const raw of tokens) {
    for (const token of raw.split(' ')) {
      if (token === '') continue;
      if (token.toUpperCase() === 'CUSTOM') {
        afterCustom = true;
        continue;
      }
      if (afterCustom || token.includes('::')) {
        if (!subclasses.includes(token)) subclasses.push(token);
      } else if (!events.includes(token.toUpperCase())) {
        events.push(token.toUpperCase());
      }
    }
  }
  return { events, subclasses };
}

/**
 * The token list for `event`/`nixevent`, ordered so FreeSWITCH reads it as
 * meant: plain event names first, then `CUSTOM` and its subclasses last.
 */
export function eventTokens(selection: EventSelection): string[] {
  if (selection.subclasses.length === 0) return [...selection.events];
  return [...selection.events, 'CUSTOM', ...selection.subclasses];
}

export class Subscriptions {
  #format: EventFormat | undefined;
  readonly #events = new Set<string>();
  readonly #subclasses = new Set<string>();
  #filters: [string, string][] = [];
  #logLevel: string | number | undefined;

  get format(): EventFormat | undefined {
    return this.#format;
  }

  /** The events to ask for again, or undefined when none. */
  get selection(): EventSelection | undefined {
    if (this.#events.size === 0 && this.#subclasses.size === 0) return undefined;
    return { events: [...this.#events], subclasses: [...this.#subclasses] };
  }

  get filters(): readonly (readonly [string, string])[] {
    return this.#filters;
  }

  get logLevel(): string | number | undefined {
    return this.#logLevel;
  }

  /** True when FreeSWITCH will send HEARTBEAT on its own every 20 s. */
  get hearsHeartbeat(): boolean {
    return this.#events.has('ALL') || this.#events.has('HEARTBEAT');
  }

  subscribed(selection: EventSelection, format: EventFormat): void {
    this.#format = format;
    for (const e of selection.events) this.#events.add(e);
    for (const s of selection.subclasses) this.#subclasses.add(s);
  }

  unsubscribed(selection: EventSelection): void {
    if (selection.events.includes('ALL')) {
      this.#events.clear();
      this.#subclasses.clear();
      return;
    }
    for (const e of selection.events) this.#events.delete(e);
    for (const s of selection.subclasses) this.#subclasses.delete(s);
  }

  noEvents(): void {
    this.#events.clear();
    this.#subclasses.clear();
    this.#format = undefined;
  }

  filterAdded(header: string, value: string): void {
    if (!this.#filters.some(([h, v]) => h === header && v === value)) this.#filters.push([header, value]);
  }

  filterDeleted(header: string, value: string | undefined): void {
    if (value === undefined && header.toLowerCase() === 'all') {
      this.#filters = [];
      return;
    }
    this.#filters = this.#filters.filter(([h, v]) => !(h === header && (value === undefined || v === value)));
  }

  logging(level: string | number | undefined): void {
    this.#logLevel = level;
  }
}
