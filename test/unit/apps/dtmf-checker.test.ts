import { afterEach, describe, expect, it, vi } from 'vitest';
import { DtmfChecker, type DtmfCheckerOptions, type DtmfResult, DtmfSequence } from '../../../apps/dtmf-checker.js';
import { InvalidArgumentError } from '../../../src/errors.js';
import { A, api, B, createPair, drained, type Harness, harness, inboundOf } from './harness.js';

describe('DtmfSequence (pure)', () => {
  it('passes when every digit arrives in order', () => {
    const seq = new DtmfSequence('12#');
    expect([seq.push('1'), seq.push('2'), seq.push('#')]).toEqual(['pending', 'pending', 'passed']);
    expect(seq.received).toBe('12#');
    expect(seq.reason).toBeUndefined();
  });

  it('fails at the first wrong digit, names it, and ignores what comes after', () => {
    const seq = new DtmfSequence('1234');
    expect(seq.push('1')).toBe('pending');
    expect(seq.push('3')).toBe('failed');
    expect(seq.reason).toBe('digit 2: expected "2", received "3"');
    expect(seq.push('3')).toBe('failed');
    expect(seq.received).toBe('13');
  });

  it('expects no digit for w/W pauses and compares A-D case-insensitively', () => {
    const seq = new DtmfSequence('1w2Wa');
    expect(seq.expected).toBe('12A');
    expect([seq.push('1'), seq.push('2'), seq.push('a')]).toEqual(['pending', 'pending', 'passed']);
  });

  it('fails a pending check on abort, and keeps a decided one', () => {
    const pending = new DtmfSequence('12');
    pending.push('1');
    expect(pending.abort('timed out')).toBe('failed');
    expect(pending.reason).toBe('timed out');
    const done = new DtmfSequence('1');
    done.push('1');
    expect(done.abort('late')).toBe('passed');
    expect(done.reason).toBeUndefined();
  });

  it('refuses what uuid_send_dtmf would not send', () => {
    expect(() => new DtmfSequence('12x')).toThrow(InvalidArgumentError);
    expect(() => new DtmfSequence('')).toThrow(InvalidArgumentError);
    expect(() => new DtmfSequence('ww')).toThrow(InvalidArgumentError);
    expect(() => new DtmfSequence('1 2')).toThrow(InvalidArgumentError);
  });
});

/** Loads a checker, answers a loopback pair and waits for the digits to be sent from A. */
async function sending(options: DtmfCheckerOptions = {}): Promise<{ h: Harness; app: DtmfChecker; results: DtmfResult[] }> {
  const results: DtmfResult[] = [];
  const app = new DtmfChecker({ digits: '123', durationMs: 100, ...options, onResult: (r) => results.push(r) });
  const h = await harness(app);
  createPair(h);
  h.emit('CHANNEL_PARK', B, inboundOf(A));
  await h.command(api(`uuid_answer ${B}`));
  h.emit('CHANNEL_ANSWER', B, inboundOf(A));
  h.emit('CHANNEL_ANSWER', A);
  await h.command((c) => c.kind === 'api' && c.command.startsWith(`uuid_send_dtmf ${A} `));
  return { h, app, results };
}

function digit(h: Harness, uuid: string, d: string): void {
  h.emit('DTMF', uuid, { ...inboundOf(A), 'DTMF-Digit': d, 'DTMF-Duration': '800', 'DTMF-Source': 'RTP' });
}

describe('DtmfChecker as an app', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('sends the digits from the outbound leg and passes the call when the inbound leg receives them', async () => {
    const { h, app, results } = await sending();
    expect(h.apis()).toEqual([`uuid_answer ${B}`, `uuid_send_dtmf ${A} 123@100`]);
    expect(app.pending).toBe(1);
    for (const d of '123') digit(h, B, d);
    expect(results).toEqual([{ callId: A, sender: A, receiver: B, sent: '123', received: '123', passed: true, reason: undefined }]);
    expect(app.stats).toEqual({ passed: 1, failed: 0 });
    expect(app.pending).toBe(0);
    expect(app.failures).toEqual([]);
  });

  it('fails the call at a wrong digit and keeps the failure', async () => {
    const { h, app, results } = await sending();
    digit(h, B, '1');
    digit(h, B, '9');
    digit(h, B, '3');
    expect(results).toHaveLength(1);
    expect(results[0]).toMatchObject({ passed: false, received: '19', reason: 'digit 2: expected "2", received "9"' });
    expect(app.stats).toEqual({ passed: 0, failed: 1 });
    expect(app.failures).toEqual(results);
  });

  it('ignores DTMF on the sending leg', async () => {
    const { h, results } = await sending();
    digit(h, A, '1');
    expect(results).toEqual([]);
  });

  it('fails a call whose digits do not all arrive before the timeout', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const { h, app, results } = await sending({ timeoutMs: 1500 });
    digit(h, B, '1');
    vi.advanceTimersByTime(1499);
    expect(results).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(results).toEqual([{ callId: A, sender: A, receiver: B, sent: '123', received: '1', passed: false, reason: 'timed out after 1500 ms' }]);
    expect(app.pending).toBe(0);
  });

  it('defaults the timeout to 5 s plus twice the digits duration', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const { h, results } = await sending({ digits: '1234', durationMs: 250 });
    expect(h.apis()).toEqual([`uuid_answer ${B}`, `uuid_send_dtmf ${A} 1234@250`]);
    vi.advanceTimersByTime(5000 + 2 * 4 * 250 - 1);
    expect(results).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(results[0]?.reason).toBe('timed out after 7000 ms');
  });

  it('fails a call when a leg hangs up before every digit arrived', async () => {
    const { h, results } = await sending();
    digit(h, B, '1');
    h.emit('CHANNEL_HANGUP', A, { 'Hangup-Cause': 'NORMAL_CLEARING' });
    expect(results[0]).toMatchObject({ passed: false, received: '1', reason: 'a leg hung up before every digit arrived' });
  });

  it('fails a call whose digits FreeSWITCH refused to send', async () => {
    const results: DtmfResult[] = [];
    const app = new DtmfChecker({ digits: '12', onResult: (r) => results.push(r) });
    const h = await harness(app, { apiReply: (c) => (c.startsWith('uuid_send_dtmf') ? '-ERR No such channel!\n' : '+OK\n') });
    createPair(h);
    h.emit('CHANNEL_ANSWER', A);
    await h.command(api(`uuid_send_dtmf ${A} 12@200`));
    await drained();
    expect(results[0]).toMatchObject({ passed: false, received: '', reason: expect.stringMatching(/^sending failed: .*No such channel/) });
    expect(app.stats.failed).toBe(1);
  });

  it('hangs the call up once decided with hangupAfter, and sends from the inbound leg with sendFrom', async () => {
    const results: DtmfResult[] = [];
    const app = new DtmfChecker({ digits: '5', sendFrom: 'inbound', hangupAfter: true, onResult: (r) => results.push(r) });
    const h = await harness(app);
    createPair(h);
    h.emit('CHANNEL_ANSWER', A);
    h.emit('CHANNEL_ANSWER', B, inboundOf(A));
    await h.command(api(`uuid_send_dtmf ${B} 5@200`));
    h.emit('DTMF', A, { 'DTMF-Digit': '5' });
    await h.command(api(`uuid_kill ${A} NORMAL_CLEARING`));
    expect(results[0]).toMatchObject({ sender: B, receiver: A, passed: true });
    expect(h.apis()).toEqual([`uuid_send_dtmf ${B} 5@200`, `uuid_kill ${A} NORMAL_CLEARING`]);
  });

  it('fails the checks still open when unloaded', async () => {
    const { h, app, results } = await sending();
    await h.client.unloadApp('default');
    expect(results[0]).toMatchObject({ passed: false, reason: 'the app was unloaded' });
    expect(app.pending).toBe(0);
  });

  it('refuses bad options', () => {
    expect(() => new DtmfChecker({ digits: 'xyz' })).toThrow(InvalidArgumentError);
    expect(() => new DtmfChecker({ durationMs: 0 })).toThrow(InvalidArgumentError);
    expect(() => new DtmfChecker({ timeoutMs: 1.5 })).toThrow(InvalidArgumentError);
  });
});
