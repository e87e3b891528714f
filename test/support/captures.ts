/**
 * The real FreeSWITCH captures in the `shared` folder beside the repository
 * (`<repo>/../shared/captures`), read in place: never copied or edited.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const repoRoot = new URL('../../', import.meta.url);
export const capturesDir = new URL('../shared/captures/', repoRoot);

export interface CaptureMeta {
  readonly name: string;
  readonly about?: string;
  readonly steps?: ReadonlyArray<Record<string, unknown>>;
  /** Every frame received: its content type, then the event name for events. */
  readonly frames?: readonly string[];
  readonly [key: string]: unknown;
}

export interface Capture {
  /** Every byte FreeSWITCH sent. */
  readonly in: Buffer;
  /** Every byte the client (or, for outbound, our server) sent. */
  readonly out: Buffer;
  readonly meta: CaptureMeta;
}

function requireDir(): string {
  const dir = fileURLToPath(capturesDir);
  if (!existsSync(dir)) {
    throw new Error(
      `FreeSWITCH captures not found at ${dir}: the tests expect the read-only 'shared' folder beside the repository (shared/captures/*.in.esl)`,
    );
  }
  return dir;
}

/** Scenario names (`auth-api`, `loopback-plain`, ...), sorted. */
export function listCaptures(): string[] {
  return readdirSync(requireDir())
    .filter((f) => f.endsWith('.in.esl'))
    .map((f) => f.slice(0, -'.in.esl'.length))
    .sort();
}

const cache = new Map<string, Capture>();

export function readCapture(name: string): Capture {
  const hit = cache.get(name);
  if (hit !== undefined) return hit;
  const dir = requireDir();
  const path = (ext: string): string => `${dir}${name}${ext}`;
  if (!existsSync(path('.in.esl'))) throw new Error(`no capture named ${JSON.stringify(name)} in ${dir}`);
  const capture: Capture = {
    in: readFileSync(path('.in.esl')),
    out: existsSync(path('.out.esl')) ? readFileSync(path('.out.esl')) : Buffer.alloc(0),
    meta: existsSync(path('.json')) ? (JSON.parse(readFileSync(path('.json'), 'utf8')) as CaptureMeta) : { name },
  };
  cache.set(name, capture);
  return capture;
}
