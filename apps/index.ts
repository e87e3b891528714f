/**
 * The shipped apps (`switchyard/apps`): load them with `client.loadApp(app)`.
 * Each imports only the public surface of `switchyard`, like a user's app.
 */

export { BERT_DEFAULT_VARS, BERT_SYNC_LOST_VAR, Bert, type BertLegState, type BertOptions, type BertStats } from './bert.js';
export { CallMetrics, type CallMetricsOptions, type CallMetricsRow } from './call-metrics.js';
export {
  DtmfChecker,
  type DtmfCheckerOptions,
  type DtmfResult,
  DtmfSequence,
  type DtmfStats,
  type DtmfVerdict,
} from './dtmf-checker.js';
export { type CallRecording, type LegRecording, type LegRole, PlayRec, type PlayRecOptions, type PlayRecStats } from './play-rec.js';
export {
  type Route,
  type RouteHandler,
  type RouteMatch,
  type RouteOptions,
  type RouteOutcome,
  Router,
  type RouterOptions,
  type RouterStats,
  type RouteStatus,
  StopRouting,
} from './router.js';
export { MILLIWATT_TONE, TonePlay, type TonePlayOptions, type TonePlayStats } from './tone-play.js';
export { createApp, SHIPPED_APPS, type ShippedApp } from './registry.js';
