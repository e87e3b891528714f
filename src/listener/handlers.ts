/**
 * The listener's own event handlers, one per event it models, named after
 * the event (switch_channel.c and switch_core_state_machine.c fire the
 * CHANNEL_* ones; mod_event_socket.c's api_exec() fires BACKGROUND_JOB).
 * They run before any app callback and return the session the event is
 * about, which the apps then receive.
 *
 * CHANNEL_CREATE and CHANNEL_ORIGINATE may come in either order, so both
 * create. ANSWER, PARK and CALL_UPDATE only happen on live channels and also
 * adopt a channel we have not seen created (one that existed before we
 * subscribed); HANGUP and later events never create, so the CHANNEL_STATE
 * FreeSWITCH sends after CHANNEL_DESTROY cannot resurrect a session.
 */

import type { Session } from '../models/session.js';
import type { EslEvent } from '../protocol/event.js';
import type { Tracker } from './tracker.js';

export type ListenerHandler = (tracker: Tracker, event: EslEvent) => Session | undefined;

function onChannelCreate(tracker: Tracker, event: EslEvent): Session | undefined {
  const uuid = event.uuid;
  return uuid === undefined ? undefined : tracker.sessionFor(event, uuid);
}

function onChannelAnswer(tracker: Tracker, event: EslEvent): Session | undefined {
  const session = onChannelCreate(tracker, event);
  if (session !== undefined) tracker.answered(session, event);
  return session;
}

function onChannelPark(tracker: Tracker, event: EslEvent): Session | undefined {
  return onChannelCreate(tracker, event);
}

function onCallUpdate(tracker: Tracker, event: EslEvent): Session | undefined {
  return onChannelCreate(tracker, event);
}

function onChannelHangup(tracker: Tracker, event: EslEvent): Session | undefined {
  const session = lookupSession(tracker, event);
  if (session !== undefined) tracker.hungUp(session, event);
  return session;
}

/** Counted like CHANNEL_HANGUP when that one was missed (hungUp counts once). */
function onChannelHangupComplete(tracker: Tracker, event: EslEvent): Session | undefined {
  return onChannelHangup(tracker, event);
}

function onChannelDestroy(tracker: Tracker, event: EslEvent): Session | undefined {
  const session = onChannelHangup(tracker, event);
  if (session !== undefined) tracker.drop(session, 'destroyed');
  return session;
}

function onBackgroundJob(tracker: Tracker, event: EslEvent): Session | undefined {
  const jobUuid = event.jobUuid;
  const job = jobUuid === undefined ? undefined : tracker.jobs.get(jobUuid);
  if (job === undefined) return undefined;
  job.complete(event.body ?? '');
  return job.sessUuid === undefined ? undefined : tracker.sessions.get(job.sessUuid);
}

/** Any other event about a channel: update the tracked session, if any. */
export function lookupSession(tracker: Tracker, event: EslEvent): Session | undefined {
  const uuid = event.uuid;
  const session = uuid === undefined ? undefined : tracker.sessions.get(uuid);
  if (session !== undefined) tracker.update(session, event);
  return session;
}

export const HANDLERS: Readonly<Record<string, ListenerHandler>> = {
  CHANNEL_CREATE: onChannelCreate,
  CHANNEL_ORIGINATE: onChannelCreate,
  CHANNEL_ANSWER: onChannelAnswer,
  CHANNEL_PARK: onChannelPark,
  CHANNEL_HANGUP: onChannelHangup,
  CHANNEL_HANGUP_COMPLETE: onChannelHangupComplete,
  CHANNEL_DESTROY: onChannelDestroy,
  CALL_UPDATE: onCallUpdate,
  BACKGROUND_JOB: onBackgroundJob,
};

/**
 * What the model subscribes to: its handlers' events, plus the completion
 * of the applications Session.execute() starts.
 */
export const MODEL_EVENTS: readonly string[] = [...Object.keys(HANDLERS), 'CHANNEL_EXECUTE_COMPLETE'];
