/**
 * Everything a simulated FreeSWITCH is made of, wired together: the core
 * (events, logs, channels), the api table, the dialplan, the endpoint modules
 * and the hooks into the TCP server (reload). One per startSimulator().
 *
 * Api execution follows switch_loadable_module.c switch_api_execute (an API
 * event is created before the command runs and fired after it) and
 * mod_event_socket.c api_exec (BACKGROUND_JOB for bgapi).
 */
import type { Logger } from 'pino';
import { type ApiHandler, ApiRegistry } from './api/registry.js';
import type { SimChannel } from './channel.js';
import type { SimCore } from './core.js';
import type { Dialplan } from './dialplan.js';
import type { EventOrigin } from './event.js';
import type { DrainableSink } from './firehose.js';

export interface OutboundRequest {
  /** What follows `tech/` in the dial string. */
  readonly data: string;
  /** Channel variables from `{}` and `[]`, in order. */
  readonly vars: ReadonlyArray<readonly [string, string]>;
  readonly uuid: string | undefined;
  readonly cidName: string;
  readonly cidNum: string;
}

/** An endpoint module's outgoing_channel: the new A leg (its thread started), or a hangup cause. */
export type Endpoint = (sim: SimRuntime, req: OutboundRequest) => SimChannel | string;

export interface RuntimeOptions {
  readonly password: string;
  readonly users: ReadonlyMap<string, string> | undefined;
  readonly ringDelayMs: number;
  readonly answerDelayMs: number;
  readonly heartbeatIntervalMs: number;
  /** The address the simulated SIP profile `external` listens on (calls there come back in). */
  readonly sipSelf: string;
}

/** What the TCP server lets the runtime do to it. */
export interface ServerControl {
  /** `reload mod_event_socket`: notice to every listener, close, accept again. */
  reloadEventSocket(): void;
  /** The connected listeners, for flow control (firehose). */
  readonly listeners: Iterable<DrainableSink>;
}

export interface ApiResult {
  readonly found: boolean;
  readonly text: string;
}

const API_ORIGIN: EventOrigin = { file: 'switch_loadable_module.c', func: 'switch_api_execute', line: 2954 };
const JOB_ORIGIN: EventOrigin = { file: 'mod_event_socket.c', func: 'api_exec', line: 1569 };

export class SimRuntime {
  readonly core: SimCore<SimChannel>;
  readonly apis = new ApiRegistry();
  readonly endpoints = new Map<string, Endpoint>();
  readonly dialplan: Dialplan;
  readonly options: RuntimeOptions;
  server: ServerControl | undefined;

  constructor(core: SimCore<SimChannel>, dialplan: Dialplan, options: RuntimeOptions) {
    this.core = core;
    this.dialplan = dialplan;
    this.options = options;
  }

  get logger(): Logger {
    return this.core.logger;
  }

  channel(uuid: string): SimChannel | undefined {
    return this.core.channels.get(uuid.trim());
  }

  registerApi(name: string, handler: ApiHandler): void {
    this.apis.register(name, handler);
  }

  /** switch_api_execute: runs a command, never throws (a failing handler answers `-ERR`). */
  async executeApi(command: string, args: string, background = false): Promise<ApiResult> {
    const event = this.core.createEvent('API', API_ORIGIN);
    event.add('API-Command', command);
    if (args !== '') event.add('API-Command-Argument', args);
    const handler = this.apis.get(command);
    let result: ApiResult;
    if (handler === undefined) {
      result = { found: false, text: `-ERR ${command} Command not found!\n` };
    } else {
      try {
        result = { found: true, text: await handler(this, { command, args, background }) };
      } catch (err) {
        this.logger.error({ err, command }, 'simulated api command failed');
        result = { found: true, text: `-ERR ${err instanceof Error ? err.message : String(err)}\n` };
      }
    }
    this.core.fire(event);
    return result;
  }

  /** bgapi's thread: run, then fire BACKGROUND_JOB with the command's output as body. */
  runBackgroundJob(jobUuid: string, command: string, args: string): void {
    // After the caller's reply is written: FreeSWITCH's job thread starts once bgapi has answered.
    setImmediate(() => {
      if (this.core.closed) return;
      void this.executeApi(command, args, true).then((result) => {
        const event = this.core.createEvent('BACKGROUND_JOB', JOB_ORIGIN);
        event.add('Job-UUID', jobUuid);
        event.add('Job-Command', command);
        if (args !== '') event.add('Job-Command-Arg', args);
        event.body = result.text;
        this.core.fire(event);
      });
    });
  }
}
