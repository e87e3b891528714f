/**
 * `originate` (mod_commands.c originate_function over switch_ivr_originate.c):
 * create the A leg through its endpoint, wait for answer, failure or timeout,
 * flip its caller id (CALL_UPDATE), answer `+OK <uuid>` and hand the leg its
 * application or dialplan extension; or `-ERR <CAUSE>`.
 */
import type { SimChannel } from './channel.js';
import { LogLevel } from './core.js';
import { type DialLeg, ORIGINATE_USAGE, type OriginateRequest, parseOriginate } from './dial-string.js';
import { route } from './dialplan.js';
import type { EventOrigin } from './event.js';
import type { SimRuntime } from './runtime.js';
import type { DialplanApps } from './session.js';

const FLIP_ORIGIN: EventOrigin = { file: 'switch_channel.c', func: 'switch_channel_flip_cid', line: 3279 };
const ORIGINATE_ORIGIN: EventOrigin = { file: 'switch_ivr_originate.c', func: 'switch_ivr_originate', line: 3855 };
const DEFAULT_TIMEOUT_SEC = 60;
const DEFAULT_CID_NUMBER = '0000000000';

export async function originateApi(sim: SimRuntime, args: string): Promise<string> {
  const req = parseOriginate(args);
  if (!req) return ORIGINATE_USAGE;
  let cause = 'DESTINATION_OUT_OF_ORDER';
  for (const leg of req.legs) {
    const outcome = await dialLeg(sim, req, leg);
    if (typeof outcome !== 'string') {
      handOver(sim, req, outcome);
      return `+OK ${outcome.uuid}\n`;
    }
    cause = outcome;
  }
  return `-ERR ${cause}\n`;
}

function varOf(vars: ReadonlyArray<readonly [string, string]>, name: string): string | undefined {
  let found: string | undefined;
  for (const [k, v] of vars) if (k === name) found = v;
  return found;
}

/** One leg: the answered channel, or the cause it failed with. */
async function dialLeg(sim: SimRuntime, req: OriginateRequest, leg: DialLeg): Promise<SimChannel | string> {
  const endpoint = sim.endpoints.get(leg.tech);
  if (endpoint === undefined) return 'CHAN_NOT_IMPLEMENTED';
  if (leg.tech !== 'error') {
    const refused = admissionRefused(sim, leg.tech);
    if (refused !== undefined) return refused;
  }
  const cidName = varOf(leg.vars, 'origination_caller_id_name') ?? req.cidName ?? '';
  const cidNum = varOf(leg.vars, 'origination_caller_id_number') ?? req.cidNum ?? DEFAULT_CID_NUMBER;
  const created = endpoint(sim, {
    data: leg.data,
    vars: leg.vars,
    uuid: varOf(leg.vars, 'origination_uuid'),
    cidName,
    cidNum,
  });
  if (typeof created === 'string') return created;
  const timeoutVar = Number.parseInt(varOf(leg.vars, 'originate_timeout') ?? '', 10);
  const timeoutSec = Number.isFinite(timeoutVar) && timeoutVar > 0 ? timeoutVar : (req.timeoutSec ?? DEFAULT_TIMEOUT_SEC);
  return waitForAnswer(sim, created, timeoutSec * 1000);
}

/**
 * switch_core_session_request_uuid refuses a session over sessions-per-second
 * ("Throttle Error! <session count>", checked first) or over max-sessions
 * ("Over Session Limit! <limit>"), returning no session; the endpoint's
 * outgoing_channel then fails with its default cause (mod_sofia.c
 * sofia_outgoing_channel: "Error Creating Session", mod_loopback.c likewise),
 * DESTINATION_OUT_OF_ORDER, which switch_ivr_originate reports as is.
 */
function admissionRefused(sim: SimRuntime, tech: string): string | undefined {
  const core = sim.core;
  const admission = core.admitSession();
  if (admission === 'ok') return undefined;
  const request = { file: 'switch_core_session.c', func: 'switch_core_session_request_xml', line: 2451 };
  if (admission === 'rate') core.log(LogLevel.CRIT, request, `Throttle Error! ${core.channels.size}`);
  else core.log(LogLevel.CRIT, { ...request, line: 2457 }, `Over Session Limit! ${core.limits.maxSessions}`);
  const cause = 'DESTINATION_OUT_OF_ORDER';
  if (tech === 'sofia') core.log(LogLevel.CRIT, { file: 'mod_sofia.c', func: 'sofia_outgoing_channel', line: 4461 }, 'Error Creating Session');
  core.log(
    LogLevel.NOTICE,
    { file: 'switch_ivr_originate.c', func: 'switch_ivr_originate', line: 2650 },
    `Cannot create outgoing channel of type [${tech}] cause: [${cause}]`,
  );
  return cause;
}

function waitForAnswer(sim: SimRuntime, ch: SimChannel, timeoutMs: number): Promise<SimChannel | string> {
  return new Promise((resolve) => {
    const timer = sim.core.timer(timeoutMs, () => {
      ch.hangup('NO_ANSWER', ORIGINATE_ORIGIN);
      resolve('NO_ANSWER');
    });
    ch.whenAnswered().then(() => {
      sim.core.cancelTimer(timer);
      resolve(ch.hungup ? (ch.hangupCause ?? 'NORMAL_CLEARING') : ch);
    });
    ch.whenHungup().then(() => {
      sim.core.cancelTimer(timer);
      resolve(ch.hangupCause ?? 'NORMAL_CLEARING');
    });
  });
}

/** After answer: CALL_UPDATE from the caller-id flip, then the leg runs its application. */
function handOver(sim: SimRuntime, req: OriginateRequest, ch: SimChannel): void {
  ch.setVar('endpoint_disposition', 'ANSWER');
  ch.flipCallerId();
  ch.fire('CALL_UPDATE', FLIP_ORIGIN, { pre: [['Direction', 'RECV']] });
  let apps: DialplanApps | undefined;
  if (req.app) {
    apps = [[req.app.name, req.app.arg]];
  } else if (req.exten !== undefined && ch.profile) {
    ch.profile.destinationNumber = req.exten;
    ch.profile.context = req.context;
    ch.profile.dialplan = req.dialplan;
    apps = route(sim.dialplan, req.context, req.exten);
  }
  // The job's reply and BACKGROUND_JOB go out before the leg moves on, as in FreeSWITCH.
  sim.core.timer(0, () => {
    if (apps === undefined) ch.hangup('NO_ROUTE_DESTINATION');
    ch.release(apps ?? []);
  });
}
