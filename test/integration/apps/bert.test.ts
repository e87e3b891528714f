import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BERT_DEFAULT_VARS, Bert } from '../../../apps/bert.js';
import { destroyed, Probe, type Stack, startStack } from './harness.js';

let stack: Stack;

beforeAll(async () => {
  stack = await startStack();
});

afterAll(async () => {
  await stack.close();
});

describe('Bert over the simulator', () => {
  it('refuses to load where mod_bert is not loaded, leaving nothing registered (needs simulator: module_exists)', async (ctx) => {
    const exists = (await stack.sim.api('module_exists mod_bert')).trim();
    // Needs simulator: module_exists answering `false` (an unknown command is only warned about, and loads).
    if (exists !== 'false') ctx.skip();
    await expect(stack.client.loadApp(new Bert(), { appId: 'bert-missing' })).rejects.toThrow(/mod_bert is not loaded/);
    expect(stack.client.apps.get('bert-missing')).toBeUndefined();
  });

  it('sets the mod_bert variables and runs bert_test on both legs (needs simulator: module_exists, mod_bert bert_test and its events)', async (ctx) => {
    if ((await stack.sim.api('module_exists mod_bert')).trim() !== 'true') ctx.skip();
    const { client, listener, sim } = stack;
    const app = new Bert();
    const runs = new Probe(['CHANNEL_EXECUTE'], (s) => s.event.get('Application') === 'bert_test');
    await client.loadApp(app, { appId: 'bert' });
    await client.loadApp(runs.app, { appId: 'bert' });
    try {
      const uuid = await client.originate({ dest: 'loopback/park/switchyard', appId: 'bert' }).result({ timeout: 10_000 });
      await runs.until(2);
      const a = listener.sessions.get(uuid)!;
      const b = a.call!.peer(a)!;
      expect(new Set(runs.seen.map((s) => s.uuid))).toEqual(new Set([a.uuid, b.uuid]));
      for (const ch of sim.channels()) expect(ch.vars).toMatchObject(BERT_DEFAULT_VARS);
      await a.call!.hangup();
      await Promise.all([destroyed(a), destroyed(b)]);
      expect(app.stats.tests).toBe(2);
    } finally {
      await client.unloadApp('bert');
    }
  });
});
