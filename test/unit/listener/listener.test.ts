import { describe, expect, it } from 'vitest';
import { DisconnectedError } from '../../../src/errors.js';
import { EventListener } from '../../../src/listener/listener.js';
import { MODEL_EVENTS } from '../../../src/listener/handlers.js';
import { channelEvent, FakeConnection } from '../../support/fake-connection.js';

async function connected(options: { syncOnConnect?: boolean } = {}) {
  const fake = new FakeConnection();
  const listener = new EventListener({ connection: fake, syncOnConnect: options.syncOnConnect ?? false });
  await listener.connect();
  return { fake, listener };
}

const A = 'aaaaaaaa-0000-4000-8000-000000000001';
const B = 'bbbbbbbb-0000-4000-8000-000000000002';
const C = 'cccccccc-0000-4000-8000-000000000003';

describe('EventListener subscriptions', () => {
  it('subscribes to every modelled event, BACKGROUND_JOB included, in one command', async () => {
    const { fake } = await connected();
    expect(fake.commands('subscribe')).toEqual([
      'event plain CHANNEL_CREATE CHANNEL_ORIGINATE CHANNEL_ANSWER CHANNEL_PARK CHANNEL_HANGUP CHANNEL_HANGUP_COMPLETE CHANNEL_DESTROY CALL_UPDATE BACKGROUND_JOB CHANNEL_EXECUTE_COMPLETE',
    ]);
    expect(MODEL_EVENTS).toContain('BACKGROUND_JOB');
  });

  it('adds the events a waiter needs once, and options.events at connect', async () => {
    const fake = new FakeConnection();
    const listener = new EventListener({ connection: fake, syncOnConnect: false, events: ['HEARTBEAT'] });
    await listener.connect();
    expect(fake.commands('subscribe')[0]).toMatch(/ HEARTBEAT$/);
    fake.emitEvent(channelEvent('CHANNEL_CREATE', A));
    const session = listener.sessions.get(A)!;
    void session.waitFor('DTMF', { timeout: 10_000 }).catch(() => {});
    void session.waitFor('DTMF', { timeout: 10_000 }).catch(() => {});
    expect(fake.commands('subscribe').slice(1)).toEqual(['event plain DTMF']);
    expect([...listener.subscriptions]).toContain('DTMF');
    await listener.close();
  });
});

describe('EventListener sessions and calls', () => {
  it('creates one session from CHANNEL_CREATE and CHANNEL_ORIGINATE in either order', async () => {
    const { fake, listener } = await connected();
    fake.emitEvent(channelEvent('CHANNEL_ORIGINATE', A, { 'Caller-Caller-ID-Number': '1000' }));
    fake.emitEvent(channelEvent('CHANNEL_CREATE', A, { 'Caller-Caller-ID-Number': '1001' }));
    expect(listener.countSessions()).toBe(1);
    expect(listener.countCalls()).toBe(1);
    const session = listener.sessions.get(A)!;
    expect(session.uuid).toBe(A);
    expect(session.get('Caller-Caller-ID-Number')).toBe('1001');
    expect(session.direction).toBe('outbound');
    expect(session.appId).toBe('default');
    expect(session.call?.id).toBe(A);
    expect(session.answered).toBe(false);
    expect(session.hungup).toBe(false);
  });

  it('groups legs by variable_call_uuid, and a loopback b-leg by other_loopback_leg_uuid', async () => {
    const { fake, listener } = await connected();
    fake.emitEvent(channelEvent('CHANNEL_CREATE', A));
    // A bridged leg inherits the a-leg's call_uuid (switch_ivr_originate.c).
    fake.emitEvent(channelEvent('CHANNEL_CREATE', B, { variable_call_uuid: A, 'Call-Direction': 'inbound' }));
    // A loopback b-leg has its own call_uuid but names its partner.
    fake.emitEvent(channelEvent('CHANNEL_CREATE', C, { variable_other_loopback_leg_uuid: B }));
    expect(listener.countCalls()).toBe(1);
    const call = listener.calls.get(A)!;
    const [a, b, c] = [A, B, C].map((u) => listener.sessions.get(u)!);
    expect(call.sessions).toEqual([a, b, c]);
    expect(call.first).toBe(a);
    expect(call.last).toBe(c);
    expect(call.peer(a!)).toBe(c);
    expect(call.peer(c!)).toBe(a);
    expect(b!.call).toBe(call);
  });

  it('keeps a session created by an unrelated leg in its own call', async () => {
    const { fake, listener } = await connected();
    fake.emitEvent(channelEvent('CHANNEL_CREATE', A));
    fake.emitEvent(channelEvent('CHANNEL_CREATE', B, { variable_other_loopback_leg_uuid: 'not-tracked' }));
    expect([...listener.calls.keys()]).toEqual([A, B]);
    expect(listener.calls.get(A)!.peer(listener.sessions.get(A)!)).toBeUndefined();
  });

  it('honours a configured call-tracking header', async () => {
    const fake = new FakeConnection();
    const listener = new EventListener({ connection: fake, syncOnConnect: false, callTrackingHeader: 'variable_sip_h_X-Call' });
    await listener.connect();
    fake.emitEvent(channelEvent('CHANNEL_CREATE', A, { 'variable_sip_h_X-Call': 'call-7' }));
    fake.emitEvent(channelEvent('CHANNEL_CREATE', B, { 'variable_sip_h_X-Call': 'call-7' }));
    expect([...listener.calls.keys()]).toEqual(['call-7']);
    expect(listener.calls.get('call-7')!.sessions.map((s) => s.uuid)).toEqual([A, B]);
  });

  it('records answer and hangup times from Event-Date-Timestamp, and the hangup cause', async () => {
    const { fake, listener } = await connected();
    fake.emitEvent(channelEvent('CHANNEL_CREATE', A, { 'Event-Date-Timestamp': '1795472610543915' }));
    fake.emitEvent(channelEvent('CHANNEL_ANSWER', A, { 'Event-Date-Timestamp': '1795472611000000' }));
    fake.emitEvent(
      channelEvent('CHANNEL_HANGUP', A, { 'Event-Date-Timestamp': '1795472612500000', 'Hangup-Cause': 'NORMAL_CLEARING' }),
    );
    const session = listener.sessions.get(A)!;
    expect(session.times).toEqual({ created: 1795472610543.915, answered: 1795472611000, hungup: 1795472612500 });
    expect(session.answered).toBe(true);
    expect(session.hungup).toBe(true);
    expect(session.hangupCause).toBe('NORMAL_CLEARING');
    expect(listener.countAnswered()).toBe(1);
    expect(listener.hangupCauses()).toEqual({ NORMAL_CLEARING: 1 });
    expect(listener.failedByCause()).toEqual({});
  });

  it('counts failed sessions by cause: unanswered, or any cause but NORMAL_CLEARING, once each', async () => {
    const { fake, listener } = await connected();
    const plan: [string, boolean, string][] = [
      [A, true, 'NORMAL_CLEARING'],
      [B, false, 'NORMAL_CLEARING'],
      [C, false, 'USER_BUSY'],
      ['d', true, 'MEDIA_TIMEOUT'],
      ['e', false, 'USER_BUSY'],
    ];
    for (const [uuid, answer, cause] of plan) {
      fake.emitEvent(channelEvent('CHANNEL_CREATE', uuid));
      if (answer) fake.emitEvent(channelEvent('CHANNEL_ANSWER', uuid));
      fake.emitEvent(channelEvent('CHANNEL_HANGUP', uuid, { 'Hangup-Cause': cause }));
      fake.emitEvent(channelEvent('CHANNEL_HANGUP_COMPLETE', uuid, { 'Hangup-Cause': cause }));
      fake.emitEvent(channelEvent('CHANNEL_DESTROY', uuid, { 'Hangup-Cause': cause }));
    }
    expect(listener.failedByCause()).toEqual({ NORMAL_CLEARING: 1, USER_BUSY: 2, MEDIA_TIMEOUT: 1 });
    expect(listener.countFailed()).toBe(4);
    expect(listener.hangupCauses()).toEqual({ NORMAL_CLEARING: 2, USER_BUSY: 2, MEDIA_TIMEOUT: 1 });
    listener.resetCounters();
    expect(listener.countFailed()).toBe(0);
    expect(listener.hangupCauses()).toEqual({});
  });

  it('drops a session from every map at CHANNEL_DESTROY and ignores the CHANNEL_STATE after it', async () => {
    const { fake, listener } = await connected();
    fake.emitEvent(channelEvent('CHANNEL_CREATE', A));
    fake.emitEvent(channelEvent('CHANNEL_CREATE', B, { variable_call_uuid: A }));
    const a = listener.sessions.get(A)!;
    fake.emitEvent(channelEvent('CHANNEL_DESTROY', A, { 'Hangup-Cause': 'NORMAL_CLEARING' }));
    expect([...listener.sessions.keys()]).toEqual([B]);
    expect(listener.calls.get(A)!.sessions.map((s) => s.uuid)).toEqual([B]);
    expect(a.closedReason).toBe('destroyed');
    expect(a.hungup).toBe(true);
    fake.emitEvent(channelEvent('CHANNEL_DESTROY', B));
    fake.emitEvent(channelEvent('CHANNEL_STATE', B, { 'Channel-State': 'CS_DESTROY' }));
    expect(listener.countSessions()).toBe(0);
    expect(listener.countCalls()).toBe(0);
  });

  it('adopts a live channel it never saw created, from ANSWER, PARK or CALL_UPDATE', async () => {
    const { fake, listener } = await connected();
    fake.emitEvent(channelEvent('CHANNEL_ANSWER', A));
    fake.emitEvent(channelEvent('CHANNEL_PARK', B));
    fake.emitEvent(channelEvent('CALL_UPDATE', C));
    fake.emitEvent(channelEvent('CHANNEL_HANGUP', 'never-seen', { 'Hangup-Cause': 'NORMAL_CLEARING' }));
    expect([...listener.sessions.keys()]).toEqual([A, B, C]);
    expect(listener.sessions.get(A)!.answered).toBe(true);
    expect(listener.hangupCauses()).toEqual({});
  });

  it('leaves every map empty after 10,000 calls end', async () => {
    const { fake, listener } = await connected();
    for (let i = 0; i < 10_000; i++) {
      const a = `a-${i}`;
      const b = `b-${i}`;
      fake.emitEvent(channelEvent('CHANNEL_CREATE', a));
      fake.emitEvent(channelEvent('CHANNEL_CREATE', b, { variable_other_loopback_leg_uuid: a }));
      fake.emitEvent(channelEvent('CHANNEL_ANSWER', a));
      fake.emitEvent(channelEvent('CHANNEL_ANSWER', b));
      for (const uuid of [a, b]) {
        fake.emitEvent(channelEvent('CHANNEL_HANGUP', uuid, { 'Hangup-Cause': 'NORMAL_CLEARING' }));
        fake.emitEvent(channelEvent('CHANNEL_DESTROY', uuid, { 'Hangup-Cause': 'NORMAL_CLEARING' }));
      }
    }
    expect(listener.countSessions()).toBe(0);
    expect(listener.countCalls()).toBe(0);
    expect(listener.countJobs()).toBe(0);
    expect(listener.countAnswered()).toBe(20_000);
    expect(listener.hangupCauses()).toEqual({ NORMAL_CLEARING: 20_000 });
  });

  it('close() ends every session and rejects every pending wait', async () => {
    const { fake, listener } = await connected();
    fake.emitEvent(channelEvent('CHANNEL_CREATE', A));
    const session = listener.sessions.get(A)!;
    const waiting = session.waitFor('CHANNEL_ANSWER');
    await listener.close();
    await expect(waiting).rejects.toThrow(DisconnectedError);
    await expect(waiting).rejects.toThrow(`session ${A} ended (listener closed) before CHANNEL_ANSWER`);
    expect(listener.countSessions()).toBe(0);
    expect(fake.closed).toBe(true);
  });
});
