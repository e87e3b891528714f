/**
 * Finds the App an `--app` argument names. A file is imported and its default
 * export (or its only export) used: an App object, or a class constructed with
 * no arguments. A name is one of the shipped apps, which live in apps/ (a
 * separate build): the CLI reaches them through the package's own
 * `switchyard/apps` export, as a user would.
 */

import { pathToFileURL } from 'node:url';
import type { App } from '../app.js';
import { InvalidArgumentError } from '../errors.js';
import type { AppRef } from './serve.js';

/** A variable, so TypeScript leaves the package self-reference to run time. */
const SHIPPED_APPS: string = 'switchyard/apps';
/** tsx's loader API, an optional peer: only a TypeScript app file needs it. */
const TSX_API: string = 'tsx/esm/api';

export interface ShippedApp {
  name: string;
  create: () => App;
}

/** Every export of `switchyard/apps` that constructs, without arguments, into an App. */
export async function shippedApps(): Promise<ShippedApp[]> {
  let mod: Record<string, unknown>;
  try {
    mod = (await import(SHIPPED_APPS)) as Record<string, unknown>;
  } catch (cause) {
    throw new Error(`the shipped apps are not available (cannot import ${SHIPPED_APPS}; is switchyard built?)`, { cause });
  }
  const found: ShippedApp[] = [];
  for (const value of Object.values(mod)) {
    if (typeof value !== 'function') continue;
    const create = () => new (value as new () => App)();
    let probe: unknown;
    try {
      probe = create();
    } catch {
      continue; // needs arguments: a helper, not an app
    }
    if (isApp(probe)) found.push({ name: probe.name, create });
  }
  return found;
}

export async function loadAppRef(ref: AppRef): Promise<App> {
  if (ref.kind === 'name') {
    const apps = await shippedApps();
    const app = apps.find((a) => a.name === ref.name);
    if (!app) {
      const names = apps.map((a) => a.name).join(', ');
      throw new InvalidArgumentError(`unknown app "${ref.name}" (shipped: ${names}); or pass a module file (./my-app.ts)`);
    }
    return app.create();
  }
  let mod: Record<string, unknown>;
  try {
    mod = await importAppModule(ref.path);
  } catch (cause) {
    if (cause instanceof InvalidArgumentError) throw cause;
    throw new InvalidArgumentError(`cannot load app ${ref.path}: ${(cause as Error).message}`, { cause });
  }
  const exports = Object.values(mod);
  const candidate = mod.default ?? (exports.length === 1 ? exports[0] : undefined);
  const app = typeof candidate === 'function' ? new (candidate as new () => unknown)() : candidate;
  if (!isApp(app)) {
    throw new InvalidArgumentError(
      `${ref.path} must export (default) an app: { name, handlers } or a class constructed without arguments`,
    );
  }
  return app;
}

function isApp(value: unknown): value is App {
  const v = value as Partial<App> | null;
  return typeof v === 'object' && v !== null && typeof v.name === 'string' && typeof v.handlers === 'object' && v.handlers !== null;
}

/**
 * Imports an app file. Node 20 cannot import `.ts` by itself: when it refuses
 * the extension, the file is loaded through tsx (if installed), so
 * `switchyard serve --app ./my-app.ts` works from the built CLI too.
 */
async function importAppModule(path: string): Promise<Record<string, unknown>> {
  const url = pathToFileURL(path).href;
  try {
    return (await import(url)) as Record<string, unknown>;
  } catch (error) {
    if ((error as { code?: unknown }).code !== 'ERR_UNKNOWN_FILE_EXTENSION') throw error;
  }
  let tsx: { tsImport: (specifier: string, parent: string) => Promise<Record<string, unknown>> };
  try {
    tsx = (await import(TSX_API)) as typeof tsx;
  } catch (cause) {
    throw new InvalidArgumentError(`${path} is TypeScript: install tsx beside switchyard (npm i -D tsx) or pass the compiled .js`, {
      cause,
    });
  }
  const mod = await tsx.tsImport(url, import.meta.url);
  // A file tsx loads as CommonJS (no "type": "module" above it) comes wrapped in one more default.
  const inner = mod.default as Record<string, unknown> | undefined;
  return Object.keys(mod).length === 1 && inner !== null && typeof inner === 'object' && 'default' in inner ? inner : mod;
}