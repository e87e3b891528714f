/**
 * switchyard's public surface: explicit named exports only (no `export *`),
 * values and types listed separately. apps/ and users import from here.
 */

// Errors
export {
  AuthError,
  CommandError,
  DisconnectedError,
  ErrorCode,
  EslError,
  InvalidArgumentError,
  JobError,
  ProtocolError,
  TimeoutError,
} from './errors.js';
export type { DisconnectReason } from './errors.js';

// Protocol (pure codec)
export { ContentType, EventName, Header } from './protocol/names.js';
export type { EventFormat, HeaderName } from './protocol/names.js';
export type { Frame } from './protocol/frame.js';
export { decodeHeaderValue, EslParser, MAX_BODY_BYTES, MAX_HEADER_BYTES } from './protocol/parser.js';
export { EslEvent } from './protocol/event.js';
export {
  encodeApi,
  encodeAuth,
  encodeBgapi,
  encodeConnect,
  encodeDivertEvents,
  encodeEvent,
  encodeExit,
  encodeFilter,
  encodeFilterDelete,
  encodeGetvar,
  encodeLinger,
  encodeLog,
  encodeMyevents,
  encodeNixevent,
  encodeNoevents,
  encodeNolinger,
  encodeNolog,
  encodeResume,
  encodeSendevent,
  encodeSendmsg,
  encodeUserAuth,
} from './protocol/commands.js';
export { serializeEvent, serializeFrame } from './protocol/serialize.js';

// Connection
export { Connection } from './connection/connection.js';
export type { BgapiResult } from './connection/connection.js';
export type {
  ConnectionEvents,
  ConnectionOptions,
  ConnectionState,
  DisconnectInfo,
  LogLine,
  ReconnectedInfo,
  ReconnectingInfo,
} from './connection/types.js';
export type { ReconnectOptions } from './connection/backoff.js';
export { readChunks, tcpTransport } from './connection/transport.js';
export type { TcpTransportOptions, Transport } from './connection/transport.js';

// Simulator
export { startSimulator } from './sim/index.js';
export type { FirehoseOptions, FirehoseResult, SimChannelInfo, Simulator, SimulatorOptions } from './sim/index.js';

// Call model
export { EventListener } from './listener/listener.js';
export type { EventListenerOptions } from './listener/listener.js';
export type { EventSource, EventSourceEvents, ListenerEvents, ResyncResult } from './listener/types.js';
export { Session } from './models/session.js';
export type { AudioDirection, BroadcastLeg, ExecuteOptions, PlaybackOptions } from './models/session.js';
export type { SessionTimes, WaitOptions } from './models/session-base.js';
export { Call } from './models/call.js';
export { Job } from './models/job.js';
export type { JobState, ResultOptions, TrackedJob } from './models/job.js';
export type { SessionCommands, SessionContext } from './models/commands.js';
export { Client } from './client/client.js';
export type { BgapiOptions, ClientOptions, CommandSender } from './client/client.js';
export { buildOriginate } from './client/originate.js';
export type { OriginateOptions } from './client/originate.js';

// Apps
export { APP_ID_HEADER, APP_ID_VAR, CALL_ID_HEADER, CALL_ID_VAR, DEFAULT_APP_ID, defineApp } from './app.js';
export type {
  App,
  AppContext,
  AppEventName,
  AppHandlers,
  CallbackFor,
  CallbackResult,
  CustomCallback,
  CustomEventName,
  EventCallback,
  GlobalEventName,
  LoadAppOptions,
  SessionCallback,
  SessionEventName,
} from './app.js';

// Load testing
export { Pool } from './pool/pool.js';
export type { HostResult, PoolHost, PoolMember, PoolOptions } from './pool/pool.js';
export { MetricsStore } from './load/metrics.js';
export type {
  CallOutcome,
  CallRow,
  LatencyStats,
  MetricsJson,
  MetricsSeries,
  MetricsStoreOptions,
  MetricsSummary,
  OfferInfo,
} from './load/metrics.js';
export { renderReport } from './load/report.js';
export type { ReportInput, ReportOptions } from './load/report.js';
export { Originator } from './load/originator.js';
export type {
  IdleWaitOptions,
  OriginatedCall,
  OriginatedOutcome,
  OriginateDest,
  OriginatorApp,
  OriginatorEvents,
  OriginatorOptions,
  OriginatorState,
  OriginatorStats,
  PacingStats,
  StopReason,
} from './load/originator.js';

// Outbound sockets
export { OutboundServer } from './outbound/server.js';
export type { OutboundHandler, OutboundServerEvents, OutboundServerOptions } from './outbound/server.js';
export { OutboundSocket } from './outbound/socket.js';
export type { LingerNotice, OutboundClosedInfo, OutboundSocketEvents, OutboundSocketOptions } from './outbound/socket.js';
export type { ControlMode, SocketMode } from './outbound/channel-data.js';
export { OutboundApps } from './outbound/apps.js';
export type { OutboundAppsOptions } from './outbound/apps.js';
