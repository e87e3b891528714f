/**
 * The headers of one event, decoded once and kept as a single string: the
 * compact form a quiet session keeps instead of its latest EslEvent (whose
 * line index and buffers cost about 1.5 KB more).
 *
 * Records are `\0name\x01value`. FreeSWITCH headers are C strings
 * (switch_event.c), so neither names nor values hold NUL: a record is found
 * with one native search and ends at the next NUL. Later records win, as in
 * EslEvent (a repeated header resolves to its last occurrence), which also
 * lets a leaner, newer event's headers be appended over a fuller, older one's.
 */

import type { EslEvent } from '../protocol/event.js';

const RECORD = '\0';
const VALUE = '\x01';

export class HeaderText {
  readonly #text: string;

  /** `events` oldest first: later ones override, and override `base`. */
  constructor(events: readonly EslEvent[], base?: HeaderText) {
    // One join makes one flat string (`+=` would keep a rope of every piece).
    const parts: string[] = base === undefined ? [] : [base.#text.slice(0, -1)];
    for (const event of events) {
      for (const [name, value] of event.entries()) parts.push(RECORD, name, VALUE, value);
    }
    parts.push(RECORD);
    this.#text = parts.join('');
  }

  /** The header's value; the name matches case-insensitively, exact case first. */
  get(name: string): string | undefined {
    const text = this.#text;
    let at = text.lastIndexOf(`${RECORD}${name}${VALUE}`);
    let nameLength = name.length;
    if (at < 0) {
      const lower = name.toLowerCase();
      at = -1;
      for (let i = text.lastIndexOf(RECORD, text.length - 2); i >= 0; i = text.lastIndexOf(RECORD, i - 1)) {
        const sep = text.indexOf(VALUE, i);
        if (sep - i - 1 === name.length && text.slice(i + 1, sep).toLowerCase() === lower) {
          at = i;
          nameLength = sep - i - 1;
          break;
        }
        if (i === 0) break;
      }
      if (at < 0) return undefined;
    }
    const start = at + nameLength + 2;
    return text.slice(start, text.indexOf(RECORD, start));
  }
}
