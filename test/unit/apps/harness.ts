/**
 * Runs one app in a real EventListener + Client over the in-memory
 * FakeConnection: the test feeds FreeSWITCH's events and reads back the exact
 * commands the app sent.
 */

import type { App } from 'switchyard';
import { Client } from '../../../src/client/client.js';
import { EventListener } from '../../../src/listener/listener.js';
import type { EslEvent } from '../../../src/protocol/event.js';
import { channelEvent, FakeConnection, type SentCommand } from '../../support/fake-connection.js';

export const A = 'aaaaaaaa-0000-4000-8000-00000000000a';
export const B = 'bbbbbbbb-0000-4000-8000-00000000000b';
export const C = 'cccccccc-0000-4000-8000-00000000000c';
export const D = 'dddddddd-0000-4000-8000-00000000000d';

export interface Harness {
  readonly fake: FakeConnection;
  readonly listener: EventListener;
  readonly client: Client;
  /** Resolves with the first command (already sent or still to come) `match` accepts. */
  command(match: (c: SentCommand) => boolean): Promise<SentCommand>;
  /** Resolves with the n-th (1-based) command `match` accepts, once it is sent. */
  nth(match: (c: SentCommand) => boolean, n: number): Promise<SentCommand>;
  /** The api commands sent after the subscriptions, in order. */
  apis(): string[];
  /** Feeds a channel event about `uuid` (see channelEvent for its default headers). */
  emit(name: string, uuid: string, extra?: Record<string, string>): EslEvent;
  /** A CUSTOM event (`Event-Subclass`) about `uuid`. */
  emitCustom(subclass: string, uuid: string, extra?: Record<string, string>): EslEvent;
  /** The CHANNEL_EXECUTE_COMPLETE of the application a `sendmsg` started. */
  complete(sent: SentCommand, extra?: Record<string, string>): EslEvent;
}

export interface HarnessOptions {
  readonly apiReply?: (command: string) => string;
}

export async function harness(app: App, options: HarnessOptions = {}): Promise<Harness> {
  const fake = new FakeConnection();
  const waiters: Array<{ match: (c: SentCommand) => boolean; resolve: (c: SentCommand) => void }> = [];
  const notify = (): void => {
    for (const w of [...waiters]) {
      const hit = fake.sent.find(w.match);
      if (hit !== undefined) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(hit);
      }
    }
  };
  const reply = options.apiReply ?? (() => '+OK\n');
  fake.onApi = (command) => {
    notify();
    return reply(command);
  };
  fake.onSendmsg = () => {
    notify();
    return '+OK';
  };
  const listener = new EventListener({ connection: fake, syncOnConnect: false });
  const client = new Client({ connection: fake, listener, host: 'fs1', port: 8021 });
  await client.connect();
  await client.loadApp(app);
  const command = (match: (c: SentCommand) => boolean): Promise<SentCommand> => {
    const hit = fake.sent.find(match);
    if (hit !== undefined) return Promise.resolve(hit);
    return new Promise((resolve) => waiters.push({ match, resolve }));
  };
  return {
    fake,
    listener,
    client,
    command,
    nth(match, n) {
      let seen = 0;
      // Counts every command once, in send order: find() hands them over oldest first.
      const counted = new Set<SentCommand>();
      return command((c: SentCommand) => {
        if (!match(c) || counted.has(c)) return false;
        counted.add(c);
        seen++;
        return seen === n;
      });
    },
    apis: () => fake.commands('api'),
    emit: (name, uuid, extra = {}) => fake.emitEvent(channelEvent(name, uuid, extra)),
    emitCustom: (subclass, uuid, extra = {}) =>
      fake.emitEvent(channelEvent('CUSTOM', uuid, { 'Event-Subclass': subclass, ...extra })),
    complete: (sent, extra = {}) =>
      fake.emitEvent(
        channelEvent('CHANNEL_EXECUTE_COMPLETE', sent.uuid ?? '', {
          Application: sent.headers?.['execute-app-name'] ?? '',
          'Application-UUID': sent.headers?.['Event-UUID'] ?? '',
          ...extra,
        }),
      ),
  };
}

/**
 * Lets every reply the fake already gave reach the app: the fake answers
 * within the same turn, so the app's continuations are all queued as
 * microtasks, which run before the next macrotask. No time passes.
 */
export function drained(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** Headers of the inbound leg of a loopback pair: it joins the outbound leg's call. */
export function inboundOf(partner: string, extra: Record<string, string> = {}): Record<string, string> {
  return { 'Call-Direction': 'inbound', variable_other_loopback_leg_uuid: partner, ...extra };
}

/** Creates a two-leg loopback call: A outbound (first), B inbound. */
export function createPair(h: Harness, a = A, b = B, extra: Record<string, string> = {}): void {
  h.emit('CHANNEL_CREATE', a, extra);
  h.emit('CHANNEL_CREATE', b, inboundOf(a, extra));
}

/** Matches an api command exactly. */
export const api =
  (command: string) =>
  (c: SentCommand): boolean =>
    c.kind === 'api' && c.command === command;

/** Matches a sendmsg executing `app` on `uuid`. */
export const execute =
  (uuid: string, app: string) =>
  (c: SentCommand): boolean =>
    c.kind === 'sendmsg' && c.uuid === uuid && c.headers?.['execute-app-name'] === app;
