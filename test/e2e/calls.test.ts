/**
 * Calls through Client and EventListener: originate over loopback and over
 * SIP to this same FreeSWITCH (through the `switchyard` profile into the
 * `loop` profile, see docker/README.md), both legs grouped into one Call, and
 * `hupall` leaving no channel behind.
 */
import { Client, EventListener } from 'switchyard';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { CallProbe } from './probe.js';
import { channelCount, describeE2E, target, until } from './support.js';

/** A SIP call back into this FreeSWITCH; override for a FreeSWITCH configured otherwise. */
const SIP_DEST = process.env.SWITCHYARD_E2E_SIP_DEST ?? 'sofia/switchyard/park@127.0.0.1:5090';

describeE2E('calls', () => {
  let listener: EventListener;
  let client: Client;
  const probe = new CallProbe();

  beforeAll(async () => {
    listener = new EventListener({ ...target });
    client = new Client({ ...target, listener });
    await client.connect();
    // Default group: every call reaches the probe, whichever leg carries what.
    await client.loadApp(probe.app);
    await client.cmd('hupall NORMAL_CLEARING');
  });

  afterEach(async () => {
    await client.cmd('hupall NORMAL_CLEARING');
    await until(async () => listener.countSessions() === 0, 'every session destroyed after the test');
    probe.clear();
  });

  afterAll(async () => {
    await client?.close();
  });

  it('originates over loopback: both legs tracked as one Call', async () => {
    const job = client.originate({ dest: 'loopback/answer/switchyard' });
    const aUuid = await job;
    expect(aUuid).toBe(job.sessUuid);

    const a = listener.sessions.get(aUuid);
    expect(a?.direction).toBe('outbound');
    const call = a!.call!;
    expect(call.sessions.length).toBe(2);
    expect(call.first).toBe(a);
    const b = call.peer(a!)!;
    expect(b.direction).toBe('inbound');
    expect(b.call).toBe(call);
    expect(listener.calls.get(call.id)).toBe(call);
    expect([a!.get('Channel-Name'), b.get('Channel-Name')]).toEqual(['loopback/answer-a', 'loopback/answer-b']);
    expect(b.get('Caller-Destination-Number')).toBe('answer');
    expect(b.get('Caller-Context')).toBe('switchyard');

    // The inbound leg answered itself (extension `answer`) then parked; the
    // outbound one parks in `&park()` once the originate completes.
    await probe.next('CHANNEL_PARK', (s) => s === b, 'the inbound leg');
    await probe.next('CHANNEL_PARK', (s) => s === a, 'the outbound leg');
    expect([a!.answered, b.answered]).toEqual([true, true]);
    expect(listener.countCalls()).toBe(1);
    expect(listener.countSessions()).toBe(2);

    await call.hangup();
    await probe.all('CHANNEL_DESTROY', [a!.uuid, b.uuid], 'the hung-up call');
    expect(listener.countSessions()).toBe(0);
    expect(listener.countCalls()).toBe(0);
  });

  it('originates over SIP to itself: both legs tracked as one Call', async () => {
    const job = client.originate({ dest: SIP_DEST });
    const aUuid = job.sessUuid!;
    // The far leg parks unanswered (extension `park`): answer it so the originate
    // completes. A failing originate (no such profile...) reports FreeSWITCH's reason.
    const b = await Promise.race([
      probe.next(
        'CHANNEL_PARK',
        (s) => s.direction === 'inbound' && s.call !== undefined && s.call.sessions.some((x) => x.uuid === aUuid),
        'the inbound SIP leg',
      ),
      job.then((value) => {
        throw new Error(`originate ${SIP_DEST} completed (${value}) before its far leg parked`);
      }),
    ]);
    await b.answer();
    expect(await job).toBe(aUuid);

    const a = listener.sessions.get(aUuid)!;
    expect(a.call).toBe(b.call);
    expect(a.call!.first).toBe(a);
    expect(a.call!.peer(a)).toBe(b);
    expect(a.call!.sessions.length).toBe(2);
    const profile = SIP_DEST.split('/').slice(0, 2).join('/');
    expect(a.get('Channel-Name')?.startsWith(`${profile}/`)).toBe(true);
    expect(b.get('Channel-Name')?.startsWith('sofia/')).toBe(true);
    expect(b.get('Caller-Destination-Number')).toBe('park');
    await probe.next('CHANNEL_ANSWER', (s) => s === a, 'the outbound SIP leg');
    expect([a.answered, b.answered]).toEqual([true, true]);

    await a.hangup();
    const [gone] = await probe.all('CHANNEL_DESTROY', [b.uuid], 'the far SIP leg');
    expect(gone?.hangupCause).toBe('NORMAL_CLEARING');
  });

  it('hupall hangs up every call and leaves 0 channels', async () => {
    const jobs = Array.from({ length: 5 }, () => client.originate({ dest: 'loopback/answer/switchyard' }));
    const uuids = await Promise.all(jobs);
    expect(listener.countCalls()).toBe(5);
    expect(listener.countSessions()).toBe(10);

    const legs = uuids.flatMap((u) => {
      const a = listener.sessions.get(u)!;
      return [a.uuid, a.call!.peer(a)!.uuid];
    });
    expect(new Set(legs).size).toBe(10);

    await client.hupall();
    await probe.all('CHANNEL_DESTROY', legs, 'hupall');
    expect(listener.countSessions()).toBe(0);
    expect(listener.countCalls()).toBe(0);
    // FreeSWITCH's channel table is written by a background SQL thread: it lags the events a little.
    await until(async () => (await channelCount(client)) === 0, 'show channels reporting 0 rows');
    expect(await channelCount(client)).toBe(0);
  });
});
