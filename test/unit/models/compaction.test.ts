import { afterEach, describe, expect, it, vi } from 'vitest';
import { EventListener } from '../../../src/listener/listener.js';
import { HeaderText } from '../../../src/models/header-text.js';
import { EslEvent } from '../../../src/protocol/event.js';
import { channelEvent, FakeConnection } from '../../support/fake-connection.js';

const A = 'aaaaaaaa-0000-4000-8000-000000000001';

afterEach(() => {
  vi.useRealTimers();
});

describe('HeaderText', () => {
  it('finds values exactly as the event gave them, later events winning', () => {
    const full = EslEvent.fromHeaders({ 'Event-Name': 'CHANNEL_PARK', 'Channel-State': 'CS_EXECUTE', variable_note: 'line1\nline2', x: '' });
    const lean = EslEvent.fromHeaders({ 'Event-Name': 'DTMF', 'Channel-State': 'CS_EXCHANGE_MEDIA', 'DTMF-Digit': '#' });
    const text = new HeaderText([full, lean]);
    expect(text.get('Channel-State')).toBe('CS_EXCHANGE_MEDIA');
    expect(text.get('variable_note')).toBe('line1\nline2');
    expect(text.get('DTMF-Digit')).toBe('#');
    expect(text.get('x')).toBe('');
    expect(text.get('channel-state')).toBe('CS_EXCHANGE_MEDIA');
    expect(text.get('Event-Name')).toBe('DTMF');
    expect(text.get('absent')).toBeUndefined();
    expect(text.get('Channel')).toBeUndefined();
  });

  it('layers new events over an earlier text', () => {
    const base = new HeaderText([EslEvent.fromHeaders({ 'Event-Name': 'CHANNEL_PARK', a: '1', b: '2' })]);
    const text = new HeaderText([EslEvent.fromHeaders({ 'Event-Name': 'DTMF', b: '3' })], base);
    expect([text.get('a'), text.get('b'), text.get('Event-Name')]).toEqual(['1', '3', 'DTMF']);
  });
});

describe('session compaction', () => {
  it('compacts a quiet session to text, keeping every header, and goes back to events on the next one', async () => {
    vi.useFakeTimers();
    const fake = new FakeConnection();
    const listener = new EventListener({ connection: fake, syncOnConnect: false, compactAfterMs: 1000 });
    await listener.connect();
    fake.emitEvent(channelEvent('CHANNEL_CREATE', A, { 'Caller-Caller-ID-Number': '1000', variable_foo: 'bar' }));
    fake.emitEvent({ 'Event-Name': 'DTMF', 'Unique-ID': A, 'DTMF-Digit': '7' });
    const session = listener.sessions.get(A)!;
    expect(session.retained).toBe('events');
    await vi.advanceTimersByTimeAsync(500);
    expect(session.retained).toBe('events');
    await vi.advanceTimersByTimeAsync(500);
    expect(session.retained).toBe('text');
    expect(session.get('Caller-Caller-ID-Number')).toBe('1000');
    expect(session.get('variable_foo')).toBe('bar');
    expect(session.get('DTMF-Digit')).toBe('7');
    expect(session.get('unique-id')).toBe(A);
    fake.emitEvent({ 'Event-Name': 'DTMF', 'Unique-ID': A, 'DTMF-Digit': '8' });
    expect(session.get('DTMF-Digit')).toBe('8');
    expect(session.get('variable_foo')).toBe('bar');
    fake.emitEvent(channelEvent('CHANNEL_ANSWER', A, { variable_foo: 'baz' }));
    expect(session.retained).toBe('events');
    expect(session.get('DTMF-Digit')).toBeUndefined();
    expect(session.get('variable_foo')).toBe('baz');
    listener.compactSessions();
    expect(session.retained).toBe('text');
    expect(session.get('variable_foo')).toBe('baz');
    await listener.close();
  });

  it('a busy session is never compacted', async () => {
    vi.useFakeTimers();
    const fake = new FakeConnection();
    const listener = new EventListener({ connection: fake, syncOnConnect: false, compactAfterMs: 1000 });
    await listener.connect();
    fake.emitEvent(channelEvent('CHANNEL_CREATE', A));
    for (let i = 0; i < 10; i++) {
      await vi.advanceTimersByTimeAsync(400);
      fake.emitEvent(channelEvent('CHANNEL_PARK', A));
      expect(listener.sessions.get(A)!.retained).toBe('events');
    }
    await listener.close();
  });
});
