/**
 * The simulated XML dialplan (mod_dialplan_xml): contexts of extensions, each
 * a destination-number pattern and the applications it runs. The default
 * table mirrors the configuration the real recordings were made with (see
 * ../shared/captures/README.md): context `switchyard` for loopback calls and
 * `switchio` (the `external` SIP profile's context), which parks every call.
 */
import type { DialplanApps } from './session.js';

export interface Extension {
  readonly name: string;
  readonly match: RegExp;
  readonly apps: DialplanApps;
}

export type Dialplan = ReadonlyMap<string, readonly Extension[]>;

const PARK_EVERYTHING: readonly Extension[] = [{ name: 'park', match: /^.*$/, apps: [['park', '']] }];

/** US ringback, repeated until something stops it (mod_tone_stream). */
export const RINGBACK_TONE = 'tone_stream://%(2000,4000,440,480);loops=-1';

export const DEFAULT_DIALPLAN: Dialplan = new Map<string, readonly Extension[]>([
  [
    'switchyard',
    [
      {
        name: 'answer',
        match: /^answer$/,
        apps: [
          ['answer', ''],
          ['park', ''],
        ],
      },
      {
        name: 'echo',
        match: /^echo$/,
        apps: [
          ['answer', ''],
          ['echo', ''],
        ],
      },
      { name: 'busy', match: /^busy$/, apps: [['respond', '486']] },
      { name: 'socket', match: /^socket$/, apps: [['socket', '127.0.0.1:8084 async full']] },
      {
        name: 'ringing',
        match: /^ringing$/,
        apps: [
          ['ring_ready', ''],
          ['park', ''],
        ],
      },
      {
        name: 'early',
        match: /^early$/,
        apps: [
          ['pre_answer', ''],
          ['playback', RINGBACK_TONE],
          ['park', ''],
        ],
      },
      { name: 'park', match: /^.*$/, apps: [['park', '']] },
    ],
  ],
  ['switchio', PARK_EVERYTHING],
  ['default', PARK_EVERYTHING],
  ['public', PARK_EVERYTHING],
]);

/** The applications of the first extension matching, or undefined (FreeSWITCH then hangs up NO_ROUTE_DESTINATION). */
export function route(dialplan: Dialplan, context: string, destination: string): DialplanApps | undefined {
  const extensions = dialplan.get(context);
  if (!extensions) return undefined;
  for (const ext of extensions) if (ext.match.test(destination)) return ext.apps;
  return undefined;
}
