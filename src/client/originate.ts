/**
 * The `originate` command line, as mod_commands.c's originate_function() and
 * switch_ivr_originate.c read it:
 *
 *   originate {var=value,...}<dial string> &<app>(<args>)
 *   originate {var=value,...}<dial string> <exten> <dialplan> <context>
 *
 * Values are escaped layer by layer (see escape.ts) so FreeSWITCH sets exactly
 * the strings given here.
 */

import { InvalidArgumentError } from '../errors.js';
import { APP_ID_VAR, CALL_ID_VAR } from '../app.js';
import { assertNoLineBreak, assertVarName, escapeArg, escapeVarValue } from './escape.js';

export interface OriginateOptions {
  /**
   * A full dial string when it contains `/` (`loopback/park/switchyard`,
   * `sofia/external/1000@10.0.0.5:5080`), used as is; otherwise a SIP
   * `user@host[:port]` sent through `profile` or `gateway`.
   */
  readonly dest: string;
  /** `origination_uuid`: the new channel's Unique-ID (Client.originate always sets one). */
  readonly uuid?: string;
  /** Sofia profile for a SIP `dest`. Default `external`. */
  readonly profile?: string;
  /** Sofia gateway for a SIP `dest` (instead of `profile`). */
  readonly gateway?: string;
  /** First hop for a SIP `dest` (`;fs_path=sip:<proxy>`). */
  readonly proxy?: string;
  /** Application run on the answered channel. Default `park`. */
  readonly app?: string;
  readonly appArgs?: string;
  /** Send the answered channel to the dialplan instead of an app. */
  readonly exten?: string;
  /** Dialplan context for `exten`. Default `default`. */
  readonly context?: string;
  /** Dialplan type for `exten`. Default `XML`. */
  readonly dialplan?: string;
  readonly callerIdName?: string;
  readonly callerIdNumber?: string;
  /** Seconds to wait for an answer (`originate_timeout`). */
  readonly timeout?: number;
  /** `absolute_codec_string`, e.g. `['PCMU', 'PCMA']`. */
  readonly codecs?: string | readonly string[];
  /** Channel variables; they override the ones derived from the options above. */
  readonly vars?: Readonly<Record<string, string | number | boolean>>;
  /** SIP X-headers: `{ Foo: 'bar' }` becomes `sip_h_X-Foo=bar`. */
  readonly xheaders?: Readonly<Record<string, string | number | boolean>>;
  /** Routes the call's events to the apps loaded under this id (see Client.loadApp). */
  readonly appId?: string;
}

const TOKEN = /^[A-Za-z0-9_.:@+-]+$/;
const UUID = /^[A-Za-z0-9-]+$/;

/** Builds the `originate ...` command (without the `api`/`bgapi` prefix). */
export function buildOriginate(options: OriginateOptions): string {
  const vars = originateVars(options);
  const block = [...vars].map(([name, value]) => `${name}=${escapeVarValue(name, value)}`).join(',');
  const prefix = block === '' ? '' : `{${block}}`;
  return `originate ${prefix}${dialString(options)} ${destination(options)}`;
}

function originateVars(o: OriginateOptions): Map<string, string> {
  const vars = new Map<string, string>();
  if (o.uuid !== undefined) {
    if (!UUID.test(o.uuid)) throw new InvalidArgumentError(`invalid uuid ${JSON.stringify(o.uuid)}`);
    vars.set('origination_uuid', o.uuid);
    // Travels as a SIP X-header too, so a leg that comes back through another
    // hop still names the session that started the call.
    vars.set(CALL_ID_VAR, o.uuid);
  }
  if (o.callerIdName !== undefined) vars.set('origination_caller_id_name', o.callerIdName);
  if (o.callerIdNumber !== undefined) vars.set('origination_caller_id_number', o.callerIdNumber);
  if (o.timeout !== undefined) {
    if (!Number.isInteger(o.timeout) || o.timeout <= 0) {
      throw new InvalidArgumentError(`timeout must be a positive whole number of seconds, got ${o.timeout}`);
    }
    vars.set('originate_timeout', String(o.timeout));
  }
  if (o.codecs !== undefined) {
    const codecs = typeof o.codecs === 'string' ? o.codecs : o.codecs.join(',');
    if (codecs !== '') vars.set('absolute_codec_string', codecs);
  }
  if (o.appId !== undefined) vars.set(APP_ID_VAR, o.appId);
  for (const [name, value] of Object.entries(o.vars ?? {})) vars.set(name, String(value));
  for (const [name, value] of Object.entries(o.xheaders ?? {})) vars.set(xheaderVar(name), String(value));
  for (const [name, value] of vars) {
    assertVarName(name);
    // switch_event_create_brackets() drops `name=` with nothing after it.
    if (value === '') vars.delete(name);
  }
  return vars;
}

function xheaderVar(name: string): string {
  if (name.startsWith('sip_h_')) return name;
  return name.toLowerCase().startsWith('x-') ? `sip_h_${name}` : `sip_h_X-${name}`;
}

function dialString(o: OriginateOptions): string {
  assertToken(o.dest, 'dest', /^[^\s'"\\{}]+$/);
  if (o.dest.includes('/')) {
    if (o.profile !== undefined || o.gateway !== undefined || o.proxy !== undefined) {
      throw new InvalidArgumentError(`profile, gateway and proxy apply to a SIP user@host dest, not to the dial string ${o.dest}`);
    }
    return o.dest;
  }
  if (o.profile !== undefined && o.gateway !== undefined) {
    throw new InvalidArgumentError('give either profile or gateway, not both');
  }
  const via = o.gateway !== undefined ? `gateway/${token(o.gateway, 'gateway')}` : token(o.profile ?? 'external', 'profile');
  const proxy = o.proxy === undefined ? '' : `;fs_path=sip:${token(o.proxy, 'proxy')}`;
  return `sofia/${via}/${o.dest}${proxy}`;
}

function destination(o: OriginateOptions): string {
  if (o.exten !== undefined) {
    if (o.app !== undefined || o.appArgs !== undefined) {
      throw new InvalidArgumentError('give either exten (dialplan) or app/appArgs, not both');
    }
    const dialplan = token(o.dialplan ?? 'XML', 'dialplan');
    return `${escapeArg(o.exten, 'exten')} ${dialplan} ${escapeArg(o.context ?? 'default', 'context')}`;
  }
  if (o.context !== undefined || o.dialplan !== undefined) {
    throw new InvalidArgumentError('context and dialplan apply only with exten');
  }
  const app = o.app ?? 'park';
  assertToken(app, 'app', /^[A-Za-z0-9_]+$/);
  const args = o.appArgs ?? '';
  if (args.includes(')')) {
    // originate_function() ends the args at the first ')' it finds.
    throw new InvalidArgumentError(`appArgs must not contain ')': FreeSWITCH would cut them there: ${args}`);
  }
  return escapeArg(`&${app}(${args})`, 'appArgs');
}

function token(value: string, what: string): string {
  assertToken(value, what, TOKEN);
  return value;
}

function assertToken(value: string, what: string, pattern: RegExp): void {
  assertNoLineBreak(value, what);
  if (!pattern.test(value)) throw new InvalidArgumentError(`invalid ${what}: ${JSON.stringify(value)}`);
}
