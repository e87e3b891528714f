/**
 * Finds the App an `--app` argument names. A file is imported and its default
 * export (or its only export) used: an App object, or a class constructed with
 * no arguments. Shipped apps by name live in apps/, a separate build the CLI
 * cannot import from src/, so names are refused with a clear message for now.
 */

import { pathToFileURL } from 'node:url';
import type { App } from '../app.js';
import { InvalidArgumentError } from '../errors.js';
import type { AppRef } from './serve.js';

export async function loadAppRef(ref: AppRef): Promise<App> {
  if (ref.kind === 'name') {
    throw new InvalidArgumentError(
      `app "${ref.name}": shipped apps cannot be named from the CLI yet; pass a module file (./my-app.ts)`,
    );
  }
  let mod: Record<string, unknown>;
  try {
    mod = (await import(pathToFileURL(ref.path).href)) as Record<string, unknown>;
  } catch (cause) {
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
