/**
 * Bert: bit-error-rate tests with mod_bert (after switchio's apps/bert.py).
 * Each answered leg runs the `bert_test` application (or `echo` on the
 * inbound leg when one-sided); mod_bert reports through CUSTOM events
 * `mod_bert::in_sync`, `mod_bert::lost_sync` and `mod_bert::timeout`, which
 * this app counts per call, optionally hanging up a call that lost sync.
 *
 *   const bert = new Bert({ hangupOnLostSync: true });
 *   await client.loadApp(bert, { appId: 'bert' });
 *   await client.originate({ dest: 'sofia/external/bert@10.0.0.5', appId: 'bert' });
 *   // later: bert.stats -> { inSync, lostSync, timeouts, callsLostSync }
 *
 * mod_bert reads its settings from channel variables when `bert_test`
 * starts (bert_timer_name, bert_max_err, bert_timeout_ms,
 * bert_hangup_on_error, ...): they are set on each leg first.
 */

import { type Logger, pino } from 'pino';
import { type App, type AppContext, type AppHandlers, CommandError, type EslEvent, InvalidArgumentError, type Session } from 'switchyard';
import { detach, isInbound, isOutbound, pushBounded } from './shared.js';

/** mod_bert's settings switchio used: a soft timer, 30 errors tolerated, a 3 s sync timeout, PCMU. */
export const BERT_DEFAULT_VARS: Readonly<Record<string, string>> = {
  bert_timer_name: 'soft',
  bert_max_err: '30',
  bert_timeout_ms: '3000',
  bert_hangup_on_error: 'no',
  jitterbuffer_msec: '100:200:40',
  absolute_codec_string: 'PCMU',
};

/** Set on both legs of a call once one of them lost sync (mod_bert knows nothing of the peer). */
export const BERT_SYNC_LOST_VAR = 'bert_stats_sync_lost';

export interface BertOptions {
  /** Run bert_test on both legs; when false the inbound leg echoes instead. Default true. */
  readonly twoSided?: boolean;
  /** Hang the call up when a leg loses sync. Default false. */
  readonly hangupOnLostSync?: boolean;
  /** The cause for that hangup. Default `MEDIA_TIMEOUT`. */
  readonly hangupCause?: string;
  /** Channel variables set before bert_test starts, over BERT_DEFAULT_VARS. */
  readonly vars?: Readonly<Record<string, string>>;
  /** Answer inbound legs when they park. Default true. */
  readonly answer?: boolean;
  /** Refuse to load when `module_exists mod_bert` says false. Default true. */
  readonly checkModule?: boolean;
  /** Called at each lost_sync event, with the session it names. */
  readonly onLostSync?: (session: Session, event: EslEvent) => void;
  /** How many uuids `lostSyncSessions` and `timedOutSessions` keep. Default 1000. */
  readonly keep?: number;
}

export interface BertStats {
  /** mod_bert::in_sync events. */
  inSync: number;
  /** mod_bert::lost_sync events. */
  lostSync: number;
  /** mod_bert::timeout events. */
  timeouts: number;
  /** Calls with at least one lost_sync. */
  callsLostSync: number;
  /** Legs bert_test was started on. */
  tests: number;
}

/** Per-leg state kept in session.vars under this key. */
const STATE = 'switchyard.bert';

export interface BertLegState {
  synced: boolean;
  lostSyncCount: number;
  timedOut: boolean;
}

const LOST_STATS = ['sync_lost_percent', 'sync_lost_count', 'cng_count', 'err_samples'];

export class Bert implements App {
  readonly name = 'Bert';
  readonly handlers: AppHandlers;
  readonly vars: Readonly<Record<string, string>>;
  readonly stats: BertStats = { inSync: 0, lostSync: 0, timeouts: 0, callsLostSync: 0, tests: 0 };
  /** Uuids of the latest legs that lost sync (first loss per leg), oldest first. */
  readonly lostSyncSessions: string[] = [];
  /** Uuids of the latest legs mod_bert timed out. */
  readonly timedOutSessions: string[] = [];
  readonly #twoSided: boolean;
  readonly #hangupOnLostSync: boolean;
  readonly #hangupCause: string;
  readonly #answer: boolean;
  readonly #checkModule: boolean;
  readonly #onLostSync: ((session: Session, event: EslEvent) => void) | undefined;
  readonly #keep: number;
  #logger: Logger = pino({ level: 'silent' });

  constructor(options: BertOptions = {}) {
    this.#twoSided = options.twoSided ?? true;
    this.#hangupOnLostSync = options.hangupOnLostSync ?? false;
    this.#hangupCause = options.hangupCause ?? 'MEDIA_TIMEOUT';
    if (!/^[A-Z0-9_]+$/.test(this.#hangupCause)) {
      throw new InvalidArgumentError(`invalid hangupCause ${JSON.stringify(this.#hangupCause)}`);
    }
    this.vars = { ...BERT_DEFAULT_VARS, ...options.vars };
    this.#answer = options.answer ?? true;
    this.#checkModule = options.checkModule ?? true;
    this.#onLostSync = options.onLostSync;
    this.#keep = options.keep ?? 1000;
    if (!Number.isInteger(this.#keep) || this.#keep <= 0) throw new InvalidArgumentError(`keep must be a whole number > 0, got ${this.#keep}`);
    this.handlers = {
      CHANNEL_PARK: (session) => this.#onPark(session),
      CHANNEL_ANSWER: (session) => this.#onAnswer(session),
      'mod_bert::in_sync': (session) => this.#onInSync(session),
      'mod_bert::lost_sync': (session, event) => this.#onLostSyncEvent(session, event),
      'mod_bert::timeout': (session) => this.#onTimeout(session),
    };
  }

  /** The per-leg state of a session this app tested. */
  static legState(session: Session): BertLegState | undefined {
    return session.vars[STATE] as BertLegState | undefined;
  }

  async setup(ctx: AppContext): Promise<void> {
    this.#logger = ctx.logger;
    if (!this.#checkModule) return;
    let exists: string;
    try {
      exists = await ctx.client.cmd('module_exists mod_bert');
    } catch (error) {
      if (!(error instanceof CommandError)) throw error;
      this.#logger.warn({ err: error }, 'could not check that mod_bert is loaded');
      return;
    }
    if (exists !== 'true') {
      throw new InvalidArgumentError(`mod_bert is not loaded on ${ctx.client.host} (module_exists said ${JSON.stringify(exists)}): run "load mod_bert"`);
    }
  }

  async #onPark(session: Session): Promise<void> {
    if (this.#answer && isInbound(session) && !session.answered) await session.answer();
  }

  async #onAnswer(session: Session): Promise<void> {
    const runsBert = isOutbound(session) || (isInbound(session) && this.#twoSided);
    const state: BertLegState = { synced: false, lostSyncCount: 0, timedOut: false };
    session.vars[STATE] = state;
    if (runsBert) await session.setVars(this.vars);
    // Both applications run until the call ends: started, not awaited.
    if (runsBert) {
      detach(this.#logger, session, 'bert_test', () => session.execute('bert_test'));
      this.stats.tests++;
    } else {
      detach(this.#logger, session, 'echo', () => session.echo());
    }
  }

  #onInSync(session: Session | undefined): void {
    this.stats.inSync++;
    const state = session === undefined ? undefined : Bert.legState(session);
    if (state !== undefined) state.synced = true;
  }

  async #onLostSyncEvent(session: Session | undefined, event: EslEvent): Promise<void> {
    this.stats.lostSync++;
    if (session === undefined) return;
    const state = Bert.legState(session) ?? { synced: false, lostSyncCount: 0, timedOut: false };
    session.vars[STATE] = state;
    state.synced = false;
    state.lostSyncCount++;
    if (this.#logger.isLevelEnabled('warn')) {
      const stats = Object.fromEntries(LOST_STATS.map((name) => [name, event.get(name)]));
      this.#logger.warn({ uuid: session.uuid, ...stats }, 'BERT lost sync');
    }
    this.#onLostSync?.(session, event);
    const call = session.call;
    const first = call === undefined || call.vars[STATE] !== true;
    if (state.lostSyncCount === 1) pushBounded(this.lostSyncSessions, session.uuid, this.#keep);
    if (first) {
      this.stats.callsLostSync++;
      if (call !== undefined) call.vars[STATE] = true;
      const legs = call?.sessions.filter((s) => !s.hungup) ?? [session];
      // A leg that hung up meanwhile refuses the variable: that must not stop the hangup below.
      await Promise.allSettled(legs.map((leg) => leg.setVar(BERT_SYNC_LOST_VAR, 'true')));
    }
    if (this.#hangupOnLostSync && !session.hungup) {
      await (call === undefined ? session.hangup(this.#hangupCause) : call.hangup(this.#hangupCause));
    }
  }

  #onTimeout(session: Session | undefined): void {
    this.stats.timeouts++;
    if (session === undefined) return;
    const state = Bert.legState(session);
    if (state !== undefined) state.timedOut = true;
    pushBounded(this.timedOutSessions, session.uuid, this.#keep);
    this.#logger.warn({ uuid: session.uuid }, 'BERT timeout');
  }
}
