/**
 * Bert against simulators with and without mod_bert: bert_test runs on both
 * legs of a SIP self-call (mod_bert only tests PCMU legs), in_sync and
 * lost_sync (injected with the simulator's `sim_bert_lose`) are counted, and
 * hangupOnLostSync ends the call.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BERT_DEFAULT_VARS, Bert, type BertOptions } from '../../../apps/bert.js';
import type { Session } from '../../../src/models/session.js';
import { destroyed, Probe, type Stack, startStack } from './harness.js';

let plain: Stack;
let withBert: Stack;

beforeAll(async () => {
  [plain, withBert] = await Promise.all([startStack(), startStack({ modules: { bert: true } })]);
});

afterAll(async () => {
  await Promise.all([plain.close(), withBert.close()]);
});

/** Short sync windows so in_sync and lost_sync come within tens of ms. */
const WINDOW = { bert_window_ms: '50' };

interface BertCall {
  readonly app: Bert;
  readonly a: Session;
  readonly b: Session;
  readonly inSync: Probe;
  readonly lostSync: Probe;
}

/** Loads Bert (and probes) under `appId`, calls the external profile back over SIP, and resolves once both legs are in sync. */
async function syncedCall(appId: string, options: BertOptions): Promise<BertCall> {
  const { client, listener } = withBert;
  const app = new Bert({ ...options, vars: WINDOW });
  const inSync = new Probe(['mod_bert::in_sync'], undefined, 'InSync');
  const lostSync = new Probe(['mod_bert::lost_sync'], undefined, 'LostSync');
  await client.loadApp(app, { appId });
  await client.loadApp(inSync.app, { appId });
  await client.loadApp(lostSync.app, { appId });
  // The `external` profile's calls come back in as an inbound leg that parks (sip-call recording).
  const uuid = await client.originate({ dest: 'park@127.0.0.1:5080', appId }).result({ timeout: 10_000 });
  const a = listener.sessions.get(uuid)!;
  const b = a.call!.peer(a)!;
  await inSync.until(2);
  return { app, a, b, inSync, lostSync };
}

describe('Bert over the simulator', () => {
  it('refuses to load where mod_bert is not loaded, leaving nothing registered', async () => {
    expect(await plain.sim.api('module_exists mod_bert')).toBe('false');
    await expect(plain.client.loadApp(new Bert(), { appId: 'bert-missing' })).rejects.toThrow(/mod_bert is not loaded/);
    expect(plain.client.apps.get('bert-missing')).toBeUndefined();
  });

  it('runs bert_test on both legs of a SIP self-call, counting in_sync and an injected lost_sync', async () => {
    const { client, sim } = withBert;
    expect(await sim.api('module_exists mod_bert')).toBe('true');
    try {
      const { app, a, b, inSync, lostSync } = await syncedCall('bert', {});
      expect(new Set(inSync.seen.map((s) => s.uuid))).toEqual(new Set([a.uuid, b.uuid]));
      for (const ch of sim.channels()) expect(ch.vars).toMatchObject({ ...BERT_DEFAULT_VARS, ...WINDOW });
      expect(app.stats).toEqual({ inSync: 2, lostSync: 0, timeouts: 0, callsLostSync: 0, tests: 2 });
      expect(Bert.legState(a)).toEqual({ synced: true, lostSyncCount: 0, timedOut: false });

      expect(await sim.api(`sim_bert_lose ${a.uuid}`)).toBe('+OK\n');
      await lostSync.until(1);
      expect(lostSync.seen.map((s) => [s.uuid, s.event.get('sync_lost_count')])).toEqual([[a.uuid, '1']]);
      expect(app.stats).toMatchObject({ lostSync: 1, callsLostSync: 1 });
      expect(app.lostSyncSessions).toEqual([a.uuid]);
      expect(Bert.legState(a)).toMatchObject({ lostSyncCount: 1 });
      // Without hangupOnLostSync the call goes on, and the leg syncs again.
      await inSync.until(3);
      expect(inSync.seen[2]!.uuid).toBe(a.uuid);
      expect([a.hungup, b.hungup]).toEqual([false, false]);
      await a.call!.hangup();
      await Promise.all([destroyed(a), destroyed(b)]);
      expect(app.stats).toMatchObject({ inSync: 3, lostSync: 1, callsLostSync: 1, timeouts: 0, tests: 2 });
    } finally {
      await client.unloadApp('bert');
    }
  });

  it('hangs the call up with hangupCause when a leg loses sync (hangupOnLostSync)', async () => {
    const { client, sim } = withBert;
    try {
      const { app, a, b } = await syncedCall('bert-hangup', { hangupOnLostSync: true, hangupCause: 'NORMAL_UNSPECIFIED' });
      const gone = Promise.all([destroyed(a), destroyed(b)]);
      expect(await sim.api(`sim_bert_lose ${b.uuid}`)).toBe('+OK\n');
      await gone;
      expect(app.stats).toMatchObject({ lostSync: 1, callsLostSync: 1 });
      expect(app.lostSyncSessions).toEqual([b.uuid]);
      expect(b.hangupCause).toBe('NORMAL_UNSPECIFIED');
      expect(sim.channels()).toEqual([]);
    } finally {
      await client.unloadApp('bert-hangup');
    }
  });
});
