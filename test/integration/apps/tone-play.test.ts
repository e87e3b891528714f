import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MILLIWATT_TONE, TonePlay } from '../../../apps/tone-play.js';
import { destroyed, Probe, type Stack, startStack } from './harness.js';

let stack: Stack;

beforeAll(async () => {
  stack = await startStack();
});

afterAll(async () => {
  await stack.close();
});

describe('TonePlay over the simulator', () => {
  it('answers N loopback calls, echoes on every inbound leg and plays the tone on every outbound leg', async () => {
    const N = 8;
    const app = new TonePlay();
    const tones = new Probe(['PLAYBACK_START']);
    const echoes = new Probe(['CHANNEL_EXECUTE'], (s) => s.event.get('Application') === 'echo');
    const { client, listener, sim } = stack;
    await client.loadApp(app, { appId: 'tones' });
    await client.loadApp(tones.app, { appId: 'tones' });
    const echoProbe = { ...echoes.app, name: 'EchoProbe' };
    await client.loadApp(echoProbe, { appId: 'tones' });
    try {
      // `park` in the recorded dialplan parks the b-leg unanswered: only the app answers it.
      const uuids = await Promise.all(
        Array.from({ length: N }, () => client.originate({ dest: 'loopback/park/switchyard', appId: 'tones' }).result({ timeout: 10_000 })),
      );
      await Promise.all([tones.until(N), echoes.until(N)]);

      const outbound = new Set(uuids);
      const inbound = new Set(uuids.map((u) => listener.sessions.get(u)!.call!.peer(listener.sessions.get(u)!)!.uuid));
      expect(inbound.size).toBe(N);
      expect(new Set(tones.seen.map((s) => s.uuid))).toEqual(outbound);
      expect(tones.seen.map((s) => s.event.get('Playback-File-Path'))).toEqual(Array(N).fill(MILLIWATT_TONE));
      expect(new Set(echoes.seen.map((s) => s.uuid))).toEqual(inbound);

      const channels = sim.channels();
      expect(channels).toHaveLength(2 * N);
      expect(channels.every((c) => c.answered)).toBe(true);
      expect(new Set(channels.filter((c) => c.direction === 'outbound').map((c) => c.uuid))).toEqual(outbound);

      const sessions = [...listener.sessions.values()];
      await client.hupall('NORMAL_CLEARING', 'tones');
      // Replies come in command order: the broadcasts' replies (and the app's counting) came before hupall's.
      expect(app.stats).toEqual({ answered: N, echoing: N, tones: N });
      await Promise.all(sessions.map(destroyed));
      expect(sim.channels()).toEqual([]);
      // No tone ever went to an inbound leg.
      expect(tones.seen.filter((s) => inbound.has(s.uuid!))).toEqual([]);
    } finally {
      await client.unloadApp('tones');
    }
  });
});
