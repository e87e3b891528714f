/**
 * Quoting for FreeSWITCH's argument splitter, switch_separate_string() and
 * cleanup_separated_string() in switch_utils.c.
 *
 * FreeSWITCH splits command arguments in layers, and every layer strips
 * unescaped single quotes, turns `\x` escapes back into `x` and trims spaces:
 *
 *   originate {a=v1,b=v2}sofia/... &park()
 *   1. mod_commands.c splits the whole line on blanks (quotes group words);
 *   2. switch_event_create_brackets() (switch_event.c) splits the `{}` block
 *      on `,`;
 *   3. each `name=value` is split on the first `=`.
 *
 * A value must therefore be escaped for the innermost layer first and for the
 * outermost last, so that each pass of the splitter peels exactly one layer.
 * Escapes used: `\\`, `\'`, `\<delim>` and `\s` (a space the trimming must
 * keep); a blank-layer value holding spaces is wrapped in single quotes.
 */

import { InvalidArgumentError } from '../errors.js';

/** CR, LF and NUL end a command line on the wire: never let them through. */
export function assertNoLineBreak(value: string, what: string): void {
  if (/[\r\n\0]/.test(value)) {
    throw new InvalidArgumentError(`${what} must not contain CR, LF or NUL: ${JSON.stringify(value)}`);
  }
}

/**
 * Escapes `value` so that one pass of switch_separate_string(buf, delim) turns
 * it back into exactly `value`, as one element.
 *
 * `escapeDelim: false` is for the last element of a split with a bounded
 * array (`name=value` splits in two: the value may hold `=` unescaped).
 *
 * A backslash is doubled only where cleanup_separated_string() would read it
 * as an escape (before a quote, a backslash, the delimiter, n r t s, or at the
 * end): `\,` then reaches the `{}` split intact, the form FreeSWITCH's own
 * documentation uses, which builds that do not undo `\\` read too.
 */
export function escapeForSplit(value: string, delim: string, escapeDelim = true): string {
  const blank = delim === ' ';
  // Words with spaces are single-quoted, as FreeSWITCH users write them
  // (`{origination_caller_id_name='John Doe'}`), except in the last element
  // of a bounded split, which keeps its spaces anyway.
  const quote = blank && escapeDelim && (value === '' || value.includes(' '));
  // cleanup_separated_string() trims unquoted edge spaces; `\s` survives it.
  let first = 0;
  let last = value.length;
  if (!quote) {
    while (value[first] === ' ') first++;
    while (last > first && value[last - 1] === ' ') last--;
  }
  const edge = (i: number): boolean => !quote && (i < first || i >= last);
  let out = '';
  for (let i = 0; i < value.length; i++) {
    const ch = value[i]!;
    if (edge(i)) out += '\\s';
    else if (ch === '\\') {
      const next = i + 1 < value.length && edge(i + 1) ? '\\' : value[i + 1];
      out += readsAsEscape(next, blank ? undefined : delim) ? '\\\\' : '\\';
    } else if (ch === "'") out += "\\'";
    else if (!blank && escapeDelim && ch === delim) out += `\\${ch}`;
    else out += ch;
  }
  return quote ? `'${out}'` : out;
}

/** Would cleanup_separated_string() take a backslash before `next` as an escape? */
function readsAsEscape(next: string | undefined, delim: string | undefined): boolean {
  return next === undefined || next === delim || `'"\\nrts`.includes(next);
}

/**
 * A channel variable value inside an originate `{}` block: escaped for the
 * `=` split, then the `,` split, then the blank split of the command line.
 * Braces must balance: switch_find_end_paren() counts them, escapes or not.
 */
export function escapeVarValue(name: string, value: string): string {
  assertNoLineBreak(value, `value of ${name}`);
  assertBalancedBraces(value, `value of ${name}`);
  return escapeForSplit(escapeForSplit(escapeForSplit(value, '=', false), ','), ' ');
}

/** A single command argument split on blanks (app args, exten, context). */
export function escapeArg(value: string, what: string): string {
  assertNoLineBreak(value, what);
  return escapeForSplit(value, ' ');
}

/**
 * The last argument of a command that splits into a bounded number of
 * arguments (`uuid_setvar <uuid> <name> <value>`): it keeps its inner spaces
 * unquoted; quotes, escapes and edge spaces are still read.
 */
export function escapeLastArg(value: string, what: string): string {
  assertNoLineBreak(value, what);
  return escapeForSplit(value, ' ', false);
}

const VAR_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.:-]*$/;

/** Variable names are never escaped: refuse anything the splitters would touch. */
export function assertVarName(name: string): void {
  if (!VAR_NAME.test(name)) {
    throw new InvalidArgumentError(`invalid channel variable name ${JSON.stringify(name)}: use letters, digits, _ . : -`);
  }
}

function assertBalancedBraces(value: string, what: string): void {
  let depth = 0;
  for (const ch of value) {
    if (ch === '{') depth++;
    else if (ch === '}' && --depth < 0) break;
  }
  if (depth !== 0) {
    throw new InvalidArgumentError(`${what} has unbalanced braces, which end FreeSWITCH's {} block early: ${value}`);
  }
}
