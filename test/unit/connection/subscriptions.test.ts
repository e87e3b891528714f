import { describe, expect, it } from 'vitest';
import { eventTokens, Subscriptions, splitEventTokens } from '../../../src/connection/subscriptions.js';

describe('splitEventTokens / eventTokens', () => {
  it('puts CUSTOM and its subclasses last whatever order they came in', () => {
    const selection = splitEventTokens(['CUSTOM', 'sofia::register', 'CHANNEL_CREATE'.toLowerCase(), 'conference::maintenance']);
    // a token after CUSTOM is a subclass, as FreeSWITCH reads it
    expect(selection).toEqual({ events: [], subclasses: ['sofia::register', 'channel_create', 'conference::maintenance'] });
    const tidy = splitEventTokens(['sofia::register', 'CHANNEL_CREATE', 'BACKGROUND_JOB']);
    expect(eventTokens(tidy)).toEqual(['CHANNEL_CREATE', 'BACKGROUND_JOB', 'CUSTOM', 'sofia::register']);
  });

  it('accepts space-separated strings, drops duplicates and upper-cases names', () => {
    expect(splitEventTokens(['channel_create  CHANNEL_ANSWER', 'CHANNEL_CREATE'])).toEqual({
      events: ['CHANNEL_CREATE', 'CHANNEL_ANSWER'],
      subclasses: [],
    });
    expect(eventTokens({ events: ['ALL'], subclasses: [] })).toEqual(['ALL']);
  });
});

describe('Subscriptions', () => {
  it('accumulates events, keeps the last format, and knows about HEARTBEAT', () => {
    const s = new Subscriptions();
    expect(s.selection).toBeUndefined();
    s.subscribed(splitEventTokens(['CHANNEL_CREATE']), 'plain');
    s.subscribed(splitEventTokens(['HEARTBEAT', 'x::y']), 'json');
    expect(s.format).toBe('json');
    expect(s.selection).toEqual({ events: ['CHANNEL_CREATE', 'HEARTBEAT'], subclasses: ['x::y'] });
    expect(s.hearsHeartbeat).toBe(true);
    s.unsubscribed(splitEventTokens(['HEARTBEAT', 'x::y']));
    expect(s.selection).toEqual({ events: ['CHANNEL_CREATE'], subclasses: [] });
    expect(s.hearsHeartbeat).toBe(false);
  });

  it('nixevent ALL and noevents clear every event', () => {
    const s = new Subscriptions();
    s.subscribed(splitEventTokens(['ALL', 'a::b']), 'plain');
    expect(s.hearsHeartbeat).toBe(true);
    s.unsubscribed(splitEventTokens(['ALL']));
    expect(s.selection).toBeUndefined();
    s.subscribed(splitEventTokens(['DTMF']), 'xml');
    s.noEvents();
    expect(s.selection).toBeUndefined();
    expect(s.format).toBeUndefined();
  });

  it('tracks filters like filter / filter delete / filter delete all', () => {
    const s = new Subscriptions();
    s.filterAdded('Unique-ID', 'u1');
    s.filterAdded('Unique-ID', 'u2');
    s.filterAdded('Unique-ID', 'u2');
    s.filterAdded('Job-UUID', 'j1');
    expect(s.filters).toEqual([
      ['Unique-ID', 'u1'],
      ['Unique-ID', 'u2'],
      ['Job-UUID', 'j1'],
    ]);
    s.filterDeleted('Unique-ID', 'u1');
    expect(s.filters).toEqual([
      ['Unique-ID', 'u2'],
      ['Job-UUID', 'j1'],
    ]);
    s.filterDeleted('Unique-ID', undefined);
    expect(s.filters).toEqual([['Job-UUID', 'j1']]);
    s.filterDeleted('all', undefined);
    expect(s.filters).toEqual([]);
  });
});
