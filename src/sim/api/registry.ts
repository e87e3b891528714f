/**
 * The api command table (what switch_loadable_module.c looks `api` and `bgapi`
 * commands up in). Each command is one small handler; groups of handlers live
 * in their own files and register themselves, so new commands are added
 * without touching the listener or the core.
 */
import type { SimRuntime } from '../runtime.js';

export interface ApiCall {
  /** The command name as typed (`uuid_answer`). */
  readonly command: string;
  /** Everything after the first space, or '' (FreeSWITCH passes NULL). */
  readonly args: string;
  /** Run by bgapi (its own thread in FreeSWITCH) rather than inline. */
  readonly background: boolean;
}

/** Returns exactly what the command writes to its stream, trailing newline included. */
export type ApiHandler = (sim: SimRuntime, call: ApiCall) => string | Promise<string>;

export class ApiRegistry {
  readonly #table = new Map<string, ApiHandler>();

  register(name: string, handler: ApiHandler): this {
    this.#table.set(name.toLowerCase(), handler);
    return this;
  }

  registerAll(handlers: Readonly<Record<string, ApiHandler>>): this {
    for (const [name, handler] of Object.entries(handlers)) this.register(name, handler);
    return this;
  }

  get(name: string): ApiHandler | undefined {
    return this.#table.get(name.toLowerCase());
  }

  names(): string[] {
    return [...this.#table.keys()].sort();
  }
}
