/**
 * A channel's session thread: what switch_core_state_machine.c runs for it
 * (CS_INIT, CS_ROUTING, CS_EXECUTE, CS_HANGUP, CS_REPORTING, CS_DESTROY),
 * switch_core_session_exec() around every application, and
 * switch_ivr_parse_event() for the commands queued by sendmsg and
 * uuid_broadcast. The applications themselves are in apps.ts.
 */
import { randomUUID } from 'node:crypto';
import { stopSessionAudio } from './audio.js';
import { APPLICATION_MODULES, APPLICATIONS } from './apps.js';
import type { PrivateCommand, SimChannel } from './channel.js';
import { formatLocal, nowMicros } from './clock.js';
import { LogLevel, TextChannel } from './core.js';
import type { EventOrigin } from './event.js';
import { causeQ850, parseCause } from './hangup-causes.js';
import { stopAllRecordings } from './record.js';

const EXEC_ORIGIN: EventOrigin = { file: 'switch_core_session.c', func: 'switch_core_session_exec', line: 2949 };
const EXEC_DONE_ORIGIN: EventOrigin = { file: 'switch_core_session.c', func: 'switch_core_session_exec', line: 2972 };
const RUN_CREATE: EventOrigin = { file: 'switch_core_state_machine.c', func: 'switch_core_session_run', line: 626 };
const RUN_ORIGINATE: EventOrigin = { file: 'switch_core_state_machine.c', func: 'switch_core_session_run', line: 632 };
const PRIVATE_ORIGIN: EventOrigin = { file: 'switch_ivr.c', func: 'switch_ivr_parse_next_event', line: 804 };
const REPORTING_ORIGIN: EventOrigin = {
  file: 'switch_core_state_machine.c',
  func: 'switch_core_session_reporting_state',
  line: 943,
};
const DESTROY_ORIGIN: EventOrigin = { file: 'switch_core_session.c', func: 'switch_core_session_perform_destroy', line: 1588 };
const THREAD_ORIGIN_ENDED: EventOrigin = { file: 'switch_core_session.c', func: 'switch_core_session_thread', line: 1766 };
const THREAD_ORIGIN_CLOSE: EventOrigin = { file: 'switch_core_session.c', func: 'switch_core_session_thread', line: 1770 };
const DIALPLAN_ORIGIN: EventOrigin = { file: 'mod_dialplan_xml.c', func: 'dialplan_hunt', line: 639 };
const PARSE_EVENT_ORIGIN: EventOrigin = { file: 'switch_ivr.c', func: 'switch_ivr_parse_event', line: 557 };

export type DialplanApps = ReadonlyArray<readonly [string, string]>;

/**
 * An inbound leg from CS_ROUTING on: ringing, the dialplan's applications in
 * CS_EXECUTE, then hangup when they end (as FreeSWITCH does when an extension
 * runs out of applications).
 */
export async function runInbound(ch: SimChannel, route: () => DialplanApps | undefined): Promise<void> {
  ch.runningState = 'CS_ROUTING';
  ch.setCallState('RINGING');
  ch.enterState('CS_ROUTING');
  const p = ch.profile;
  if (p) {
    ch.core.log(
      LogLevel.INFO,
      DIALPLAN_ORIGIN,
      `Processing ${p.callerIdName} <${p.callerIdNumber}>->${p.destinationNumber} in context ${p.context}`,
      ch.uuid,
    );
  }
  const apps = route();
  if (apps === undefined) {
    ch.hangup('NO_ROUTE_DESTINATION');
  } else if (!ch.hungup) {
    await runApps(ch, apps);
    if (!ch.hungup) ch.hangup('NORMAL_CLEARING');
  }
  await finishSession(ch);
}

/** CS_EXECUTE with a list of applications (the dialplan's, or originate's `&app(args)`). */
export async function runApps(ch: SimChannel, apps: DialplanApps): Promise<void> {
  if (ch.hungup) return;
  ch.setStateNumber('CS_EXECUTE');
  ch.enterState('CS_EXECUTE');
  ch.setVar('call_uuid', ch.callUuid);
  for (const [app, arg] of apps) {
    if (ch.hungup) break;
    await execute(ch, app, arg);
    await drainPrivate(ch);
    if ((await runDiverts(ch)) === 'done') return;
  }
}

/** Runs what uuid_bridge / uuid_transfer asked of the channel once its application has returned. */
async function runDiverts(ch: SimChannel): Promise<'continue' | 'done'> {
  while (ch.divert !== undefined && !ch.hungup) {
    const divert = ch.divert;
    ch.divert = undefined;
    if ((await divert(ch)) === 'done') return 'done';
  }
  return 'continue';
}

/**
 * switch_core_session_exec: CHANNEL_EXECUTE, the application,
 * CHANNEL_EXECUTE_COMPLETE. Both events carry `Application-UUID`: the
 * sendmsg's Event-UUID when it gave one (switch_ivr_parse_event stores it as
 * the channel's app_uuid), else a fresh uuid.
 */
export async function execute(ch: SimChannel, app: string, arg: string, eventUuid?: string): Promise<boolean> {
  const impl = APPLICATIONS.get(app.toLowerCase());
  const module = APPLICATION_MODULES.get(app.toLowerCase());
  if (impl === undefined || (module !== undefined && !ch.core.modules.has(module))) {
    ch.core.log(LogLevel.ERR, EXEC_ORIGIN, `Invalid Application ${app}`, ch.uuid);
    return false;
  }
  const appUuid = eventUuid !== undefined && eventUuid !== '' ? eventUuid : randomUUID();
  if (arg !== '') ch.setVar('current_application_data', arg);
  ch.setVar('current_application', app);
  const dataHeader: Array<[string, string]> = arg !== '' ? [['Application-Data', arg]] : [];
  ch.fire('CHANNEL_EXECUTE', EXEC_ORIGIN, {
    post: [['Application', app], ...dataHeader, ['Application-UUID', appUuid]],
  });
  ch.appStack.push({ name: app, arg, uuid: appUuid });
  ch.lastApp = { name: app, arg };
  try {
    await impl(ch, arg);
  } finally {
    ch.appStack.pop();
  }
  ch.fire('CHANNEL_EXECUTE_COMPLETE', EXEC_DONE_ORIGIN, {
    post: [
      ['Application', app],
      ...dataHeader,
      ['Application-Response', ch.getVar('current_application_response') ?? '_none_'],
      ['Application-UUID', appUuid],
    ],
  });
  return true;
}

/** Runs every queued private command (called from park, echo and between applications). */
export async function drainPrivate(ch: SimChannel): Promise<void> {
  while (ch.privateQueue.length > 0 && !ch.hungup) {
    await runPrivate(ch, ch.privateQueue.shift()!);
  }
}

/** switch_ivr_parse_event: one sendmsg; PRIVATE_COMMAND is fired once it has run. */
async function runPrivate(ch: SimChannel, cmd: PrivateCommand): Promise<void> {
  const header = (name: string): string | undefined => {
    const lower = name.toLowerCase();
    for (const [k, v] of cmd.headers) if (k.toLowerCase() === lower) return v;
    return undefined;
  };
  const command = (header('call-command') ?? '').toLowerCase();
  if (command === 'execute') {
    const app = header('execute-app-name') ?? '';
    let arg = header('execute-app-arg') ?? '';
    if (arg === '' && cmd.body !== undefined) arg = cmd.body;
    const loops = Math.max(1, Number.parseInt(header('loops') ?? '1', 10) || 1);
    // Set again before every loop, so each run of the application carries the same Application-UUID.
    const eventUuid = header('event-uuid');
    for (let i = 1; i <= loops && !ch.hungup; i++) {
      ch.setVar('current_loop', String(i));
      ch.setVar('total_loops', String(loops));
      await execute(ch, app, arg, eventUuid);
    }
    ch.unsetVar('current_loop');
    ch.unsetVar('total_loops');
  } else if (command === 'hangup') {
    ch.hangup(parseCause(header('hangup-cause') ?? '') ?? 'NORMAL_CLEARING', PARSE_EVENT_ORIGIN);
  } else if (command === 'unicast' || command === 'nomedia' || command === 'xferext') {
    ch.core.log(LogLevel.DEBUG, PARSE_EVENT_ORIGIN, `${command} is not simulated`, ch.uuid);
  }
  if (ch.hungup && command !== 'hangup') return;
  const body = cmd.body;
  ch.fire('PRIVATE_COMMAND', PRIVATE_ORIGIN, {
    leading: [...cmd.headers],
    ...(body !== undefined && body !== '' ? { body } : {}),
  });
}

/**
 * After the hangup: CS_HANGUP, CS_REPORTING (CHANNEL_HANGUP_COMPLETE with the
 * CDR variables of switch_channel_set_timestamps), then destroy.
 */
export async function finishSession(ch: SimChannel): Promise<void> {
  if (ch.destroyed) return;
  ch.destroyed = true;
  const cause = ch.hangupCause ?? 'NORMAL_CLEARING';
  ch.enterState('CS_HANGUP');
  ch.setCallState('HANGUP');
  // switch_core_session_hangup_state removes the media bugs: open recordings end here.
  stopAllRecordings(ch);
  stopSessionAudio(ch);
  ch.enterState('CS_REPORTING');
  setCdrVariables(ch, cause);
  ch.fire('CHANNEL_HANGUP_COMPLETE', REPORTING_ORIGIN, { pre: [['Hangup-Cause', cause]] });
  ch.setStateNumber('CS_DESTROY');
  ch.fire('CHANNEL_DESTROY', DESTROY_ORIGIN);
  ch.enterState('CS_DESTROY');
  ch.core.log(
    LogLevel.NOTICE,
    THREAD_ORIGIN_ENDED,
    `Session ${ch.sessionId} (${ch.name}) Ended`,
    ch.uuid,
    TextChannel.Session,
  );
  ch.core.log(LogLevel.NOTICE, THREAD_ORIGIN_CLOSE, `Close Channel ${ch.name} [CS_DESTROY]`, ch.uuid);
  ch.core.unregisterChannel(ch);
}

function setCdrVariables(ch: SimChannel, cause: string): void {
  const t = ch.times;
  const end = t.hungup || nowMicros();
  const sec = (us: number): number => Math.floor(us / 1_000_000);
  const ms = (us: number): number => Math.floor(us / 1000);
  const since = (from: number, unit: (us: number) => number): number => (from > 0 ? unit(from) - unit(t.created) : 0);
  const set = (k: string, v: string | number): void => ch.setVar(k, String(v));
  set('hangup_cause', cause);
  set('hangup_cause_q850', causeQ850(cause));
  set('digits_dialed', ch.digitsDialed === '' ? 'none' : ch.digitsDialed);
  set('start_stamp', formatLocal(t.created));
  set('profile_start_stamp', formatLocal(ch.profile?.profileCreated ?? t.created));
  if (t.answered > 0) set('answer_stamp', formatLocal(t.answered));
  if (t.progress > 0) set('progress_stamp', formatLocal(t.progress));
  if (t.progressMedia > 0) set('progress_media_stamp', formatLocal(t.progressMedia));
  set('end_stamp', formatLocal(end));
  const pairs: Array<[string, number]> = [
    ['start', t.created],
    ['profile_start', ch.profile?.profileCreated ?? t.created],
    ['answer', t.answered],
    ['bridge', t.bridged],
    ['last_hold', t.lastHold],
  ];
  for (const [name, us] of pairs) {
    set(`${name}_epoch`, sec(us));
    set(`${name}_uepoch`, us);
  }
  set('hold_accum_seconds', sec(t.holdAccum));
  set('hold_accum_usec', t.holdAccum);
  set('hold_accum_ms', ms(t.holdAccum));
  for (const [name, us] of [
    ['resurrect', t.resurrected],
    ['progress', t.progress],
    ['progress_media', t.progressMedia],
    ['end', end],
  ] as const) {
    set(`${name}_epoch`, sec(us));
    set(`${name}_uepoch`, us);
  }
  if (ch.lastApp !== undefined) {
    set('last_app', ch.lastApp.name);
    if (ch.lastApp.arg !== '') set('last_arg', ch.lastApp.arg);
  }
  set('caller_id', ch.callerIdString());
  const spans: Array<[string, number]> = [
    ['duration', t.created],
    ['billsec', t.answered],
    ['progresssec', t.progress],
    ['answersec', t.answered],
    ['waitsec', t.bridged],
    ['progress_mediasec', t.progressMedia],
    ['flow_billsec', t.created],
  ];
  // duration and billsec run to the hangup; the others are how long it took to get there.
  const span = (name: string, from: number, unit: (us: number) => number): number => {
    if (name === 'duration' || name === 'flow_billsec') return unit(end) - unit(t.created);
    if (name === 'billsec') return from > 0 ? unit(end) - unit(from) : 0;
    return since(from, unit);
  };
  for (const [name, from] of spans) set(name, span(name, from, sec));
  for (const [name, from] of spans) set(name.replace('sec', 'msec').replace('duration', 'mduration'), span(name, from, ms));
  for (const [name, from] of spans) {
    set(name.replace('sec', 'usec').replace('duration', 'uduration'), span(name, from, (us) => us));
  }
  for (const [k, v] of ch.hooks.cdrVariables?.(ch) ?? []) ch.setVar(k, v);
}

/**
 * An originated leg after CS_INIT: CS_ROUTING, then CS_CONSUME_MEDIA until
 * originate releases it with its applications (or it hangs up first).
 */
export async function runOriginated(ch: SimChannel): Promise<void> {
  ch.enterState('CS_ROUTING');
  ch.enterState('CS_CONSUME_MEDIA');
  const apps = await Promise.race([ch.whenReleased(), ch.whenHungup().then(() => undefined)]);
  if (apps !== undefined && !ch.hungup) {
    await runApps(ch, apps);
    if (!ch.hungup) ch.hangup('NORMAL_CLEARING');
  }
  await finishSession(ch);
}

/** CHANNEL_CREATE (and CHANNEL_ORIGINATE) once the leg is in CS_INIT. */
export function createEvents(ch: SimChannel, originated: boolean): void {
  ch.setStateNumber('CS_ROUTING');
  ch.fire('CHANNEL_CREATE', RUN_CREATE);
  if (originated) ch.fire('CHANNEL_ORIGINATE', RUN_ORIGINATE);
}

/** Runs a session thread, logging (never throwing) if it fails. */
export function startThread(ch: SimChannel, thread: Promise<void>): void {
  thread.catch((err: unknown) => {
    ch.core.logger.error({ err, uuid: ch.uuid }, 'simulated session thread failed');
  });
}
