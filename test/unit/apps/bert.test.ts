import type { EslEvent, Session } from 'switchyard';
import { describe, expect, it } from 'vitest';
import { BERT_DEFAULT_VARS, BERT_SYNC_LOST_VAR, Bert, type BertOptions } from '../../../apps/bert.js';
import { InvalidArgumentError } from '../../../src/errors.js';
import { EventListener } from '../../../src/listener/listener.js';
import { Client } from '../../../src/client/client.js';
import { FakeConnection } from '../../support/fake-connection.js';
import { A, api, B, createPair, drained, execute, type Harness, harness, inboundOf } from './harness.js';

const MULTI = `uuid_setvar_multi ${A} bert_timer_name=soft;bert_max_err=30;bert_timeout_ms=3000;bert_hangup_on_error=no;jitterbuffer_msec=100:200:40;absolute_codec_string=PCMU`;

async function answered(options: BertOptions = {}): Promise<{ h: Harness; app: Bert }> {
  const app = new Bert({ checkModule: false, ...options });
  const h = await harness(app);
  createPair(h);
  h.emit('CHANNEL_PARK', B, inboundOf(A));
  h.emit('CHANNEL_ANSWER', B, inboundOf(A));
  h.emit('CHANNEL_ANSWER', A);
  await h.command(execute(A, 'bert_test'));
  return { h, app };
}

describe('Bert', () => {
  it('answers the inbound leg, sets the mod_bert variables and starts bert_test on both legs', async () => {
    const { h, app } = await answered();
    await h.command(execute(B, 'bert_test'));
    expect(h.apis()).toEqual([`uuid_answer ${B}`, MULTI.replace(A, B), MULTI]);
    expect(h.fake.commands('sendmsg')).toEqual([`sendmsg ${B}`, `sendmsg ${A}`]);
    expect(app.stats.tests).toBe(2);
    expect(app.vars).toEqual(BERT_DEFAULT_VARS);
  });

  it('echoes on the inbound leg when one-sided, and merges the given variables', async () => {
    const { h } = await answered({ twoSided: false, vars: { bert_max_err: '5' } });
    await h.command(execute(B, 'echo'));
    expect(h.apis()).toEqual([`uuid_answer ${B}`, MULTI.replace('bert_max_err=30', 'bert_max_err=5')]);
    expect(h.fake.commands('sendmsg')).toEqual([`sendmsg ${B}`, `sendmsg ${A}`]);
  });

  it('counts sync events per leg and per call, and marks both legs on the first loss', async () => {
    const lost: Array<[string, string | undefined]> = [];
    const { h, app } = await answered({ onLostSync: (s: Session, e: EslEvent) => lost.push([s.uuid, e.get('sync_lost_count')]) });
    h.emitCustom('mod_bert::in_sync', A);
    expect(Bert.legState(h.listener.sessions.get(A)!)).toEqual({ synced: true, lostSyncCount: 0, timedOut: false });
    h.emitCustom('mod_bert::lost_sync', A, { sync_lost_count: '1' });
    await h.command(api(`uuid_setvar ${B} ${BERT_SYNC_LOST_VAR} true`));
    h.emitCustom('mod_bert::lost_sync', A, { sync_lost_count: '2' });
    h.emitCustom('mod_bert::lost_sync', B, { sync_lost_count: '1' });
    await drained();
    expect(lost).toEqual([
      [A, '1'],
      [A, '2'],
      [B, '1'],
    ]);
    expect(app.stats).toMatchObject({ inSync: 1, lostSync: 3, callsLostSync: 1 });
    expect(Bert.legState(h.listener.sessions.get(A)!)).toEqual({ synced: false, lostSyncCount: 2, timedOut: false });
    expect(app.lostSyncSessions).toEqual([A, B]);
    const setvars = h.apis().filter((c) => c.startsWith('uuid_setvar '));
    expect(setvars).toEqual([`uuid_setvar ${A} ${BERT_SYNC_LOST_VAR} true`, `uuid_setvar ${B} ${BERT_SYNC_LOST_VAR} true`]);
    expect(h.apis().some((c) => c.startsWith('uuid_kill'))).toBe(false);
  });

  it('hangs the call up on lost sync when asked, with the configured cause', async () => {
    const { h } = await answered({ hangupOnLostSync: true, hangupCause: 'NORMAL_TEMPORARY_FAILURE' });
    h.emitCustom('mod_bert::lost_sync', B);
    await h.command(api(`uuid_kill ${A} NORMAL_TEMPORARY_FAILURE`));
    expect(h.apis().filter((c) => c.startsWith('uuid_kill'))).toEqual([`uuid_kill ${A} NORMAL_TEMPORARY_FAILURE`]);
  });

  it('records timeouts, and counts events about sessions it does not track', async () => {
    const { h, app } = await answered();
    h.emitCustom('mod_bert::timeout', B);
    h.emitCustom('mod_bert::lost_sync', 'eeeeeeee-0000-4000-8000-00000000000e');
    await drained();
    expect(app.timedOutSessions).toEqual([B]);
    expect(Bert.legState(h.listener.sessions.get(B)!)?.timedOut).toBe(true);
    expect(app.stats).toMatchObject({ timeouts: 1, lostSync: 1, callsLostSync: 0 });
  });

  it('refuses to load when mod_bert is not loaded, and loads when the check cannot run', async () => {
    const load = async (reply: string): Promise<{ fake: FakeConnection; client: Client; result: Promise<string> }> => {
      const fake = new FakeConnection();
      fake.onApi = (c) => (c === 'module_exists mod_bert' ? reply : '+OK\n');
      const listener = new EventListener({ connection: fake, syncOnConnect: false });
      const client = new Client({ connection: fake, listener, host: 'fs9' });
      await client.connect();
      return { fake, client, result: client.loadApp(new Bert()) };
    };
    const missing = await load('false');
    await expect(missing.result).rejects.toThrow(InvalidArgumentError);
    await expect(missing.result).rejects.toThrow('mod_bert is not loaded on fs9');
    expect(missing.client.apps.size).toBe(0);
    const loaded = await load('true');
    await expect(loaded.result).resolves.toBe('default');
    const unknown = await load('-ERR module_exists Command not found!\n');
    await expect(unknown.result).resolves.toBe('default');
    expect(unknown.fake.commands('api')).toEqual(['module_exists mod_bert']);
  });

  it('refuses bad options', () => {
    expect(() => new Bert({ hangupCause: 'bad cause' })).toThrow(InvalidArgumentError);
    expect(() => new Bert({ keep: 0 })).toThrow(InvalidArgumentError);
  });
});
