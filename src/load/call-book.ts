/**
 * The Originator's book of calls in flight: one record per offered call, from
 * the offer to its single outcome.
 *
 * A call ends when BOTH its originate job has settled AND every leg it grew
 * has been destroyed (CHANNEL_DESTROY, switch_core_session.c), so a call
 * counts against the limit until FreeSWITCH has really let it go. Legs are
 * found through the tracker app (loaded under every app id the Originator
 * uses): the originated leg by its uuid (`origination_uuid`), the others by
 * the X-header naming it (CALL_ID_VAR, copied to the B leg by mod_loopback
 * and sent over SIP by mod_sofia) or by the listener's Call grouping.
 *
 * Outcomes:
 *   answered, ended NORMAL_CLEARING            -> completed
 *   answered, ended with another cause         -> failed (that cause)
 *   never answered (`-ERR <CAUSE>` from
 *     originate, or the leg's Hangup-Cause)    -> failed (that cause)
 *   job timed out, event socket lost, bgapi
 *     refused, job error without a cause       -> lost (a reason)
 */

import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { type App, CALL_ID_HEADER, defineApp } from '../app.js';
import type { OriginateOptions } from '../client/originate.js';
import { CommandError, DisconnectedError, JobError, TimeoutError } from '../errors.js';
import type { Session } from '../models/session.js';
import type { PoolMember } from '../pool/pool.js';
import type { MetricsStore } from './metrics.js';

export type OriginatedOutcome = 'completed' | 'failed' | 'lost';

/** What became of one offered call (the Originator's `call` event). */
export interface OriginatedCall {
  /** The originated leg's uuid. */
  readonly id: string;
  /** `host:port` of the FreeSWITCH it went to. */
  readonly host: string;
  readonly appId: string;
  /** The app's name ('' without apps). */
  readonly app: string;
  readonly outcome: OriginatedOutcome;
  /** Hangup cause (completed, failed); undefined when lost. */
  readonly cause: string | undefined;
  /** Why a call was lost; undefined otherwise. */
  readonly reason: string | undefined;
  /** When the pacer wanted this call offered (ms since the epoch). */
  readonly scheduledAt: number;
  /** When it was offered: `offeredAt - scheduledAt` is the pacing error. */
  readonly offeredAt: number;
  readonly answeredAt: number | undefined;
  readonly endedAt: number;
  /** answeredAt - offeredAt. */
  readonly setupMs: number | undefined;
}

/** A call flow: the app id calls carry, and the app's name for the metrics. */
export interface CallFlow {
  readonly appId: string;
  readonly app: string;
}

export type OriginateDest = Omit<OriginateOptions, 'uuid' | 'appId'>;

export interface CallBookOptions {
  readonly dest: OriginateDest;
  readonly metrics: MetricsStore;
  readonly logger: Logger;
  /** Epoch ms. */
  readonly now: () => number;
  /** How long to hold an answered call (ms, read at answer); 0 = never hang up. */
  readonly holdMs: () => number;
  /**
   * After we hang a call up, how long to wait for its last CHANNEL_DESTROY
   * before counting it lost, so a missed event cannot hold a slot forever.
   * Default 30 000 ms.
   */
  readonly confirmMs?: number;
  readonly onEnd: (call: OriginatedCall) => void;
  /** A call answered (live counters count it now, not when it ends). */
  readonly onAnswer?: () => void;
}

interface CallRecord {
  readonly id: string;
  readonly member: PoolMember;
  readonly flow: CallFlow;
  readonly scheduledAt: number;
  readonly offeredAt: number;
  answeredAt: number | undefined;
  job: 'pending' | 'done' | 'failed';
  /** The cause named by a failed originate (`-ERR USER_BUSY`). */
  jobCause: string | undefined;
  /** Legs seen and not destroyed yet. */
  readonly legs: Set<string>;
  /** Some leg was seen and every one seen is destroyed. */
  legsEnded: boolean;
  /** The originated leg's Hangup-Cause. */
  cause: string | undefined;
  /** The hold timer, then (once hung up by us) the wait for the destroy. */
  hold: ReturnType<typeof setTimeout> | undefined;
  killed: boolean;
}

const NORMAL = 'NORMAL_CLEARING';
const CAUSE = /^-ERR ([A-Z][A-Z0-9_]*)\s*$/;

export class CallBook {
  readonly #records = new Map<string, CallRecord>();
  readonly #o: CallBookOptions;
  /** hupall: every call answered or created from now on is hung up at once. */
  draining = false;

  constructor(options: CallBookOptions) {
    this.#o = options;
  }

  get size(): number {
    return this.#records.size;
  }

  /** Originates one call on `member`; the book follows it to its outcome. */
  offer(member: PoolMember, flow: CallFlow, scheduledAt: number): string {
    const id = randomUUID();
    const offeredAt = this.#o.now();
    const rec: CallRecord = {
      id,
      member,
      flow,
      scheduledAt,
      offeredAt,
      answeredAt: undefined,
      job: 'pending',
      jobCause: undefined,
      legs: new Set(),
      legsEnded: false,
      cause: undefined,
      hold: undefined,
      killed: false,
    };
    this.#records.set(id, rec);
    this.#o.metrics.offer(id, offeredAt, { host: member.name, app: flow.app });
    let job: Promise<string>;
    try {
      job = member.client.originate({ ...this.#o.dest, uuid: id, appId: flow.appId });
    } catch (error) {
      this.#lose(rec, `originate refused: ${errorText(error)}`);
      return id;
    }
    job.then(
      () => this.#jobDone(rec),
      (error: unknown) => this.#jobFailed(rec, error),
    );
    return id;
  }

  /** The tracker app: loaded under every app id the Originator's calls carry. */
  readonly app: App = defineApp({
    name: 'switchyard.originator',
    handlers: {
      CHANNEL_CREATE: (session) => {
        this.#onLeg(session);
      },
      CHANNEL_ORIGINATE: (session) => {
        this.#onLeg(session);
      },
      CHANNEL_PARK: (session) => {
        this.#onLeg(session);
      },
      CHANNEL_ANSWER: (session) => this.#onChannelAnswer(session),
      CHANNEL_HANGUP: (session) => this.#onChannelHangup(session),
      CHANNEL_DESTROY: (session) => this.#onChannelDestroy(session),
    },
  });

  /** The member's event socket dropped: its calls can no longer be followed. */
  loseMember(member: PoolMember, reason: string): number {
    let n = 0;
    for (const rec of [...this.#records.values()]) {
      if (rec.member !== member) continue;
      this.#lose(rec, reason);
      n++;
    }
    return n;
  }

  /** Hangs up every call already up; with `draining` set, later ones follow as they appear. */
  killAll(cause = NORMAL): void {
    for (const rec of this.#records.values()) if (rec.legs.size > 0 || rec.answeredAt !== undefined) this.#kill(rec, cause);
  }

  #find(session: Session): CallRecord | undefined {
    // Cheapest first: the originated leg, then its Call, and only then a header lookup.
    return (
      this.#records.get(session.uuid) ??
      (session.call === undefined ? undefined : this.#records.get(session.call.id)) ??
      this.#records.get(session.get(CALL_ID_HEADER) ?? '')
    );
  }

  #onLeg(session: Session): CallRecord | undefined {
    const rec = this.#find(session);
    if (rec === undefined || session.closedReason !== undefined) return rec;
    if (!rec.legs.has(session.uuid)) {
      rec.legs.add(session.uuid);
      rec.legsEnded = false;
      if (this.draining) this.#kill(rec, NORMAL);
    }
    return rec;
  }

  #onChannelAnswer(session: Session): void {
    const rec = this.#onLeg(session);
    if (rec !== undefined && session.uuid === rec.id) this.#answered(rec);
  }

  #onChannelHangup(session: Session): void {
    const rec = this.#find(session);
    if (rec !== undefined && session.uuid === rec.id) rec.cause = session.hangupCause;
  }

  #onChannelDestroy(session: Session): void {
    const rec = this.#find(session);
    if (rec === undefined) return;
    if (session.uuid === rec.id) rec.cause ??= session.hangupCause;
    rec.legs.delete(session.uuid);
    if (rec.legs.size === 0) {
      rec.legsEnded = true;
      this.#settle(rec);
    }
  }

  #answered(rec: CallRecord): void {
    if (rec.answeredAt !== undefined) return;
    rec.answeredAt = this.#o.now();
    this.#o.metrics.answer(rec.id, rec.answeredAt);
    this.#o.onAnswer?.();
    if (this.draining) {
      this.#kill(rec, NORMAL);
      return;
    }
    const holdMs = this.#o.holdMs();
    if (holdMs > 0) rec.hold = setTimeout(() => this.#kill(rec, NORMAL), holdMs);
  }

  #jobDone(rec: CallRecord): void {
    if (this.#records.get(rec.id) !== rec) return;
    rec.job = 'done';
    // `+OK <uuid>` means the leg answered, even if its CHANNEL_ANSWER was missed.
    this.#answered(rec);
    this.#settle(rec);
  }

  #jobFailed(rec: CallRecord, error: unknown): void {
    if (this.#records.get(rec.id) !== rec) return;
    const cause = error instanceof JobError ? CAUSE.exec(error.reply)?.[1] : undefined;
    if (cause === undefined) {
      this.#lose(rec, lostReason(error));
      return;
    }
    rec.job = 'failed';
    rec.jobCause = cause;
    this.#settle(rec);
  }

  /** Ends the call once its job has settled and no leg of it is left. */
  #settle(rec: CallRecord): void {
    if (rec.job === 'pending' || rec.legs.size > 0) return;
    // A successful originate made a leg: wait for its destroy even if its events are late.
    if (rec.job === 'done' && !rec.legsEnded) return;
    const answered = rec.answeredAt !== undefined;
    const cause = rec.cause ?? rec.jobCause ?? (answered ? NORMAL : 'UNKNOWN');
    const outcome: OriginatedOutcome = answered && cause === NORMAL ? 'completed' : 'failed';
    const at = this.#o.now();
    if (answered) this.#o.metrics.hangup(rec.id, at, cause);
    else this.#o.metrics.fail(rec.id, at, cause, cause);
    this.#end(rec, outcome, cause, undefined, at);
  }

  #lose(rec: CallRecord, reason: string): void {
    if (this.#records.get(rec.id) !== rec) return;
    const at = this.#o.now();
    // A leg may still be up (the job timed out, or only the event socket dropped and
    // the command connection still works): do not leave it behind.
    if (rec.legs.size > 0 || rec.answeredAt !== undefined) this.#kill(rec, NORMAL);
    this.#o.metrics.lose(rec.id, at, reason);
    this.#end(rec, 'lost', undefined, reason, at);
  }

  #end(rec: CallRecord, outcome: OriginatedOutcome, cause: string | undefined, reason: string | undefined, at: number): void {
    this.#records.delete(rec.id);
    if (rec.hold !== undefined) clearTimeout(rec.hold);
    rec.hold = undefined;
    this.#o.onEnd({
      id: rec.id,
      host: rec.member.name,
      appId: rec.flow.appId,
      app: rec.flow.app,
      outcome,
      cause,
      reason,
      scheduledAt: rec.scheduledAt,
      offeredAt: rec.offeredAt,
      answeredAt: rec.answeredAt,
      endedAt: at,
      setupMs: rec.answeredAt === undefined ? undefined : rec.answeredAt - rec.offeredAt,
    });
  }

  /** `uuid_kill` the originated leg (FreeSWITCH hangs up what it is bridged or looped to). */
  #kill(rec: CallRecord, cause: string): void {
    if (rec.killed) return;
    rec.killed = true;
    if (rec.hold !== undefined) clearTimeout(rec.hold);
    rec.hold = undefined;
    const target = rec.legs.has(rec.id) || rec.legs.size === 0 ? [rec.id] : [...rec.legs];
    rec.hold = setTimeout(() => this.#lose(rec, 'hangup not confirmed by CHANNEL_DESTROY'), this.#o.confirmMs ?? 30_000);
    for (const uuid of target) {
      rec.member.client.api(`uuid_kill ${uuid} ${cause}`).then(
        (reply) => {
          if (reply.startsWith('-ERR') && this.#o.logger.isLevelEnabled('debug')) {
            this.#o.logger.debug({ uuid, reply: reply.trim() }, 'uuid_kill refused (the call was already going)');
          }
        },
        (error: unknown) => this.#o.logger.warn({ err: error, uuid }, 'uuid_kill failed'),
      );
    }
  }
}

function lostReason(error: unknown): string {
  if (error instanceof TimeoutError) return 'timeout';
  if (error instanceof DisconnectedError) return `disconnected (${error.reason})`;
  if (error instanceof CommandError) return `originate refused: ${error.reply.trim()}`;
  if (error instanceof JobError) return `originate error: ${error.reply.trim()}`;
  return `originate error: ${errorText(error)}`;
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
