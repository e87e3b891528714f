/**
 * A model of how FreeSWITCH 1.10/1.11 reads an `originate` command line, for
 * round-trip tests of buildOriginate: switch_separate_string() and
 * cleanup_separated_string() (switch_utils.c), switch_find_end_paren(),
 * switch_event_create_brackets() (switch_event.c) and originate_function()
 * (mod_commands.c). Written from reading those functions' behaviour; the
 * splitter itself is the simulator's (src/sim/separate-string.ts).
 */

import { findEndParen, separateString } from '../../src/sim/separate-string.js';

export { cleanup, findEndParen, separateString } from '../../src/sim/separate-string.js';

export interface ParsedOriginate {
  readonly vars: Map<string, string>;
  readonly dial: string;
  readonly app?: string;
  readonly appArgs?: string;
  readonly exten?: string;
  readonly dialplan?: string;
  readonly context?: string;
}

/** What FreeSWITCH makes of `originate <args>`. */
export function parseOriginate(command: string): ParsedOriginate {
  if (!command.startsWith('originate ')) throw new Error(`not an originate: ${command}`);
  const argv = separateString(command.slice('originate '.length), ' ', 10);
  if (argv.length < 2 || argv.length > 7) throw new Error(`-USAGE (argc ${argv.length})`);
  const aleg = argv[0]!;
  const vars = new Map<string, string>();
  let dial = aleg;
  if (aleg.startsWith('{')) {
    const end = findEndParen(aleg, '{', '}');
    if (end < 0) throw new Error('unterminated {');
    let block = aleg.slice(1, end);
    dial = aleg.slice(end + 1);
    let delim = ',';
    if (block.startsWith('^^')) {
      delim = block[2]!;
      block = block.slice(3);
    }
    for (const item of separateString(block, delim, 1024)) {
      const pair = separateString(item, '=', 2);
      if (pair.length === 2) vars.set(pair[0]!, pair[1]!);
    }
  }
  const exten = argv[1]!;
  if (exten.startsWith('&') && exten.length > 1) {
    let app = exten.slice(1);
    const close = app.indexOf(')');
    if (close >= 0) app = app.slice(0, close);
    const open = app.indexOf('(');
    const appArgs = open >= 0 ? app.slice(open + 1) : undefined;
    return { vars, dial, app: open >= 0 ? app.slice(0, open) : app, ...(appArgs === undefined ? {} : { appArgs }) };
  }
  return {
    vars,
    dial,
    exten,
    ...(argv[2] === undefined ? {} : { dialplan: argv[2] }),
    ...(argv[3] === undefined ? {} : { context: argv[3] }),
  };
}
