/**
 * A shipped app on real calls: TonePlay on 20 loopback calls at once. It
 * answers each parked inbound leg, echoes there, and plays a tone on the
 * outbound leg, so every call carries media both ways.
 */
import { Client, EventListener } from 'switchyard';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { TonePlay } from '../../apps/index.js';
import { CallProbe } from './probe.js';
import { describeE2E, target, until } from './support.js';

const APP_ID = 'e2e-tones';
const CALLS = 20;

describeE2E('TonePlay', () => {
  let listener: EventListener;
  let client: Client;

  beforeAll(async () => {
    listener = new EventListener({ ...target });
    client = new Client({ ...target, listener });
    await client.connect();
    await client.cmd('hupall NORMAL_CLEARING');
  });

  afterAll(async () => {
    await client?.cmd('hupall NORMAL_CLEARING');
    await client?.close();
  });

  it(`answers, echoes and plays its tone on ${CALLS} calls`, async () => {
    const tones = new TonePlay();
    const probe = new CallProbe(['CHANNEL_ANSWER', 'PLAYBACK_START', 'CHANNEL_DESTROY']);
    expect(await client.loadApp(tones, { appId: APP_ID })).toBe(APP_ID);
    await client.loadApp(probe.app, { appId: APP_ID });

    // The dialplan parks the far legs unanswered: each originate completes
    // only because TonePlay answers its inbound leg.
    const outbound = await Promise.all(
      Array.from({ length: CALLS }, () => client.originate({ dest: 'loopback/park/switchyard', appId: APP_ID })),
    );
    expect(new Set(outbound).size).toBe(CALLS);
    const inbound = outbound.map((u) => {
      const a = listener.sessions.get(u)!;
      return a.call!.peer(a)!.uuid;
    });

    const tonesStarted = await probe.all('PLAYBACK_START', outbound, 'the tone');
    expect(tonesStarted.every((s) => s.direction === 'outbound')).toBe(true);
    await probe.all('CHANNEL_ANSWER', [...outbound, ...inbound], 'answer');
    // The counters move when each command's reply comes back on the command
    // connection, which is not ordered with the event connection.
    await until(async () => tones.stats.tones === CALLS && tones.stats.echoing === CALLS, 'TonePlay counters');
    expect(tones.stats).toEqual({ answered: CALLS, echoing: CALLS, tones: CALLS });
    expect(listener.countCalls()).toBe(CALLS);
    expect(listener.countSessions()).toBe(2 * CALLS);
    for (const u of outbound) expect(listener.sessions.get(u)!.appId).toBe(APP_ID);

    await client.hupall('NORMAL_CLEARING', APP_ID);
    await probe.all('CHANNEL_DESTROY', [...outbound, ...inbound], 'hupall of the app id');
    expect(listener.countSessions()).toBe(0);
    await client.unloadApp(APP_ID);
    expect(client.apps.has(APP_ID)).toBe(false);
  });
});
