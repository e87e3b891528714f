import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JobError } from '../../../src/errors.js';
import { destroyed, loopbackCall, type Model, recorder, startModel } from './harness.js';

let model: Model;

beforeAll(async () => {
  model = await startModel();
});

afterAll(async () => {
  await model.close();
});

describe('calls over the simulator', () => {
  it('a two-leg loopback call is one Call holding both sessions, matching the simulator', async () => {
    const { a, b, call } = await loopbackCall(model, { callerIdName: 'John Doe', callerIdNumber: '1000' });
    expect(call.sessions).toEqual([a, b]);
    expect(call.first).toBe(a);
    expect(call.peer(a)).toBe(b);
    expect(a.direction).toBe('outbound');
    expect(b.direction).toBe('inbound');
    expect(a.answered && b.answered).toBe(true);
    expect(model.listener.countCalls()).toBe(1);
    expect(new Set(model.sim.channels().map((c) => c.uuid))).toEqual(new Set([a.uuid, b.uuid]));
    const simA = model.sim.channels().find((c) => c.uuid === a.uuid)!;
    expect(simA.vars.origination_caller_id_name).toBe('John Doe');
    // The b-leg is called by John Doe; after the answer FreeSWITCH shows the a-leg's callee there instead.
    expect(b.get('Caller-Caller-ID-Name')).toBe('John Doe');
    expect(b.get('Caller-Caller-ID-Number')).toBe('1000');
    await call.hangup();
    await Promise.all([destroyed(a), destroyed(b)]);
    expect(model.listener.countSessions()).toBe(0);
    expect(model.listener.countCalls()).toBe(0);
    expect(model.listener.countJobs()).toBe(0);
    expect(model.sim.channels()).toEqual([]);
    expect(a.hangupCause).toBe('NORMAL_CLEARING');
  });

  it('routes both legs to the app whose id the call carries, and nothing to another group', async () => {
    const seen: string[] = [];
    await model.client.loadApp(recorder('Mine', seen), { appId: 'mine' });
    await model.client.loadApp(recorder('Other', seen), { appId: 'other' });
    try {
      const { a, b, call } = await loopbackCall(model, { appId: 'mine' });
      expect([a.appId, b.appId]).toEqual(['mine', 'mine']);
      await call.hangup('USER_BUSY');
      await Promise.all([destroyed(a), destroyed(b)]);
      expect(seen.filter((s) => s.includes('CHANNEL_ANSWER')).sort()).toEqual(
        [`Mine CHANNEL_ANSWER ${a.uuid}`, `Mine CHANNEL_ANSWER ${b.uuid}`].sort(),
      );
      expect(seen.some((s) => s.startsWith('Other'))).toBe(false);
      expect(seen.filter((s) => s.includes('CHANNEL_HANGUP'))).toHaveLength(2);
    } finally {
      await model.client.unloadApp('mine');
      await model.client.unloadApp('other');
    }
  });

  it('hupall with an app id hangs up only that app’s calls', async () => {
    const mine = await loopbackCall(model, { appId: 'load-1' });
    const theirs = await loopbackCall(model, { appId: 'load-2' });
    await model.client.hupall('NORMAL_CLEARING', 'load-1');
    await Promise.all([destroyed(mine.a), destroyed(mine.b)]);
    expect([...model.listener.sessions.keys()].sort()).toEqual([theirs.a.uuid, theirs.b.uuid].sort());
    await theirs.call.hangup();
    await Promise.all([destroyed(theirs.a), destroyed(theirs.b)]);
  });

  it('a failed originate rejects with JobError keeping FreeSWITCH’s text', async () => {
    const job = model.client.originate({ dest: 'error/USER_BUSY' });
    const error = await job.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(JobError);
    expect((error as JobError).reply.trim()).toBe('-ERR USER_BUSY');
    expect(job.state).toBe('failed');
    expect(model.listener.countJobs()).toBe(0);
  });

  it('a bgapi job resolves with the command output', async () => {
    const output = await model.client.bgapi('status').result({ timeout: 5000 });
    expect(output).toMatch(/^UP \d+ years/);
  });

  it('counts failed sessions by cause (loopback hangs the other leg up with the same cause)', async () => {
    model.listener.resetCounters();
    const { a, b } = await loopbackCall(model);
    await a.hangup('CALL_REJECTED');
    await Promise.all([destroyed(a), destroyed(b)]);
    expect([a.hangupCause, b.hangupCause]).toEqual(['CALL_REJECTED', 'CALL_REJECTED']);
    expect(model.listener.failedByCause()).toEqual({ CALL_REJECTED: 2 });
    expect(model.listener.countFailed()).toBe(2);
  });
});
