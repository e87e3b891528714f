import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DtmfChecker, type DtmfResult } from '../../../apps/dtmf-checker.js';
import { destroyed, type Stack, startStack } from './harness.js';

let stack: Stack;

beforeAll(async () => {
  stack = await startStack();
});

afterAll(async () => {
  await stack.close();
});

describe('DtmfChecker over the simulator', () => {
  it('sends digits over a SIP self-loop and passes every call whose far leg receives them', async () => {
    const N = 3;
    const { client, listener, sim } = stack;
    const results: DtmfResult[] = [];
    let allDone!: () => void;
    const done = new Promise<void>((resolve) => {
      allDone = resolve;
    });
    const app = new DtmfChecker({
      digits: '12*#9',
      durationMs: 40,
      hangupAfter: true,
      onResult: (r) => {
        results.push(r);
        if (results.length === N) allDone();
      },
    });
    await client.loadApp(app, { appId: 'dtmf' });
    try {
      // The `external` profile's calls come back in as an inbound leg that parks (sip-call recording).
      const uuids = await Promise.all(
        Array.from({ length: N }, () => client.originate({ dest: 'park@127.0.0.1:5080', appId: 'dtmf' }).result({ timeout: 10_000 })),
      );
      const sessions = uuids.map((u) => listener.sessions.get(u)!);
      const peers = sessions.map((s) => s.call!.peer(s)!);
      await done;
      expect(results.map((r) => r.callId).sort()).toEqual(sessions.map((s) => s.call!.id).sort());
      for (const r of results) {
        const i = uuids.indexOf(r.sender);
        expect(r).toEqual({ callId: r.callId, sender: uuids[i], receiver: peers[i]!.uuid, sent: '12*#9', received: '12*#9', passed: true, reason: undefined });
      }
      expect(app.stats).toEqual({ passed: N, failed: 0 });
      // hangupAfter: every call is torn down once checked.
      await Promise.all([...sessions, ...peers].map(destroyed));
      expect(sim.channels()).toEqual([]);
    } finally {
      await client.unloadApp('dtmf');
    }
  });

  it('fails a call hung up before its digits arrived', async () => {
    const { client, listener } = stack;
    let got!: (r: DtmfResult) => void;
    const result = new Promise<DtmfResult>((resolve) => {
      got = resolve;
    });
    // The first digit ends 510 ms after sending: the hangup comes well before.
    const app = new DtmfChecker({ digits: '123', durationMs: 500, onResult: got });
    await client.loadApp(app, { appId: 'dtmf-hangup' });
    try {
      const uuid = await client.originate({ dest: 'park@127.0.0.1:5080', appId: 'dtmf-hangup' }).result({ timeout: 10_000 });
      const a = listener.sessions.get(uuid)!;
      const b = a.call!.peer(a)!;
      await a.call!.hangup();
      expect(await result).toEqual({
        callId: a.call!.id,
        sender: uuid,
        receiver: b.uuid,
        sent: '123',
        received: '',
        passed: false,
        reason: 'a leg hung up before every digit arrived',
      });
      expect(app.stats).toEqual({ passed: 0, failed: 1 });
      await Promise.all([destroyed(a), destroyed(b)]);
    } finally {
      await client.unloadApp('dtmf-hangup');
    }
  });

  // mod_loopback's channel_send_dtmf queues the digits on the partner leg.
  it('checks DTMF over a loopback call', async () => {
    const { client, listener, sim } = stack;
    let got!: (r: DtmfResult) => void;
    const result = new Promise<DtmfResult>((resolve) => {
      got = resolve;
    });
    const app = new DtmfChecker({ digits: '42', durationMs: 40, hangupAfter: true, onResult: got });
    await client.loadApp(app, { appId: 'dtmf-loop' });
    try {
      const uuid = await client.originate({ dest: 'loopback/park/switchyard', appId: 'dtmf-loop' }).result({ timeout: 10_000 });
      const a = listener.sessions.get(uuid)!;
      const b = a.call!.peer(a)!;
      expect(await result).toEqual({ callId: a.call!.id, sender: uuid, receiver: b.uuid, sent: '42', received: '42', passed: true, reason: undefined });
      expect(app.stats).toEqual({ passed: 1, failed: 0 });
      await Promise.all([destroyed(a), destroyed(b)]);
      expect(sim.channels()).toEqual([]);
    } finally {
      await client.unloadApp('dtmf-loop');
    }
  });
});
