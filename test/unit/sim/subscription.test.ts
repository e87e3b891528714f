/**
 * Subscription: mod_event_socket.c event_handler() semantics for event lists,
 * CUSTOM subclasses, nixevent after ALL, and filters (+/-, regex, delete).
 */
import { describe, expect, it } from 'vitest';
import { type FilterableEvent, Subscription } from '../../../src/sim/subscription.js';

function ev(name: string, headers: Record<string, string> = {}, subclass?: string): FilterableEvent {
  return {
    name,
    subclass,
    get: (h) => {
      const key = Object.keys(headers).find((k) => k.toLowerCase() === h.toLowerCase());
      return key === undefined ? undefined : headers[key];
    },
  };
}

describe('Subscription', () => {
  it('takes the format from the first token and counts known names only', () => {
    const s = new Subscription();
    expect(s.subscribe(['json', 'CHANNEL_CREATE', 'NOPE', 'channel_answer'])).toBe(2);
    expect(s.format).toBe('json');
    expect(s.wants(ev('CHANNEL_CREATE'))).toBe(true);
    expect(s.wants(ev('CHANNEL_ANSWER'))).toBe(true);
    expect(s.wants(ev('CHANNEL_HANGUP'))).toBe(false);
    expect(new Subscription().subscribe(['plain'])).toBe(0);
  });

  it('treats every token after CUSTOM as a subclass', () => {
    const s = new Subscription();
    s.subscribe(['plain', 'CUSTOM', 'a::b', 'CHANNEL_CREATE']);
    expect(s.wants(ev('CUSTOM', {}, 'a::b'))).toBe(true);
    expect(s.wants(ev('CUSTOM', {}, 'x::y'))).toBe(false);
    // CHANNEL_CREATE was read as a subclass name.
    expect(s.wants(ev('CHANNEL_CREATE'))).toBe(false);
  });

  it('expands ALL when one name is nixed, leaving CUSTOM subclasses out', () => {
    const s = new Subscription();
    s.subscribe(['plain', 'ALL']);
    expect(s.wants(ev('CUSTOM', {}, 'any::thing'))).toBe(true);
    expect(s.nix(['CHANNEL_CREATE'])).toBe(1);
    expect(s.wants(ev('CHANNEL_CREATE'))).toBe(false);
    expect(s.wants(ev('CHANNEL_ANSWER'))).toBe(true);
    expect(s.wants(ev('CUSTOM', {}, 'any::thing'))).toBe(false);
    expect(s.nix(['ALL'])).toBe(1);
    expect(s.wants(ev('CHANNEL_ANSWER'))).toBe(false);
  });

  it('passes only events matching a filter once one exists (case-insensitive values)', () => {
    const s = new Subscription();
    s.subscribe(['ALL']);
    s.addFilter('Unique-ID', 'ABC');
    s.addFilter('Job-UUID', 'j1');
    expect(s.wants(ev('CHANNEL_CREATE', { 'Unique-ID': 'abc' }))).toBe(true);
    expect(s.wants(ev('BACKGROUND_JOB', { 'Job-UUID': 'j1' }))).toBe(true);
    expect(s.wants(ev('BACKGROUND_JOB', { 'Job-UUID': 'j2' }))).toBe(false);
    expect(s.wants(ev('HEARTBEAT'))).toBe(false);
    s.deleteFilter('Job-UUID', undefined);
    expect(s.wants(ev('BACKGROUND_JOB', { 'Job-UUID': 'j1' }))).toBe(false);
    s.deleteFilter('all', undefined);
    expect(s.filters).toEqual([]);
    expect(s.wants(ev('HEARTBEAT'))).toBe(true);
  });

  it('excludes with a - filter and matches /regex/', () => {
    const s = new Subscription();
    s.subscribe(['ALL']);
    s.addFilter('Event-Name', '/^CHANNEL_/');
    s.addFilter('Channel-Name', '-loopback/park-b');
    expect(s.wants(ev('CHANNEL_CREATE', { 'Event-Name': 'CHANNEL_CREATE', 'Channel-Name': 'loopback/park-a' }))).toBe(true);
    expect(s.wants(ev('CHANNEL_CREATE', { 'Event-Name': 'CHANNEL_CREATE', 'Channel-Name': 'loopback/park-b' }))).toBe(false);
    expect(s.wants(ev('API', { 'Event-Name': 'API' }))).toBe(false);
  });

  it('deletes only the filter with the given value', () => {
    const s = new Subscription();
    s.subscribe(['ALL']);
    s.addFilter('Unique-ID', 'a');
    s.addFilter('Unique-ID', 'b');
    s.deleteFilter('unique-id', 'A');
    expect(s.filters).toEqual([['Unique-ID', 'b']]);
  });

  it('stops everything on clear and says whether it was listening', () => {
    const s = new Subscription();
    expect(s.clear()).toBe(false);
    s.subscribe(['CHANNEL_CREATE']);
    expect(s.clear()).toBe(true);
    expect(s.wants(ev('CHANNEL_CREATE'))).toBe(false);
  });
});
