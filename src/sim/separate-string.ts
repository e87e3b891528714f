/**
 * FreeSWITCH's string splitter, as the simulator and the round-trip tests of
 * the client's escaping read command lines: switch_separate_string() with
 * separate_string_char_delim() / separate_string_blank_delim() and
 * cleanup_separated_string() (switch_utils.c), and switch_find_end_paren().
 * A `\` escapes the next byte while splitting; cleanup then drops quotes and
 * resolves `\'`, `\"`, `\\`, `\<delim>` and `\n \r \t \s`, keeping any
 * other backslash. Written from reading those functions' behaviour.
 */

const ESCAPE = '\\';

function unescapeChar(c: string): string {
  switch (c) {
    case 'n':
      return '\n';
    case 'r':
      return '\r';
    case 't':
      return '\t';
    case 's':
      return ' ';
    default:
      return c;
  }
}

/** Strips quotes, resolves escapes, trims edge spaces (not quoted or escaped ones). */
export function cleanup(str: string, delim: string | undefined): string {
  let i = 0;
  while (str[i] === ' ') i++;
  let out = '';
  let end = -1;
  let inside = false;
  for (; i < str.length; i++) {
    const c = str[i]!;
    let escaped = false;
    if (c === ESCAPE && i + 1 < str.length) {
      const e = str[i + 1]!;
      const mapped = unescapeChar(e);
      if (e === "'" || e === '"' || (delim !== undefined && e === delim) || e === ESCAPE || mapped !== e) {
        i++;
        out += mapped;
        end = out.length;
        escaped = true;
      }
    }
    if (escaped) continue;
    if (c === "'" && (inside || str.indexOf("'", i + 1) >= 0)) {
      inside = !inside;
      if (inside) end = out.length;
    } else {
      out += c;
      if (c !== ' ' || inside) end = out.length;
    }
  }
  return end >= 0 ? out.slice(0, end) : out;
}

/** separate_string_char_delim(): the last element runs to the end once `max` are found. */
function splitChar(buf: string, delim: string, max: number): string[] {
  const starts: number[] = [];
  const cuts: number[] = [];
  let find = false;
  let inside = false;
  let i = 0;
  while (i < buf.length && starts.length < max) {
    if (!find) {
      starts.push(i);
      find = true;
      continue;
    }
    const c = buf[i]!;
    if (c === ESCAPE) i++;
    else if (c === "'" && (inside || buf.indexOf("'", i + 1) >= 0)) inside = !inside;
    else if (c === delim && !inside) {
      cuts.push(i);
      find = false;
    }
    i++;
  }
  return starts.map((start, k) => cleanup(buf.slice(start, cuts[k] ?? buf.length), delim));
}

/** separate_string_blank_delim(): quotes toggle unconditionally here. */
function splitBlank(buf: string, max: number): string[] {
  const starts: number[] = [];
  const cuts: number[] = [];
  let state: 'start' | 'skipInitial' | 'find' | 'skipEnding' = 'start';
  let inside = false;
  let i = 0;
  while (i < buf.length && starts.length < max) {
    const c = buf[i]!;
    if (state === 'start') {
      starts.push(i);
      state = 'skipInitial';
    } else if (state === 'skipInitial') {
      if (c === ' ') i++;
      else state = 'find';
    } else if (state === 'find') {
      if (c === ESCAPE) i++;
      else if (c === "'") inside = !inside;
      else if (c === ' ' && !inside) {
        cuts.push(i);
        state = 'skipEnding';
      }
      i++;
    } else if (c === ' ') i++;
    else state = 'start';
  }
  return starts.map((start, k) => cleanup(buf.slice(start, cuts[k] ?? buf.length), undefined));
}

/** switch_separate_string(buf, delim, array, max). */
export function separateString(buf: string, delim: string, max: number): string[] {
  let b = buf;
  let d = delim;
  if (b.startsWith('^^') && b.length > 3) {
    d = b[2]!;
    b = b.slice(3);
  }
  return d === ' ' ? splitBlank(b, max) : splitChar(b, d, max);
}

export function findEndParen(s: string, open: string, close: string): number {
  if (s[0] !== open) return -1;
  let depth = 1;
  for (let i = 1; i < s.length; i++) {
    if (s[i] === open) depth++;
    else if (s[i] === close && --depth === 0) return i;
  }
  return -1;
}
