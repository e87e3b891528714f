import { describe, expect, it } from 'vitest';
import { DisconnectedError, ProtocolError } from '../../../src/errors.js';
import { EventListener } from '../../../src/listener/listener.js';
import { parseChannels } from '../../../src/listener/resync.js';
import type { ResyncResult } from '../../../src/listener/types.js';
import { channelEvent, FakeConnection } from '../../support/fake-connection.js';

const A = 'aaaaaaaa-0000-4000-8000-000000000001';
const B = 'bbbbbbbb-0000-4000-8000-000000000002';
const C = 'cccccccc-0000-4000-8000-000000000003';
const D = 'dddddddd-0000-4000-8000-000000000004';

function row(uuid: string, extra: Record<string, string> = {}) {
  return {
    uuid,
    direction: 'outbound',
    created: '2026-11-23 22:23:30',
    created_epoch: '1795472610',
    name: `loopback/${uuid.slice(0, 4)}-a`,
    state: 'CS_EXECUTE',
    cid_name: 'switchyard',
    cid_num: '1000',
    dest: 'park',
    application: 'park',
    callstate: 'RINGING',
    call_uuid: '',
    ...extra,
  };
}

function channels(...rows: ReturnType<typeof row>[]): string {
  return rows.length === 0 ? '{"row_count": 0}' : JSON.stringify({ row_count: rows.length, rows });
}

describe('show channels as json', () => {
  it('parses rows, and the bare row_count FreeSWITCH sends when there are none', () => {
    expect(parseChannels('{"row_count": 0}')).toEqual([]);
    expect(parseChannels(channels(row(A)))).toEqual([row(A)]);
    expect(() => parseChannels('-ERR no reply')).toThrow(ProtocolError);
    expect(() => parseChannels('{"rows": 3}')).toThrow('unexpected reply');
  });
});

describe('resync', () => {
  it('adopts the channels already up at connect, answered state and call grouping included', async () => {
    const fake = new FakeConnection();
    fake.onApi = () => channels(row(A, { callstate: 'ACTIVE', call_uuid: A }), row(B, { callstate: 'ACTIVE', call_uuid: A }), row(C));
    const listener = new EventListener({ connection: fake });
    const results: ResyncResult[] = [];
    listener.on('resynced', (r) => results.push(r));
    await listener.connect();
    expect(fake.commands('api')).toEqual(['show channels as json']);
    expect(results).toEqual([{ closed: [], adopted: [A, B, C], kept: 0 }]);
    expect([...listener.calls.keys()]).toEqual([A, C]);
    expect(listener.calls.get(A)!.sessions.map((s) => s.uuid)).toEqual([A, B]);
    const a = listener.sessions.get(A)!;
    expect(a.answered).toBe(true);
    expect(listener.sessions.get(C)!.answered).toBe(false);
    expect(a.times.created).toBe(1795472610000);
    expect(a.get('Caller-Caller-ID-Number')).toBe('1000');
    expect(a.get('Channel-Name')).toBe('loopback/aaaa-a');
    expect(listener.countAnswered()).toBe(2);
  });

  it('after a reconnect closes the sessions that vanished, with a reason, and adopts the new ones', async () => {
    const fake = new FakeConnection();
    const listener = new EventListener({ connection: fake, syncOnConnect: false });
    await listener.connect();
    fake.emitEvent(channelEvent('CHANNEL_CREATE', A));
    fake.emitEvent(channelEvent('CHANNEL_CREATE', B));
    const b = listener.sessions.get(B)!;
    const waiting = b.waitFor('CHANNEL_ANSWER');
    fake.drop();
    expect(listener.connected).toBe(false);
    fake.onApi = () => channels(row(A, { callstate: 'ACTIVE' }), row(C));
    const resynced = new Promise<ResyncResult>((resolve) => listener.once('resynced', resolve));
    fake.restore();
    await expect(resynced).resolves.toEqual({ closed: [B], adopted: [C], kept: 1 });
    expect(listener.connected).toBe(true);
    expect([...listener.sessions.keys()]).toEqual([A, C]);
    expect(b.closedReason).toBe('vanished while the event socket was down');
    await expect(waiting).rejects.toThrow(DisconnectedError);
    await expect(waiting).rejects.toThrow(`session ${B} ended (vanished while the event socket was down) before CHANNEL_ANSWER`);
    expect(listener.sessions.get(A)!.answered).toBe(true);
    expect([...listener.calls.keys()]).toEqual([A, C]);
  });

  it('never adopts a channel destroyed, nor closes one created, while the snapshot was in flight', async () => {
    const fake = new FakeConnection();
    const listener = new EventListener({ connection: fake, syncOnConnect: false });
    await listener.connect();
    fake.emitEvent(channelEvent('CHANNEL_CREATE', A));
    let answer!: (body: string) => void;
    fake.onApi = () =>
      new Promise((resolve) => {
        answer = resolve;
      });
    const result = listener.resync();
    // The snapshot was taken with A and D up; then D is destroyed and B created before we read it.
    fake.emitEvent(channelEvent('CHANNEL_DESTROY', D));
    fake.emitEvent(channelEvent('CHANNEL_CREATE', B));
    answer(channels(row(A), row(D)));
    await expect(result).resolves.toEqual({ closed: [], adopted: [], kept: 1 });
    expect([...listener.sessions.keys()]).toEqual([A, B]);
  });

  it('rejects with ProtocolError when the snapshot is not JSON', async () => {
    const fake = new FakeConnection();
    const listener = new EventListener({ connection: fake, syncOnConnect: false });
    await listener.connect();
    fake.onApi = () => '-ERR permission denied\n';
    await expect(listener.resync()).rejects.toThrow(ProtocolError);
  });
});

describe('adopted sessions', () => {
  it('learn their app id from their first real event', async () => {
    const fake = new FakeConnection();
    fake.onApi = () => channels(row(A));
    const listener = new EventListener({ connection: fake });
    await listener.connect();
    const session = listener.sessions.get(A)!;
    expect(session.appId).toBe('default');
    fake.emitEvent(channelEvent('CHANNEL_PARK', A, { 'variable_sip_h_X-switchyard_app': 'load-1' }));
    expect(session.appId).toBe('load-1');
  });
});
