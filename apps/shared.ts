/**
 * Small pieces the shipped apps share: reading an event's time, and running a
 * call-control verb without awaiting it.
 *
 * App callbacks are never awaited by the listener (a slow app must not stall
 * the event stream), and some verbs only settle when the call ends (`echo`,
 * `bert_test`): those are started detached, and a failure is logged at warn
 * with the session's uuid instead of vanishing.
 */

import type { Logger } from 'pino';
import type { EslEvent, Session } from 'switchyard';

/** Event-Date-Timestamp (microseconds, switch_event.c) in milliseconds; `fallback` when absent. */
export function eventTimeMs(event: EslEvent, fallback: number): number {
  const us = Number(event.get('Event-Date-Timestamp'));
  return Number.isFinite(us) && us > 0 ? us / 1000 : fallback;
}

/** Starts a verb without waiting for it; logs its failure unless the session is already gone. */
export function detach(logger: Logger, session: Session, what: string, run: () => Promise<unknown>): void {
  let promise: Promise<unknown>;
  try {
    promise = run();
  } catch (error) {
    promise = Promise.reject(error);
  }
  promise.catch((error: unknown) => {
    // A verb cut short by the hangup it was waiting for is the normal end of a call.
    if (session.hungup) {
      logger.debug({ uuid: session.uuid, err: error }, `${what} ended with the call`);
      return;
    }
    logger.warn({ uuid: session.uuid, err: error }, `${what} failed`);
  });
}

/** True for the leg FreeSWITCH received (Call-Direction inbound), the one a dialplan parks. */
export function isInbound(session: Session): boolean {
  return session.direction === 'inbound';
}

/** True for the leg we originated. */
export function isOutbound(session: Session): boolean {
  return session.direction === 'outbound';
}

/** Appends to a list kept at most `max` long, dropping the oldest. */
export function pushBounded<T>(list: T[], item: T, max: number): void {
  list.push(item);
  if (list.length > max) list.splice(0, list.length - max);
}
