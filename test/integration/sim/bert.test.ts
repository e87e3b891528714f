/**
 * Optional mod_bert over TCP: module_exists, bert_test on a SIP self-loop leg
 * emitting mod_bert::in_sync, mod_bert::lost_sync (sim_bert_lose) and
 * mod_bert::timeout with mod_bert.c's headers and variables.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { type Simulator, startSimulator } from '../../../src/sim/index.js';
import { type ReceivedEvent, TestClient } from './esl-test-client.js';

let sim: Simulator;
let c: TestClient;

async function start(bert: boolean): Promise<void> {
  sim = await startSimulator({ port: 0, modules: { bert } });
  c = await TestClient.authed(sim.port);
  await c.command('event plain CHANNEL_EXECUTE CHANNEL_EXECUTE_COMPLETE CHANNEL_HANGUP CUSTOM mod_bert::in_sync mod_bert::lost_sync mod_bert::timeout');
}

afterEach(async () => {
  c.close();
  await sim.close();
});

const bert = (uuid: string, subclass: string) => (e: ReceivedEvent) =>
  e.name === 'CUSTOM' && e.headers['Event-Subclass'] === subclass && e.headers['Unique-ID'] === uuid;

describe('mod_bert', () => {
  it('is loaded only when asked for; the docker modules always are', async () => {
    await start(false);
    expect(await c.api('module_exists mod_bert')).toBe('false');
    expect(await c.api('module_exists mod_sofia')).toBe('true');
    expect(await c.api('module_exists mod_tone_stream')).toBe('true');
    expect(await c.api('module_exists mod_nothing')).toBe('false');
    const a = 'be870000-0000-4000-8000-00000000000a';
    expect(await c.api(`originate {origination_uuid=${a}}sofia/switchyard/echo@127.0.0.1:5090 &bert_test()`)).toBe(`+OK ${a}\n`);
    await c.event((e) => e.name === 'CHANNEL_HANGUP' && e.headers['Unique-ID'] === a);
    expect(c.events().some((e) => e.headers.Application === 'bert_test')).toBe(false);
    expect(await c.api(`sim_bert_lose ${a}`)).toBe('-ERR mod_bert is not loaded\n');
  });

  it('syncs against an echoing leg, loses sync when told, and syncs again', async () => {
    await start(true);
    expect(await c.api('module_exists mod_bert')).toBe('true');
    const a = 'be870000-0000-4000-8000-00000000000b';
    expect(
      await c.api(`originate {origination_uuid=${a},bert_window_ms=50}sofia/switchyard/echo@127.0.0.1:5090 &bert_test()`),
    ).toBe(`+OK ${a}\n`);
    const inSync = await c.event(bert(a, 'mod_bert::in_sync'));
    expect(inSync.headers['Channel-Read-Codec-Name']).toBe('PCMU');
    expect(inSync.headers['Caller-Unique-ID']).toBe(a);
    expect(inSync.order.some((h) => h.startsWith('variable_'))).toBe(false);
    expect(inSync.order[0]).toBe('Event-Subclass');
    expect(await c.api(`uuid_getvar ${a} bert_stats_sync_lost`)).toBe('false');
    expect(await c.api(`sim_bert_lose ${a}`)).toBe('+OK\n');
    const lost = await c.event(bert(a, 'mod_bert::lost_sync'));
    expect(lost.headers.sync_lost_percent).toBe('100.000000');
    expect(lost.headers.sync_lost_count).toBe('1');
    expect(lost.headers.cng_count).toBe('0');
    expect(lost.headers.err_samples).toBe('400');
    expect(lost.order.slice(-4)).toEqual(['sync_lost_percent', 'sync_lost_count', 'cng_count', 'err_samples']);
    expect(await c.api(`uuid_getvar ${a} bert_stats_sync_lost`)).toBe('true');
    expect(await c.api(`uuid_getvar ${a} bert_stats_sync_lost_count`)).toBe('1');
    const again = await c.event(bert(a, 'mod_bert::in_sync'));
    expect(Number(again.headers['Event-Sequence'])).toBeGreaterThan(Number(lost.headers['Event-Sequence']));
    expect(await c.api(`uuid_kill ${a}`)).toBe('+OK\n');
  });

  it('hangs up with MEDIA_TIMEOUT on lost sync when bert_hangup_on_error is set', async () => {
    await start(true);
    const a = 'be870000-0000-4000-8000-00000000000c';
    await c.api(`originate {origination_uuid=${a},bert_window_ms=50,bert_hangup_on_error=true}sofia/switchyard/echo@127.0.0.1:5090 &bert_test()`);
    await c.event(bert(a, 'mod_bert::in_sync'));
    expect(await c.api(`uuid_setvar ${a} sim_bert_lose 1`)).toBe('+OK\n');
    await c.event(bert(a, 'mod_bert::lost_sync'));
    const hangup = await c.event((e) => e.name === 'CHANNEL_HANGUP' && e.headers['Unique-ID'] === a);
    expect(hangup.headers['Hangup-Cause']).toBe('MEDIA_TIMEOUT');
  });

  it('times out when the other leg sends nothing back', async () => {
    await start(true);
    const a = 'be870000-0000-4000-8000-00000000000d';
    await c.api(`originate {origination_uuid=${a},bert_window_ms=50,bert_timeout_ms=200}sofia/switchyard/answer@127.0.0.1:5090 &bert_test()`);
    const timeout = await c.event(bert(a, 'mod_bert::timeout'));
    expect(timeout.headers['Unique-ID']).toBe(a);
    expect(c.events().some(bert(a, 'mod_bert::in_sync'))).toBe(false);
    expect(await c.api(`uuid_kill ${a}`)).toBe('+OK\n');
  });

  it('refuses a leg whose codec is not PCMU (loopback is L16)', async () => {
    await start(true);
    const a = 'be870000-0000-4000-8000-00000000000e';
    await c.api(`originate {origination_uuid=${a}}loopback/echo/switchyard &bert_test()`);
    const done = await c.event(
      (e) => e.name === 'CHANNEL_EXECUTE_COMPLETE' && e.headers['Unique-ID'] === a && e.headers.Application === 'bert_test',
    );
    expect(done.headers['Channel-Read-Codec-Name']).toBe('L16');
    expect(c.events().some((e) => e.name === 'CUSTOM')).toBe(false);
  });
});
