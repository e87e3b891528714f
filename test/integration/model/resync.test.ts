import { afterEach, describe, expect, it } from 'vitest';
import { DisconnectedError } from '../../../src/errors.js';
import type { ResyncResult } from '../../../src/listener/types.js';
import { loopbackCall, type Model, startModel } from './harness.js';

let model: Model | undefined;

afterEach(async () => {
  await model?.close();
  model = undefined;
});

function nextResync(m: Model): Promise<ResyncResult> {
  return new Promise((resolve) => m.listener.once('resynced', resolve));
}

describe('resync after the event socket is lost', () => {
  it('closes the sessions that ended during the gap, adopts the new ones, and matches the simulator', async () => {
    // A 300 ms reconnect delay leaves room to change the calls while the listener is away.
    model = await startModel({ reconnectDelayMs: 300, clientReconnect: true });
    const m = model;
    const gone = await loopbackCall(m);
    const kept = await loopbackCall(m);
    const waitingOnGone = gone.a.waitFor('CHANNEL_ANSWER');
    const resynced = nextResync(m);
    const changed = new Promise<string>((resolve, reject) => {
      m.listener.once('disconnected', () => {
        // FreeSWITCH goes on without us: one call ends, another starts.
        m.sim
          .api(`uuid_kill ${gone.a.uuid}`)
          .then(() => m.sim.api('originate loopback/answer/switchyard &park()'))
          .then((reply) => resolve(reply.trim().replace(/^\+OK /, '')), reject);
      });
    });
    m.sim.dropConnections();
    const newUuid = await changed;
    const result = await resynced;

    const simUuids = new Set(m.sim.channels().map((c) => c.uuid));
    expect(new Set(m.listener.sessions.keys())).toEqual(simUuids);
    expect(simUuids.has(newUuid)).toBe(true);
    expect(new Set(result.closed)).toEqual(new Set([gone.a.uuid, gone.b.uuid]));
    expect(result.adopted).toContain(newUuid);
    expect(result.adopted).toHaveLength(2);
    expect(result.kept).toBe(2);
    expect(gone.a.closedReason).toBe('vanished while the event socket was down');
    await expect(waitingOnGone).rejects.toThrow(DisconnectedError);
    // The sessions that lived through the gap are the same objects, still in their call.
    expect(m.listener.sessions.get(kept.a.uuid)).toBe(kept.a);
    expect(kept.call.sessions).toEqual([kept.a, kept.b]);
    const adopted = m.listener.sessions.get(newUuid)!;
    expect(adopted.answered).toBe(true);
    expect(m.listener.countCalls()).toBe(new Set([...m.listener.sessions.values()].map((s) => s.call)).size);

    // Events flow again: every call ends and leaves every map.
    const ends = [...m.listener.sessions.values()].map((s) => s.waitFor('CHANNEL_DESTROY', { timeout: 5000 }));
    await m.sim.api('hupall NORMAL_CLEARING');
    await Promise.all(ends);
    expect(m.sim.channels()).toEqual([]);
    expect(m.listener.countSessions()).toBe(0);
    expect(m.listener.countCalls()).toBe(0);
  });
});
