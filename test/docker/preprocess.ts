/**
 * A faithful model of FreeSWITCH's XML preprocessor (src/switch_xml.c:
 * preprocess, preprocess_glob, preprocess_exec_set, expand_vars), used to
 * assemble docker/freeswitch/conf the way FreeSWITCH will before its XML
 * parser runs. It is stricter than FreeSWITCH where FreeSWITCH is silently
 * lenient: an unknown `$${var}` (FreeSWITCH expands it to nothing), an include
 * that matches no file (FreeSWITCH logs and carries on) and any command other
 * than set / exec-set / include throw, so a config mistake fails the test
 * instead of starting a half-configured server.
 *
 * Behaviours kept on purpose because they bite real configs:
 * - the preprocessor works line by line, and a line holding a directive is
 *   dropped whole, text before and after it included;
 * - a line that mentions the directive name without a `<` right before it
 *   (a comment, typically) is dropped too — which breaks a multi-line comment;
 * - lines containing `<include>`, `</include>` or `<?` are dropped;
 * - `$${var}` is expanded everywhere, comments included, before anything else;
 * - exec-set assigns only a non-empty output, trailing spaces/newlines removed.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';

export interface PreprocessOptions {
  /** Core variables FreeSWITCH sets before reading its config (local_ip_v4, ...). */
  readonly coreVars: Readonly<Record<string, string>>;
  /** The process environment seen by exec-set commands. */
  readonly env: Readonly<Record<string, string>>;
}

export interface Preprocessed {
  /** The document FreeSWITCH's XML parser would receive. */
  readonly text: string;
  /** Every file read, in order, as absolute paths. */
  readonly files: readonly string[];
  /** Global variables after preprocessing (core variables included). */
  readonly vars: ReadonlyMap<string, string>;
}

const MAX_DEPTH = 100; // switch_xml.c refuses to recurse deeper than rlevel 100

export function preprocess(mainFile: string, options: PreprocessOptions): Preprocessed {
  const vars = new Map(Object.entries(options.coreVars));
  const files: string[] = [];
  const out: string[] = [];
  processFile(dirname(mainFile), mainFile, 0, { vars, files, out, env: options.env });
  return { text: out.join('\n'), files, vars };
}

interface State {
  readonly vars: Map<string, string>;
  readonly files: string[];
  readonly out: string[];
  readonly env: Readonly<Record<string, string>>;
}

function processFile(cwd: string, file: string, depth: number, state: State): void {
  if (depth > MAX_DEPTH) throw new Error(`include depth over ${MAX_DEPTH} at ${file}`);
  state.files.push(file);
  const lines = readFileSync(file, 'utf8').split('\n');
  lines.forEach((raw, index) => {
    const where = `${file}:${index + 1}`;
    const line = expandVars(raw, state.vars, where);
    if (line.includes('<include>') || line.includes('</include>') || line.includes('<?')) return;
    if (line.includes('<!--#')) throw new Error(`${where}: <!--# directives are not supported here`);
    const at = line.toLowerCase().indexOf('x-pre-process');
    if (at < 0) {
      state.out.push(line);
      return;
    }
    // FreeSWITCH skips such a line without acting on it; we skip it too.
    if (line[at - 1] !== '<') return;
    const directive = parseDirective(line.slice(at), where);
    runDirective(directive, cwd, depth, state, where);
  });
}

function expandVars(line: string, vars: ReadonlyMap<string, string>, where: string): string {
  return line.replace(/\$\$\{([^}]*)\}/g, (_all, name: string) => {
    const value = vars.get(name);
    if (value === undefined) throw new Error(`${where}: $\${${name}} is not defined before use`);
    return value;
  });
}

interface Directive {
  readonly cmd: string;
  readonly data: string;
}

/** The same scan as switch_xml.c: `cmd`, `=`, a quoted value; then `data`, `=`, a quoted value. */
function parseDirective(text: string, where: string): Directive {
  const cmd = quotedAfter(text, 'cmd', where);
  const data = quotedAfter(text.slice(cmd.end), 'data', where);
  return { cmd: cmd.value, data: data.value };
}

function quotedAfter(text: string, key: string, where: string): { value: string; end: number } {
  const k = text.toLowerCase().indexOf(key);
  const eq = k < 0 ? -1 : text.indexOf('=', k);
  const open = eq < 0 ? -1 : text.indexOf('"', eq);
  const close = open < 0 ? -1 : text.indexOf('"', open + 1);
  if (close < 0) throw new Error(`${where}: directive without a quoted ${key}`);
  return { value: text.slice(open + 1, close), end: close + 1 };
}

function runDirective(d: Directive, cwd: string, depth: number, state: State, where: string): void {
  switch (d.cmd.toLowerCase()) {
    case 'set':
      runSet(d.data, state, where);
      return;
    case 'exec-set':
      runExecSet(d.data, state, where);
      return;
    case 'include':
      runInclude(d.data, cwd, depth, state, where);
      return;
    default:
      throw new Error(`${where}: preprocessor command "${d.cmd}" is not allowed in this configuration`);
  }
}

function splitAssignment(data: string, where: string): [string, string] {
  const eq = data.indexOf('=');
  if (eq < 0) throw new Error(`${where}: "${data}" is not name=value`);
  return [data.slice(0, eq).trimEnd(), data.slice(eq + 1).replace(/^ +/, '')];
}

function runSet(data: string, state: State, where: string): void {
  const [name, value] = splitAssignment(data, where);
  state.vars.set(name, value);
}

/**
 * Only `printenv NAME`, optionally piped through `grep .`, is modelled: that
 * is all this configuration needs, and anything else would run a shell the
 * test cannot check.
 */
function runExecSet(data: string, state: State, where: string): void {
  const [name, command] = splitAssignment(data, where);
  const m = /^printenv ([A-Za-z_][A-Za-z0-9_]*)( \| grep \.)?$/.exec(command);
  if (!m) throw new Error(`${where}: exec-set command "${command}" is not modelled`);
  const value = state.env[m[1]!];
  // printenv prints nothing for an unset variable, "\n" for an empty one;
  // `grep .` drops empty lines.
  const printed = value === undefined ? '' : m[2] && value === '' ? '' : `${value}\n`;
  if (printed === '') return;
  state.vars.set(name, printed.replace(/[ \n]+$/, ''));
}

function runInclude(pattern: string, cwd: string, depth: number, state: State, where: string): void {
  const full = isAbsolute(pattern) ? pattern : join(cwd, pattern);
  const matches = globFiles(full);
  if (matches.length === 0) throw new Error(`${where}: include "${pattern}" matches no file`);
  for (const file of matches) processFile(dirname(file), file, depth + 1, state);
}

/** glob(3) for the patterns a FreeSWITCH config uses: `*` and `?` in the last path segment, sorted. */
function globFiles(full: string): string[] {
  const dir = resolve(dirname(full));
  const last = full.slice(full.lastIndexOf('/') + 1);
  if (!/[*?[]/.test(last)) {
    const exists = statSync(join(dir, last), { throwIfNoEntry: false })?.isFile() ?? false;
    return exists ? [join(dir, last)] : [];
  }
  if (last.includes('[')) throw new Error(`bracket globs are not modelled: ${full}`);
  const re = new RegExp(`^${last.replace(/[.+^${}()|\\]/g, '\\$&').replace(/\*/g, '[^/]*').replace(/\?/g, '[^/]')}$`);
  const names = statSync(dir, { throwIfNoEntry: false })?.isDirectory() ? readdirSync(dir) : [];
  return names
    .filter((name) => !name.startsWith('.') && re.test(name))
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
    .map((name) => join(dir, name))
    .filter((path) => statSync(path).isFile());
}
