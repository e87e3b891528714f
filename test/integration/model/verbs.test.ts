/**
 * Every Session verb against the simulator, checked through the events
 * FreeSWITCH sends back and the simulator's channel state. Verbs whose api
 * command (or behaviour) the simulator does not have yet are skipped with the
 * reason, found by asking the simulator, so they run as soon as it has them.
 */

import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Session } from '../../../src/models/session.js';
import { destroyed, loopbackCall, type Model, simHas, startModel } from './harness.js';

let model: Model;
const caps = { bridge: false, record: false, sched: false, audio: false, setvarMulti: false, executeUuid: false };
/** Inbound legs as they reach an event, for tests that need a leg before the originate completes. */
const waiting: Record<'CHANNEL_PARK' | 'PLAYBACK_START', Array<(s: Session) => void>> = { CHANNEL_PARK: [], PLAYBACK_START: [] };

function nextInboundLeg(event: keyof typeof waiting): Promise<Session> {
  return new Promise((resolve) => waiting[event].push(resolve));
}

beforeAll(async () => {
  model = await startModel({ events: ['DTMF', 'PLAYBACK_START', 'PLAYBACK_STOP', 'CHANNEL_BRIDGE', 'RECORD_START', 'RECORD_STOP'] });
  caps.bridge = await simHas(model.sim, 'uuid_bridge');
  caps.record = await simHas(model.sim, 'uuid_record');
  caps.sched = await simHas(model.sim, 'sched_hangup');
  caps.audio = await simHas(model.sim, 'uuid_audio');
  caps.setvarMulti = await simHas(model.sim, 'uuid_setvar_multi');
  // FreeSWITCH reports a sendmsg execute's completion under the Event-UUID we send.
  const probe = await loopbackCall(model);
  caps.executeUuid = await probe.a.execute('set', 'probe=1', { timeout: 1000 }).then(
    () => true,
    () => false,
  );
  await probe.call.hangup();
  await Promise.all([destroyed(probe.a), destroyed(probe.b)]);
  await model.client.loadApp({
    name: 'InboundLegs',
    handlers: {
      CHANNEL_PARK: (s) => void (s.direction === 'inbound' && !s.answered ? waiting.CHANNEL_PARK.shift()?.(s) : undefined),
      PLAYBACK_START: (s) => void (s.direction === 'inbound' ? waiting.PLAYBACK_START.shift()?.(s) : undefined),
    },
  });
});

afterEach(async () => {
  const live = [...model.listener.sessions.values()];
  if (live.length === 0) return;
  await model.client.hupall();
  await Promise.all(live.map((s) => destroyed(s)));
});

afterAll(async () => {
  await model.close();
});

function simChannel(uuid: string) {
  return model.sim.channels().find((c) => c.uuid === uuid);
}

describe('Session verbs over the simulator', () => {
  it('answer answers the channel (CHANNEL_ANSWER, simulator answered)', async () => {
    const job = model.client.originate({ dest: 'loopback/park/switchyard' });
    const b = await nextInboundLeg('CHANNEL_PARK');
    expect(b.answered).toBe(false);
    expect(simChannel(b.uuid)?.answered).toBe(false);
    const answered = b.waitFor('CHANNEL_ANSWER', { timeout: 5000 });
    await b.answer();
    await answered;
    expect(b.answered).toBe(true);
    expect(simChannel(b.uuid)?.answered).toBe(true);
    const a = model.listener.sessions.get(await job)!;
    expect(a.answered).toBe(true);
  });

  it('hangup ends the channel with the cause given', async () => {
    const { a, b } = await loopbackCall(model);
    const hangup = a.waitFor('CHANNEL_HANGUP', { timeout: 5000 });
    await a.hangup('USER_BUSY');
    expect((await hangup).get('Hangup-Cause')).toBe('USER_BUSY');
    await Promise.all([destroyed(a), destroyed(b)]);
    expect(a.hangupCause).toBe('USER_BUSY');
    expect(simChannel(a.uuid)).toBeUndefined();
  });

  it('park parks a channel running another application', async () => {
    const job = model.client.originate({ dest: 'loopback/echo/switchyard' });
    const a = model.listener.sessions.get(await job)!;
    const b = a.call!.peer(a)!;
    const park = b.waitFor('CHANNEL_PARK', { timeout: 5000 });
    await b.park();
    expect((await park).get('Unique-ID')).toBe(b.uuid);
  });

  it('setVar, getVar and unsetVar change the channel variable', async () => {
    const { a } = await loopbackCall(model);
    await a.setVar('switchyard_note', 'two words');
    expect(simChannel(a.uuid)?.vars.switchyard_note).toBe('two words');
    await expect(a.getVar('switchyard_note')).resolves.toBe('two words');
    await a.unsetVar('switchyard_note');
    expect(simChannel(a.uuid)?.vars.switchyard_note).toBeUndefined();
    await expect(a.getVar('switchyard_note')).resolves.toBeUndefined();
  });

  it('setVars sets several variables at once', async (ctx) => {
    if (!caps.setvarMulti) return ctx.skip('simulator has no uuid_setvar_multi yet');
    const { a } = await loopbackCall(model);
    await a.setVars({ x_one: '1', x_two: 'two words' });
    expect(simChannel(a.uuid)?.vars).toMatchObject({ x_one: '1', x_two: 'two words' });
  });

  it('broadcast plays on the leg (PLAYBACK_START, PLAYBACK_STOP)', async () => {
    const { a } = await loopbackCall(model);
    const start = a.waitFor('PLAYBACK_START', { timeout: 5000 });
    const stop = a.waitFor('PLAYBACK_STOP', { timeout: 5000 });
    await a.broadcast('tone_stream://%(100,0,440)');
    expect((await start).get('Playback-File-Path')).toBe('tone_stream://%(100,0,440)');
    await stop;
  });

  it('breakMedia stops a playback early', async () => {
    // The b-leg of `early` pre-answers and plays an endless ringback tone.
    void model.client.originate({ dest: 'loopback/early/switchyard' }).catch(() => {});
    const b = await nextInboundLeg('PLAYBACK_START');
    const stop = b.waitFor('PLAYBACK_STOP', { timeout: 2000 });
    await b.breakMedia();
    const stopped = await stop;
    expect(stopped.get('Playback-Status')).toBe('break');
  });

  it('sendDtmf reaches the other leg as DTMF events', async (ctx) => {
    const { a, b } = await loopbackCall(model);
    const digit = b.waitFor('DTMF', { timeout: 1000 });
    await a.sendDtmf('5');
    const event = await digit.catch(() => undefined);
    if (event === undefined) return ctx.skip('simulator loopback does not pass DTMF to the other leg yet');
    expect(event.get('DTMF-Digit')).toBe('5');
  });

  it('bridge joins two channels (CHANNEL_BRIDGE)', async (ctx) => {
    if (!caps.bridge) return ctx.skip('simulator has no uuid_bridge yet');
    const one = await loopbackCall(model);
    const two = await loopbackCall(model);
    const bridged = one.a.waitFor('CHANNEL_BRIDGE', { timeout: 5000 });
    await one.a.bridge(two.a);
    expect((await bridged).get('Other-Leg-Unique-ID')).toBe(two.a.uuid);
  });

  it('startRecord and stopRecord (RECORD_START, RECORD_STOP)', async (ctx) => {
    if (!caps.record) return ctx.skip('simulator has no uuid_record yet');
    const { a } = await loopbackCall(model);
    const start = a.waitFor('RECORD_START', { timeout: 5000 });
    await a.startRecord('/tmp/switchyard-it.wav');
    await start;
    const stop = a.waitFor('RECORD_STOP', { timeout: 5000 });
    await a.stopRecord('/tmp/switchyard-it.wav');
    await stop;
  });

  it('schedHangup hangs up after the delay', async (ctx) => {
    if (!caps.sched) return ctx.skip('simulator has no sched_hangup yet');
    const { a } = await loopbackCall(model);
    const hangup = a.waitFor('CHANNEL_HANGUP', { timeout: 5000 });
    await a.schedHangup(1, 'ALLOTTED_TIMEOUT');
    expect((await hangup).get('Hangup-Cause')).toBe('ALLOTTED_TIMEOUT');
  });

  it('mute and unmute are accepted', async (ctx) => {
    if (!caps.audio) return ctx.skip('simulator has no uuid_audio yet');
    const { a } = await loopbackCall(model);
    await a.mute();
    await a.unmute();
  });

  describe('dialplan applications through sendmsg execute', () => {
    it('execute resolves at its CHANNEL_EXECUTE_COMPLETE and has the effect', async (ctx) => {
      if (!caps.executeUuid) return ctx.skip('simulator does not report Event-UUID as Application-UUID yet');
      const { a } = await loopbackCall(model);
      const done = await a.execute('set', 'switchyard_body=from execute');
      expect(done.get('Application')).toBe('set');
      expect(simChannel(a.uuid)?.vars.switchyard_body).toBe('from execute');
    });

    it('playback resolves when the file has played', async (ctx) => {
      if (!caps.executeUuid) return ctx.skip('simulator does not report Event-UUID as Application-UUID yet');
      const { a } = await loopbackCall(model);
      const done = await a.playback('tone_stream://%(100,0,440)');
      expect(done.get('Application-Response')).toBe('FILE PLAYED');
    });

    it('echo runs until the call ends, then resolves with its completion', async (ctx) => {
      if (!caps.executeUuid) return ctx.skip('simulator does not report Event-UUID as Application-UUID yet');
      const { a } = await loopbackCall(model);
      const started = a.waitFor('CHANNEL_EXECUTE', { timeout: 5000 });
      const echo = a.echo({ timeout: 5000 });
      expect((await started).get('Application')).toBe('echo');
      await a.hangup();
      expect((await echo).get('Application')).toBe('echo');
    });

    it('respond answers an unanswered call with a SIP code', async (ctx) => {
      if (!caps.executeUuid) return ctx.skip('simulator does not report Event-UUID as Application-UUID yet');
      void model.client.originate({ dest: 'loopback/park/switchyard' });
      const b = await nextInboundLeg('CHANNEL_PARK');
      const hangup = b.waitFor('CHANNEL_HANGUP', { timeout: 5000 });
      await b.respond(486);
      expect((await hangup).get('Hangup-Cause')).toBe('USER_BUSY');
    });
  });
});
