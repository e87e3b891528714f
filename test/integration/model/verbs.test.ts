/**
 * Every Session verb against the simulator, checked through the events
 * FreeSWITCH sends back and the simulator's channel state.
 */

import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Session } from '../../../src/models/session.js';
import type { EslEvent } from '../../../src/protocol/event.js';
import { destroyed, loopbackCall, type Model, startModel } from './harness.js';

let model: Model;
/** Inbound legs as they reach an event, for tests that need a leg before the originate completes. */
const waiting: Record<'CHANNEL_PARK' | 'PLAYBACK_START', Array<(s: Session) => void>> = { CHANNEL_PARK: [], PLAYBACK_START: [] };
/**
 * CHANNEL_EXECUTE waiters by channel and application. An app handler sees
 * every event in order, so the `&park()` execute FreeSWITCH sends after the
 * originate's +OK cannot be taken for the one a test waits for.
 */
const executing: Array<{ uuid: string; app: string; resolve: (e: EslEvent) => void }> = [];

function nextInboundLeg(event: keyof typeof waiting): Promise<Session> {
  return new Promise((resolve) => waiting[event].push(resolve));
}

function nextExecute(session: Session, app: string): Promise<EslEvent> {
  return new Promise((resolve) => executing.push({ uuid: session.uuid, app, resolve }));
}

function onExecute(session: Session, event: EslEvent): void {
  const i = executing.findIndex((w) => w.uuid === session.uuid && w.app === event.get('Application'));
  if (i >= 0) executing.splice(i, 1)[0]!.resolve(event);
}

beforeAll(async () => {
  model = await startModel({
    events: ['DTMF', 'PLAYBACK_START', 'PLAYBACK_STOP', 'CHANNEL_BRIDGE', 'RECORD_START', 'RECORD_STOP', 'MEDIA_BUG_START', 'MEDIA_BUG_STOP'],
  });
  await model.client.loadApp({
    name: 'InboundLegs',
    handlers: {
      CHANNEL_PARK: (s) => void (s.direction === 'inbound' && !s.answered ? waiting.CHANNEL_PARK.shift()?.(s) : undefined),
      PLAYBACK_START: (s) => void (s.direction === 'inbound' ? waiting.PLAYBACK_START.shift()?.(s) : undefined),
      CHANNEL_EXECUTE: onExecute,
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

  it('setVars sets several variables at once', async () => {
    const { a } = await loopbackCall(model);
    await a.setVars({ x_one: '1', x_two: 'two words' });
    expect(simChannel(a.uuid)?.vars).toMatchObject({ x_one: '1', x_two: 'two words' });
  });

  it('setVar and setVars carry quotes, backslashes, edge spaces and separators through FreeSWITCH\'s splitting', async () => {
    const { a } = await loopbackCall(model);
    const values = { q_one: "it's 'quoted'", q_two: ' C:\\dir\\n ', q_three: 'a;b=c, d', q_four: '\\;\\\'' };
    await a.setVar('q_single', values.q_one);
    await a.setVar('q_edge', values.q_two);
    expect(simChannel(a.uuid)?.vars).toMatchObject({ q_single: values.q_one, q_edge: values.q_two });
    await a.setVars(values);
    expect(simChannel(a.uuid)?.vars).toMatchObject(values);
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

  it('sendDtmf reaches the other leg as DTMF events', async () => {
    const { a, b } = await loopbackCall(model);
    const digit = b.waitFor('DTMF', { timeout: 5000 });
    await a.sendDtmf('5');
    const event = await digit;
    expect(event.get('Unique-ID')).toBe(b.uuid);
    expect(event.get('DTMF-Digit')).toBe('5');
  });

  it('bridge joins two channels (CHANNEL_BRIDGE)', async () => {
    const one = await loopbackCall(model);
    const two = await loopbackCall(model);
    const bridged = one.a.waitFor('CHANNEL_BRIDGE', { timeout: 5000 });
    await one.a.bridge(two.a);
    expect((await bridged).get('Other-Leg-Unique-ID')).toBe(two.a.uuid);
  });

  it('startRecord and stopRecord (RECORD_START, RECORD_STOP)', async () => {
    const { a } = await loopbackCall(model);
    const start = a.waitFor('RECORD_START', { timeout: 5000 });
    await a.startRecord('/tmp/switchyard-it.wav');
    await start;
    const stop = a.waitFor('RECORD_STOP', { timeout: 5000 });
    await a.stopRecord('/tmp/switchyard-it.wav');
    await stop;
  });

  it('schedHangup hangs up after the delay', async () => {
    const { a } = await loopbackCall(model);
    const hangup = a.waitFor('CHANNEL_HANGUP', { timeout: 5000 });
    await a.schedHangup(1, 'ALLOTTED_TIMEOUT');
    expect((await hangup).get('Hangup-Cause')).toBe('ALLOTTED_TIMEOUT');
  });

  it('mute puts one audio media bug on the channel; unmute changes it, the hangup removes it', async () => {
    const { a } = await loopbackCall(model);
    const bug = a.waitFor('MEDIA_BUG_START', { timeout: 5000 });
    await a.mute();
    const started = await bug;
    expect([started.get('Media-Bug-Function'), started.get('Media-Bug-Target')]).toEqual(['audio', 'mute']);
    // Later starts change the bug's settings: the next bug event is its removal at hangup.
    const again = a.waitFor('MEDIA_BUG_START', { timeout: 5000 }).then(
      () => 'another bug',
      () => 'none',
    );
    await a.unmute('read');
    await a.mute('write', 0);
    const removed = a.waitFor('MEDIA_BUG_STOP', { timeout: 5000 });
    await a.hangup();
    const stop = await removed;
    expect([stop.get('Media-Bug-Function'), stop.get('Media-Bug-Target')]).toEqual(['audio', 'mute']);
    await destroyed(a);
    expect(await again).toBe('none');
  });

  describe('dialplan applications through sendmsg execute', () => {
    it('execute resolves at its CHANNEL_EXECUTE_COMPLETE and has the effect', async () => {
      const { a } = await loopbackCall(model);
      const done = await a.execute('set', 'switchyard_body=from execute');
      expect(done.get('Application')).toBe('set');
      expect(simChannel(a.uuid)?.vars.switchyard_body).toBe('from execute');
    });

    it('playback resolves when the file has played', async () => {
      const { a } = await loopbackCall(model);
      const done = await a.playback('tone_stream://%(100,0,440)');
      expect(done.get('Application-Response')).toBe('FILE PLAYED');
    });

    it('echo runs until the call ends, then resolves with its completion', async () => {
      const { a } = await loopbackCall(model);
      const started = nextExecute(a, 'echo');
      const echo = a.echo({ timeout: 5000 });
      expect((await started).get('Unique-ID')).toBe(a.uuid);
      expect(a.hungup).toBe(false);
      await a.hangup();
      expect((await echo).get('Application')).toBe('echo');
    });

    it('breakMedia stops a playback a sendmsg execute runs on a parked channel; the call stays up', async () => {
      const { a } = await loopbackCall(model);
      const started = nextExecute(a, 'playback');
      const playing = a.waitFor('PLAYBACK_START', { timeout: 5000 });
      // An endless silence: only the break ends it while the call is up.
      const done = a.playback('silence_stream://0', { timeout: 5000 });
      await started;
      await playing;
      const stopped = a.waitFor('PLAYBACK_STOP', { timeout: 5000 });
      await a.breakMedia();
      expect((await stopped).get('Playback-Status')).toBe('break');
      expect((await done).get('Application')).toBe('playback');
      expect(a.hungup).toBe(false);
      expect(simChannel(a.uuid)?.hangupCause).toBeUndefined();
    });

    it('breakMedia stops a uuid_broadcast playing on a parked channel (CHANNEL_EXECUTE_COMPLETE follows)', async () => {
      const { a } = await loopbackCall(model);
      const started = nextExecute(a, 'playback');
      const playing = a.waitFor('PLAYBACK_START', { timeout: 5000 });
      await a.broadcast('silence_stream://0');
      const execute = await started;
      await playing;
      const complete = a.waitFor('CHANNEL_EXECUTE_COMPLETE', { timeout: 5000 });
      const stopped = a.waitFor('PLAYBACK_STOP', { timeout: 5000 });
      await a.breakMedia();
      expect((await stopped).get('Playback-Status')).toBe('break');
      const completed = await complete;
      expect([completed.get('Application'), completed.get('Application-UUID')]).toEqual(['playback', execute.get('Application-UUID')]);
      expect(a.hungup).toBe(false);
    });

    it('respond answers an unanswered call with a SIP code', async () => {
      void model.client.originate({ dest: 'loopback/park/switchyard' });
      const b = await nextInboundLeg('CHANNEL_PARK');
      const hangup = b.waitFor('CHANNEL_HANGUP', { timeout: 5000 });
      await b.respond(486);
      expect((await hangup).get('Hangup-Cause')).toBe('USER_BUSY');
    });
  });
});
