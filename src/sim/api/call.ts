/**
 * More call-control api commands (mod_commands.c): uuid_bridge
 * (uuid_bridge_function), uuid_transfer (transfer_function), sched_hangup
 * (sched_hangup_function over switch_ivr_async.c switch_ivr_schedule_hangup, a
 * scheduler task: scheduler.ts),
 * uuid_setvar_multi. Texts are mod_commands.c's, including its mixed case
 * (`No Such Channel!` in sched_hangup, `No such channel!` elsewhere).
 */
import { transfer, uuidBridge } from '../bridge.js';
import type { EventOrigin } from '../event.js';
import { parseCause } from '../hangup-causes.js';
import { SimScheduler } from '../scheduler.js';
import { separateString } from '../separate-string.js';
import type { ApiHandler } from './registry.js';

const SCHED_HANGUP_ORIGIN: EventOrigin = { file: 'switch_ivr_async.c', func: 'sch_hangup_callback', line: 4226 };
const TRANSFER_USAGE = '-USAGE: <uuid> [-bleg|-both] <dest-exten> [<dialplan>] [<context>]\n';
const MULTISET_USAGE = '-USAGE: <uuid> <var>=<value>;<var>=<value>...\n';

const words = (args: string): string[] => args.split(' ').filter((t) => t !== '');

/** `uuid_bridge <uuid> <other_uuid> [<fallback_uuid>]`: `+OK <who>` names the leg bridged to. */
const uuidBridgeApi: ApiHandler = (sim, { args }) => {
  const argv = words(args);
  if (argv.length < 2) return '-USAGE: <uuid> <other_uuid>\n';
  const [a = '', b = '', fallback] = argv;
  if (uuidBridge(sim, a, b)) return `+OK ${b}\n`;
  if (fallback !== undefined && uuidBridge(sim, a, fallback)) return `+OK ${fallback}\n`;
  return '-ERR Invalid uuid\n';
};

/** `uuid_transfer <uuid> [-bleg|-both] <dest> [<dialplan>] [<context>]` (dialplan XML, context default). */
const uuidTransfer: ApiHandler = (sim, { args }) => {
  const argv = words(args);
  if (argv.length < 2 || argv.length > 5) return TRANSFER_USAGE;
  const ch = sim.channel(argv[0]!);
  if (!ch || ch.hungup) return '-ERR No such channel!\n';
  let rest = argv.slice(1);
  let flag: string | undefined;
  if (rest[0]!.startsWith('-')) {
    flag = rest[0]!.toLowerCase();
    rest = rest.slice(1);
  }
  const [dest, dialplan = 'XML', context = 'default'] = rest;
  if (dest === undefined) return TRANSFER_USAGE;
  const targets = flag === '-bleg' ? [ch.bridgedTo] : flag === '-both' ? [ch, ch.bridgedTo] : [ch];
  let ok = false;
  for (const target of targets) {
    if (target && transfer(sim, target, dest, dialplan, context)) ok = true;
  }
  return ok ? '+OK\n' : '-ERR\n';
};

/** `sched_hangup [+]<time> <uuid> [<cause>]`: default cause ALLOTTED_TIMEOUT; +0 hangs up at once. */
const schedHangup: ApiHandler = (sim, { args }) => {
  const argv = words(args);
  if (argv.length < 1) return '-USAGE: [+]<time> <uuid> [<cause>]\n';
  const [when = '', uuid = '', causeText] = argv;
  const ch = uuid !== '' ? sim.channel(uuid) : undefined;
  if (!ch || ch.destroyed) return '-ERR No Such Channel!\n';
  const cause = causeText !== undefined ? (parseCause(causeText) ?? 'NORMAL_CLEARING') : 'ALLOTTED_TIMEOUT';
  // mod_commands reads the seconds after the first character, whatever it is.
  const relative = Number.parseInt(when.slice(1), 10) || 0;
  if (relative === 0) {
    ch.hangup(cause, SCHED_HANGUP_ORIGIN);
    return '+OK\n';
  }
  const nowSec = Math.floor(Date.now() / 1000);
  const runtime = when.startsWith('+') ? nowSec + relative : Number.parseInt(when, 10) || 0;
  const scheduler = SimScheduler.of(sim.core);
  // switch_ivr_schedule_hangup: a task in the session's group, gone with the session.
  scheduler.add('switch_ivr_schedule_hangup', ch.uuid, runtime, () => {
    if (!ch.hungup) ch.hangup(cause, SCHED_HANGUP_ORIGIN);
  });
  void ch.whenHungup().then(() => scheduler.delGroup(ch.uuid));
  return '+OK\n';
};

/**
 * `uuid_setvar_multi <uuid> a=1;b=2`: the pairs are split on `;` by
 * switch_separate_string (at most 64; quotes and `\;` keep a `;` in a value,
 * escapes are resolved), each at its first `=`. A name without `=`, or with
 * an empty value, unsets it (switch_channel_set_variable).
 */
const uuidSetvarMulti: ApiHandler = (sim, { args }) => {
  const text = args.trim();
  const sp = text.indexOf(' ');
  if (sp < 0) return MULTISET_USAGE;
  const ch = sim.channel(text.slice(0, sp));
  if (!ch || ch.destroyed) return `-ERR No such channel!\n${MULTISET_USAGE}`;
  let out = '';
  let set = 0;
  for (const pair of separateString(text.slice(sp + 1), ';', 64)) {
    const eq = pair.indexOf('=');
    const name = eq < 0 ? pair : pair.slice(0, eq);
    if (name === '') {
      out += '-ERR No variable specified\n';
      continue;
    }
    const value = eq < 0 ? '' : pair.slice(eq + 1);
    if (value === '') ch.unsetVar(name);
    else ch.setVar(name, value);
    set++;
  }
  return set > 0 ? `${out}+OK\n` : `${out}${MULTISET_USAGE}`;
};

export const callApis: Readonly<Record<string, ApiHandler>> = {
  uuid_bridge: uuidBridgeApi,
  uuid_transfer: uuidTransfer,
  sched_hangup: schedHangup,
  uuid_setvar_multi: uuidSetvarMulti,
};
