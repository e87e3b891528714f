/**
 * startSimulator(): a FreeSWITCH 1.11 stand-in on a real TCP port, speaking
 * the inbound Event Socket exactly as mod_event_socket does, with simulated
 * channels whose events follow the real recordings in ../shared/captures.
 *
 * Defaults are the recorded server's: password ClueCon, HEARTBEAT every 20 s,
 * 5000 sessions max. FreeSWITCH's stock sessions-per-second is 30; the
 * simulator allows 1000 by default so load tests are not throttled unless
 * they ask to be (`sessionsPerSecond`).
 */
import pino, { type Logger } from 'pino';
import { callApis } from './api/call.js';
import { coreApis } from './api/core.js';
import { mediaApis } from './api/media.js';
import { DEFAULT_MODULES, moduleApis } from './api/modules.js';
import { uuidApis } from './api/uuid.js';
import type { SimChannel } from './channel.js';
import { defaultIdentity, SimCore } from './core.js';
import { DEFAULT_DIALPLAN } from './dialplan.js';
import { errorEndpoint } from './endpoints/error.js';
import { loopbackEndpoint } from './endpoints/loopback.js';
import { sofiaEndpoint } from './endpoints/sofia.js';
import { type FirehoseOptions, type FirehoseResult, runFirehose } from './firehose.js';
import { startHeartbeat } from './heartbeat.js';
import { attachOutboundSockets } from './outbound-socket.js';
import { SimRuntime } from './runtime.js';
import { SimServer } from './server.js';

export type { FirehoseOptions, FirehoseResult } from './firehose.js';

export interface SimulatorOptions {
  /** Default 127.0.0.1. */
  readonly host?: string;
  /** Default 0: an ephemeral port (read it from `Simulator.port`). */
  readonly port?: number;
  /** Default 'ClueCon'. */
  readonly password?: string;
  /** `userauth` accounts, 'user@domain' -> password. Without it any user@domain with `password` is let in. */
  readonly users?: Readonly<Record<string, string>>;
  /** Default: silent. */
  readonly logger?: Logger;
  /** Default 20000, as FreeSWITCH. */
  readonly heartbeatIntervalMs?: number;
  /** Default 5000 (max-sessions of the recorded server). */
  readonly maxSessions?: number;
  /** Default 1000 (FreeSWITCH ships 30). */
  readonly sessionsPerSecond?: number;
  readonly coreUuid?: string;
  /** FreeSWITCH-Hostname; default 'switchyard-sim'. */
  readonly hostname?: string;
  /** A simulated remote SIP phone rings after this long. Default 10. */
  readonly ringDelayMs?: number;
  /** A simulated remote SIP phone answers this long after ringing. Default 50. */
  readonly answerDelayMs?: number;
  /** How long a playback of a file (not a tone) lasts. Default 1000. */
  readonly defaultFileMs?: number;
  /** Events queued per slow listener before they are lost (mod_event_socket MAX_QUEUE_LEN). Default 100000. */
  readonly maxQueuedEvents?: number;
  /** `reload mod_event_socket`: close delay after the notice (default 600) and downtime (default 1000). */
  readonly reloadCloseMs?: number;
  readonly reloadDowntimeMs?: number;
  /**
   * Optional modules to load beside the docker configuration's eleven
   * (docker/freeswitch/conf/autoload_configs/modules.conf.xml). `bert`:
   * mod_bert and its bert_test application.
   */
  readonly modules?: { readonly bert?: boolean };
}

/** A read-only view of one simulated channel. */
export interface SimChannelInfo {
  readonly uuid: string;
  readonly name: string;
  readonly direction: 'inbound' | 'outbound';
  readonly state: string;
  readonly callState: string;
  readonly answered: boolean;
  readonly hangupCause: string | undefined;
  readonly createdAt: Date;
  readonly vars: Readonly<Record<string, string>>;
}

export interface Simulator {
  readonly host: string;
  readonly port: number;
  readonly coreUuid: string;
  /** Stops listening, drops every connection and every channel. */
  close(): Promise<void>;
  channels(): readonly SimChannelInfo[];
  /** Destroys every client socket abruptly (no disconnect notice): for reconnect tests. */
  dropConnections(): void;
  /** Resolves when the port accepts connections: at once, or when a `reload mod_event_socket` is over. */
  listening(): Promise<void>;
  /** Connected ESL clients. */
  connectionCount(): number;
  /** Runs an api command as `api <command>` would, returning its text. */
  api(command: string): Promise<string>;
  /**
   * Generates the events of `calls` loopback calls as fast as every
   * subscriber's socket takes them (pausing while one must drain).
   */
  firehose(options: FirehoseOptions): Promise<FirehoseResult>;
}

function channelInfo(ch: SimChannel): SimChannelInfo {
  return {
    uuid: ch.uuid,
    name: ch.name,
    direction: ch.direction,
    state: ch.runningState,
    callState: ch.callState,
    answered: ch.answered,
    hangupCause: ch.hangupCause,
    createdAt: new Date(Math.floor(ch.times.created / 1000)),
    vars: Object.fromEntries(ch.vars),
  };
}

export async function startSimulator(options: SimulatorOptions = {}): Promise<Simulator> {
  const logger = options.logger ?? pino({ level: 'silent' });
  const identity = defaultIdentity({
    ...(options.coreUuid !== undefined ? { coreUuid: options.coreUuid } : {}),
    ...(options.hostname !== undefined ? { hostname: options.hostname } : {}),
  });
  const core = new SimCore<SimChannel>(
    identity,
    { maxSessions: options.maxSessions ?? 5000, sessionsPerSecond: options.sessionsPerSecond ?? 1000 },
    logger.child({ sim: identity.hostname }),
  );
  if (options.defaultFileMs !== undefined) core.defaultFileMs = options.defaultFileMs;
  for (const name of DEFAULT_MODULES) core.modules.add(name);
  if (options.modules?.bert) core.modules.add('mod_bert');
  const host = options.host ?? '127.0.0.1';
  const heartbeatIntervalMs = options.heartbeatIntervalMs ?? 20_000;
  const sim = new SimRuntime(core, DEFAULT_DIALPLAN, {
    password: options.password ?? 'ClueCon',
    users: options.users ? new Map(Object.entries(options.users)) : undefined,
    ringDelayMs: options.ringDelayMs ?? 10,
    answerDelayMs: options.answerDelayMs ?? 50,
    heartbeatIntervalMs,
    sipSelf: '127.0.0.1:5080',
  });
  sim.apis.registerAll(coreApis).registerAll(uuidApis).registerAll(mediaApis).registerAll(callApis).registerAll(moduleApis);
  sim.endpoints.set('loopback', loopbackEndpoint);
  sim.endpoints.set('error', errorEndpoint);
  sim.endpoints.set('sofia', sofiaEndpoint);
  attachOutboundSockets(sim);

  const server = new SimServer(
    sim,
    { reloadCloseMs: options.reloadCloseMs ?? 600, reloadDowntimeMs: options.reloadDowntimeMs ?? 1000 },
    options.maxQueuedEvents ?? 100_000,
  );
  sim.server = server;
  await server.listen(host, options.port ?? 0);
  const stopHeartbeat = startHeartbeat(core, heartbeatIntervalMs);
  core.logger.info({ host, port: server.port }, 'simulator listening');

  return {
    host,
    port: server.port,
    coreUuid: identity.coreUuid,
    async close() {
      stopHeartbeat();
      core.close();
      await server.close();
      core.channels.clear();
    },
    channels: () => [...core.channels.values()].filter((c) => !c.destroyed).map(channelInfo),
    dropConnections: () => server.dropConnections(),
    listening: () => server.whenListening(),
    connectionCount: () => server.listeners.size,
    firehose: (opts) => runFirehose(sim, () => server.listeners, opts),
    api: async (command) => {
      const sp = command.indexOf(' ');
      const result = await sim.executeApi(sp < 0 ? command : command.slice(0, sp), sp < 0 ? '' : command.slice(sp + 1));
      return result.text;
    },
  };
}
