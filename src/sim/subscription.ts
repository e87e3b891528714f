/**
 * One listener's event subscription and filters, as mod_event_socket.c keeps
 * them: `event_list[]` (with ALL), the CUSTOM subclass hash, the format, and
 * the `filters` event. Pure: the listener asks `wants(event)` for each event.
 *
 * Filter semantics (event_handler()): with no filter every subscribed event
 * passes; once any filter exists an event passes only when one of its headers
 * equals (case-insensitively, or by /regex/) a filter's value. A value starting
 * with `-` makes a filter exclude instead; `+` is the default.
 */
import type { EventFormat } from '../protocol/names.js';
import { canonicalEventName, KNOWN_EVENT_NAMES } from './event.js';

export interface FilterableEvent {
  readonly name: string;
  readonly subclass: string | undefined;
  get(header: string): string | undefined;
}

export class Subscription {
  format: EventFormat = 'plain';
  /** LFLAG_EVENTS: set by `event`/`nixevent`, cleared by `noevents`. */
  enabled = false;
  /** Events only of this uuid (LFLAG_MYEVENTS), or undefined. */
  myUuid: string | undefined;
  readonly #names = new Set<string>();
  readonly #subclasses = new Set<string>();
  #all = false;
  readonly #filters: Array<[string, string]> = [];

  /**
   * `event [plain|json|xml] NAME...`: the number of known names taken (0 means
   * FreeSWITCH's `-ERR no keywords supplied`). Every token after CUSTOM is a
   * subclass.
   */
  subscribe(tokens: readonly string[]): number {
    let keys = 0;
    let custom = false;
    tokens.forEach((token, i) => {
      if (i === 0) {
        const format = token.toLowerCase();
        if (format === 'plain' || format === 'json' || format === 'xml') {
          this.format = format;
          return;
        }
      }
      if (custom) {
        this.#subclasses.add(token);
        return;
      }
      const name = canonicalEventName(token);
      if (name === undefined) return;
      keys++;
      if (name === 'ALL') this.#all = true;
      else this.#names.add(name);
      if (name === 'CUSTOM') custom = true;
    });
    if (keys > 0) this.enabled = true;
    return keys;
  }

  /** `nixevent NAME...`: the number of known names (0 means `-ERR no keywords supplied`). */
  nix(tokens: readonly string[]): number {
    let keys = 0;
    let custom = false;
    for (const token of tokens) {
      if (custom) {
        this.#subclasses.delete(token);
        continue;
      }
      const name = canonicalEventName(token);
      if (name === undefined) continue;
      keys++;
      if (name === 'CUSTOM') {
        custom = true;
      } else if (name === 'ALL') {
        this.#all = false;
        this.#names.clear();
      } else {
        if (this.#all) {
          // ALL is expanded into every name, then this one is removed.
          this.#all = false;
          for (const known of KNOWN_EVENT_NAMES) if (known !== 'ALL') this.#names.add(known);
        }
        this.#names.delete(name);
      }
    }
    if (keys > 0) this.enabled = true;
    return keys;
  }

  /** `noevents`: false when there was nothing to stop (`-ERR not listening for events`). */
  clear(): boolean {
    const was = this.enabled;
    this.enabled = false;
    this.#all = false;
    this.#names.clear();
    this.#subclasses.clear();
    return was;
  }

  addFilter(header: string, value: string): void {
    this.#filters.push([header, value]);
  }

  /** `filter delete HEADER [VALUE]` or `filter delete all` (switch_event_del_header_val). */
  deleteFilter(header: string, value: string | undefined): void {
    if (header.toLowerCase() === 'all') {
      this.#filters.length = 0;
      return;
    }
    const lower = header.toLowerCase();
    for (let i = this.#filters.length - 1; i >= 0; i--) {
      const [h, v] = this.#filters[i]!;
      if (h.toLowerCase() === lower && (value === undefined || v.toLowerCase() === value.toLowerCase())) {
        this.#filters.splice(i, 1);
      }
    }
  }

  get filters(): ReadonlyArray<readonly [string, string]> {
    return this.#filters;
  }

  /** Whether the event is subscribed (name, subclass) and passes the filters. */
  wants(event: FilterableEvent): boolean {
    if (!this.enabled) return false;
    if (!this.#subscribed(event)) return false;
    if (this.#filters.length > 0 && !this.#passesFilters(event)) return false;
    if (this.myUuid !== undefined && event.get('Unique-ID') !== this.myUuid) return false;
    return true;
  }

  #subscribed(event: FilterableEvent): boolean {
    if (this.#all) return true;
    if (!this.#names.has(event.name)) return false;
    return event.name !== 'CUSTOM' || event.subclass === undefined || this.#subclasses.has(event.subclass);
  }

  #passesFilters(event: FilterableEvent): boolean {
    let send = false;
    for (const [header, raw] of this.#filters) {
      const value = event.get(header);
      if (value === undefined) continue;
      let pos = true;
      let i = 0;
      for (; i < raw.length; i++) {
        const c = raw[i];
        if (c === '+') pos = true;
        else if (c === '-') pos = false;
        else if (c !== ' ') break;
      }
      if (send && pos) continue;
      const compareTo = raw.slice(i);
      const match = raw.startsWith('/') ? regexMatch(value, compareTo) : value.toLowerCase() === compareTo.toLowerCase();
      if (match) {
        if (!pos) return false;
        send = true;
      }
    }
    return send;
  }
}

/** switch_regex_perform with a `/pattern/flags` expression (or a bare pattern). */
function regexMatch(value: string, expression: string): boolean {
  let pattern = expression;
  let flags = '';
  if (pattern.startsWith('/')) {
    const close = pattern.lastIndexOf('/');
    if (close > 0) {
      flags = pattern.slice(close + 1).replace(/[^imsu]/g, '');
      pattern = pattern.slice(1, close);
    } else {
      pattern = pattern.slice(1);
    }
  }
  try {
    return new RegExp(pattern, flags).test(value);
  } catch {
    return false;
  }
}
