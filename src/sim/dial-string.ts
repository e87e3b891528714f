/**
 * The arguments of `originate`, parsed as mod_commands.c originate_function
 * and switch_ivr_originate.c read them:
 *
 *   originate <call url> <exten>|&<application_name>(<app_args>) [<dialplan>] [<context>] [<cid_name>] [<cid_num>] [<timeout_sec>]
 *
 * A call url is `{var=value,...}` channel variables for every leg, then legs
 * separated by `|` (tried in turn) or `,` (rung together; the simulator rings
 * the first), each with optional `[var=value]` of its own, then `tech/data`.
 * Values may be single-quoted to hold commas and spaces.
 */

import { separateString } from './separate-string.js';

export interface DialLeg {
  readonly tech: string;
  readonly data: string;
  /** The global `{}` variables then the leg's `[]` ones, in order. */
  readonly vars: ReadonlyArray<readonly [string, string]>;
}

export interface OriginateRequest {
  /** Legs to try one after the other. */
  readonly legs: readonly DialLeg[];
  /** `&app(args)` form. */
  readonly app: { readonly name: string; readonly arg: string } | undefined;
  /** Extension form. */
  readonly exten: string | undefined;
  readonly dialplan: string;
  readonly context: string;
  readonly cidName: string | undefined;
  readonly cidNum: string | undefined;
  readonly timeoutSec: number | undefined;
}

export const ORIGINATE_USAGE =
  '-USAGE: <call url> <exten>|&<application_name>(<app_args>) [<dialplan>] [<context>] [<cid_name>] [<cid_num>] [<timeout_sec>]\n';

/** Splits on spaces outside quotes, braces, brackets and parentheses (switch_separate_string, lenient). */
export function splitArgs(text: string): string[] {
  const out: string[] = [];
  let cur = '';
  let depth = 0;
  let quote = false;
  for (const c of text) {
    if (c === "'" && depth >= 0) quote = !quote;
    else if (!quote && (c === '{' || c === '[' || c === '(' || c === '<')) depth++;
    else if (!quote && (c === '}' || c === ']' || c === ')' || c === '>')) depth = Math.max(0, depth - 1);
    if (c === ' ' && !quote && depth === 0) {
      if (cur !== '') out.push(cur);
      cur = '';
      continue;
    }
    cur += c;
  }
  if (cur !== '') out.push(cur);
  return out;
}

/**
 * `a=1,b='x, y',c=PCMU\,PCMA` -> [['a','1'],['b','x, y'],['c','PCMU,PCMA']], as
 * switch_event_create_brackets reads a `{}` / `[]` block: split on `,` (or the
 * `^^<d>` delimiter) and then each item on its first `=`, both with
 * switch_separate_string, so quotes and `\,` protect a comma. Items without
 * a name and a value are dropped.
 */
export function parseVars(text: string): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (const item of separateString(text, ',', 1024)) {
    const pair = separateString(item, '=', 2);
    if (pair.length !== 2 || pair[0] === '') continue;
    out.push([pair[0]!, pair[1]!]);
  }
  return out;
}

/** Splits on `sep` outside quotes and brackets. */
function splitTopLevel(text: string, sep: string): string[] {
  const out: string[] = [];
  let cur = '';
  let depth = 0;
  let quote = false;
  for (const c of text) {
    if (c === "'") quote = !quote;
    else if (!quote && (c === '{' || c === '[' || c === '<')) depth++;
    else if (!quote && (c === '}' || c === ']' || c === '>')) depth = Math.max(0, depth - 1);
    if (c === sep && !quote && depth === 0) {
      out.push(cur);
      cur = '';
      continue;
    }
    cur += c;
  }
  out.push(cur);
  return out;
}

/** Reads a leading `{...}` or `[...]` block: [vars text, rest] or undefined. */
function leadingBlock(text: string, open: string, close: string): [string, string] | undefined {
  if (!text.startsWith(open)) return undefined;
  let quote = false;
  for (let i = 1; i < text.length; i++) {
    const c = text[i];
    if (c === "'") quote = !quote;
    else if (c === close && !quote) return [text.slice(1, i), text.slice(i + 1)];
  }
  return undefined;
}

export function parseCallUrl(url: string): DialLeg[] {
  let rest = url.trim();
  const globals: Array<[string, string]> = [];
  const brace = leadingBlock(rest, '{', '}');
  if (brace) {
    globals.push(...parseVars(brace[0]));
    rest = brace[1];
  }
  const legs: DialLeg[] = [];
  for (const group of splitTopLevel(rest, '|')) {
    const first = splitTopLevel(group, ',')[0]?.trim() ?? '';
    let legText = first;
    const own: Array<[string, string]> = [];
    const bracket = leadingBlock(legText, '[', ']');
    if (bracket) {
      own.push(...parseVars(bracket[0]));
      legText = bracket[1];
    }
    const slash = legText.indexOf('/');
    if (legText === '') continue;
    const tech = slash < 0 ? legText : legText.slice(0, slash);
    const data = slash < 0 ? '' : legText.slice(slash + 1);
    legs.push({ tech: tech.toLowerCase(), data, vars: [...globals, ...own] });
  }
  return legs;
}

/** The whole `originate` argument string, or undefined for a usage error. */
export function parseOriginate(args: string): OriginateRequest | undefined {
  const argv = splitArgs(args.trim());
  if (argv.length < 2) return undefined;
  const legs = parseCallUrl(argv[0]!);
  if (legs.length === 0) return undefined;
  // switch_separate_string drops the quotes that let `'&socket(host:port async full)'` hold spaces.
  const quoted = argv[1]!;
  const target = quoted.length >= 2 && quoted.startsWith("'") && quoted.endsWith("'") ? quoted.slice(1, -1) : quoted;
  let app: OriginateRequest['app'];
  let exten: string | undefined;
  if (target.startsWith('&')) {
    const m = /^&([^(\s]+)(?:\((.*)\))?$/s.exec(target);
    if (!m) return undefined;
    app = { name: m[1]!, arg: m[2] ?? '' };
  } else {
    exten = target;
  }
  const timeout = argv[6] !== undefined ? Number.parseInt(argv[6], 10) : undefined;
  return {
    legs,
    app,
    exten,
    dialplan: argv[2] ?? 'XML',
    context: argv[3] ?? 'default',
    cidName: argv[4],
    cidNum: argv[5],
    timeoutSec: timeout !== undefined && Number.isFinite(timeout) && timeout > 0 ? timeout : undefined,
  };
}
