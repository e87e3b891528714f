/**
 * The listener's maps (sessions, calls, jobs) and counters, and the rules
 * that keep them consistent: a session joins exactly one call when it is
 * created, and leaves the session map and its call at CHANNEL_DESTROY (or
 * when a resync finds it gone); a call leaves when its last session does; a
 * job leaves when it settles. Nothing else holds on to them, so memory stays
 * flat however many calls go through.
 */

import type { Logger } from 'pino';
import { Call } from '../models/call.js';
import type { SessionContext } from '../models/commands.js';
import { eventTimeMs } from '../models/event-util.js';
import type { TrackedJob } from '../models/job.js';
import { Session } from '../models/session.js';
import type { EslEvent } from '../protocol/event.js';

export interface TrackerOptions {
  readonly callTrackingHeader: string;
  readonly callLinkHeaders: readonly string[];
  readonly logger: Logger;
}

export class Tracker {
  readonly sessions = new Map<string, Session>();
  readonly calls = new Map<string, Call>();
  readonly jobs = new Map<string, TrackedJob>();
  readonly hangupCauses = new Map<string, number>();
  readonly failedByCause = new Map<string, number>();
  /** Sessions that reached CHANNEL_ANSWER since the listener started. */
  answeredTotal = 0;
  readonly ctx: SessionContext;
  readonly #trackingHeader: string;
  readonly #linkHeaders: readonly string[];
  readonly #logger: Logger;
  /** Sessions with an event since the last aging tick, and those with none since the one before. */
  #young = new Set<Session>();
  #old = new Set<Session>();

  constructor(ctx: SessionContext, options: TrackerOptions) {
    this.ctx = ctx;
    this.#trackingHeader = options.callTrackingHeader;
    this.#linkHeaders = options.callLinkHeaders;
    this.#logger = options.logger;
  }

  get trackingHeader(): string {
    return this.#trackingHeader;
  }

  /** The tracked session for this channel event, created from it when new. */
  sessionFor(event: EslEvent, uuid: string): Session {
    const known = this.sessions.get(uuid);
    if (known !== undefined) {
      this.update(known, event);
      return known;
    }
    const session = new Session(uuid, event, this.ctx);
    const call = this.#callFor(event, uuid);
    call.add(session);
    session.call = call;
    this.sessions.set(uuid, session);
    this.#young.add(session);
    if (this.#logger.isLevelEnabled('debug')) {
      this.#logger.debug({ uuid, call: call.id }, 'session tracked');
    }
    return session;
  }

  /**
   * A new leg joins the call of the session it names (loopback's partner, the
   * session that originated it), else the call its tracking header names.
   */
  #callFor(event: EslEvent, uuid: string): Call {
    const trackingId = event.get(this.#trackingHeader) || undefined;
    if (trackingId !== undefined) {
      const call = this.calls.get(trackingId);
      if (call !== undefined) return call;
    }
    for (const header of this.#linkHeaders) {
      const partner = event.get(header);
      // Naming itself: this leg started the call, it has no partner to join.
      if (partner === uuid) break;
      if (partner === undefined) continue;
      const call = this.sessions.get(partner)?.call;
      if (call !== undefined && this.calls.get(call.id) === call) return call;
    }
    const id = trackingId ?? uuid;
    const call = new Call(id);
    this.calls.set(id, call);
    return call;
  }

  /** Feeds an event to its session and marks the session active. */
  update(session: Session, event: EslEvent): void {
    session.update(event);
    this.#young.add(session);
    this.#old.delete(session);
  }

  /**
   * One aging tick: sessions quiet for a whole period are compacted (their
   * events let go for one decoded string). Called every half compaction delay.
   */
  age(): void {
    for (const session of this.#old) session.compact();
    this.#old = this.#young;
    this.#young = new Set();
  }

  /** Compacts every session now. */
  compactAll(): void {
    for (const session of this.sessions.values()) session.compact();
    this.#young.clear();
    this.#old.clear();
  }

  answered(session: Session, event: EslEvent | undefined): void {
    if (session.answered) return;
    session.markAnswered(event === undefined ? undefined : eventTimeMs(event));
    this.answeredTotal++;
  }

  /** Counts the hangup once per session; a session fails if unanswered or not NORMAL_CLEARING. */
  hungUp(session: Session, event: EslEvent): void {
    const cause = event.get('Hangup-Cause') || 'UNKNOWN';
    if (!session.markHungup(cause, eventTimeMs(event))) return;
    bump(this.hangupCauses, cause);
    if (!session.answered || cause !== 'NORMAL_CLEARING') bump(this.failedByCause, cause);
  }

  /** Drops the session from every map and ends its pending waits. */
  drop(session: Session, reason: string): void {
    if (this.sessions.get(session.uuid) === session) this.sessions.delete(session.uuid);
    this.#young.delete(session);
    this.#old.delete(session);
    const call = session.call;
    if (call !== undefined && call.remove(session) === 0 && this.calls.get(call.id) === call) {
      this.calls.delete(call.id);
    }
    session.close(reason);
  }

  /** Drops a job from the map once it settles (Job's onSettle). */
  readonly jobSettled = (job: TrackedJob): void => {
    if (this.jobs.get(job.uuid) === job) this.jobs.delete(job.uuid);
    if (job.state !== 'done' && this.#logger.isLevelEnabled('info')) {
      this.#logger.info({ job: job.uuid, command: firstWord(job.command), state: job.state, reply: job.reply?.trim() }, 'job did not succeed');
    }
  };

  countFailed(): number {
    let n = 0;
    for (const count of this.failedByCause.values()) n += count;
    return n;
  }

  /** Clears the counters (not the maps). */
  resetCounters(): void {
    this.hangupCauses.clear();
    this.failedByCause.clear();
    this.answeredTotal = 0;
  }
}

function bump(map: Map<string, number>, key: string): void {
  map.set(key, (map.get(key) ?? 0) + 1);
}

function firstWord(command: string): string {
  const i = command.indexOf(' ');
  return i < 0 ? command : command.slice(0, i);
}
