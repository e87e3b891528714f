/**
 * The shipped apps that run with their defaults, by name: what `switchyard
 * list-apps` lists and `serve --app NAME` / `dial --app NAME` load. Router is
 * not among them: it needs routes, written in code (`serve --app ./routes.ts`
 * with a module exporting a Router).
 *
 *   const app = createApp('TonePlay');
 *   await client.loadApp(app);
 */

import { type App, InvalidArgumentError } from 'switchyard';
import { Bert } from './bert.js';
import { CallMetrics } from './call-metrics.js';
import { DtmfChecker } from './dtmf-checker.js';
import { PlayRec } from './play-rec.js';
import { TonePlay } from './tone-play.js';

export interface ShippedApp {
  readonly name: string;
  readonly description: string;
  /** A new instance with default options (apps keep per-load state). */
  create(): App;
}

export const SHIPPED_APPS: readonly ShippedApp[] = [
  { name: 'Bert', description: 'mod_bert bit-error-rate test on both legs, counting sync losses', create: () => new Bert() },
  { name: 'CallMetrics', description: 'per-call rows, erlangs, failures and setup latency', create: () => new CallMetrics() },
  { name: 'DtmfChecker', description: 'send DTMF from one leg, check the other receives exactly it', create: () => new DtmfChecker() },
  { name: 'PlayRec', description: 'play a clip and record both legs on the FreeSWITCH host', create: () => new PlayRec() },
  { name: 'TonePlay', description: 'answer, echo on the inbound leg, endless tone on the outbound leg', create: () => new TonePlay() },
];

/** A new instance of the shipped app with this name (case-insensitive). */
export function createApp(name: string): App {
  const wanted = name.toLowerCase();
  const found = SHIPPED_APPS.find((a) => a.name.toLowerCase() === wanted);
  if (found === undefined) {
    throw new InvalidArgumentError(`no shipped app named ${JSON.stringify(name)}: choose one of ${SHIPPED_APPS.map((a) => a.name).join(', ')}`);
  }
  return found.create();
}
