import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { type App, defineApp } from '../../../src/app.js';
import { Client } from '../../../src/client/client.js';
import { InvalidArgumentError } from '../../../src/errors.js';
import { EventListener } from '../../../src/listener/listener.js';
import { backgroundJob, channelEvent, FakeConnection } from '../../support/fake-connection.js';

const A = 'aaaaaaaa-0000-4000-8000-000000000001';
const B = 'bbbbbbbb-0000-4000-8000-000000000002';

async function setup() {
  const logs: Record<string, unknown>[] = [];
  const logger = pino({ level: 'debug' }, { write: (line: string) => logs.push(JSON.parse(line)) });
  const events = new FakeConnection();
  const commands = new FakeConnection();
  const listener = new EventListener({ connection: events, syncOnConnect: false, logger });
  const client = new Client({ connection: commands, listener, logger });
  await client.connect();
  return { events, commands, listener, client, logs };
}

describe('loading apps', () => {
  it('subscribes to the events its handlers need, CUSTOM subclasses included, and returns the app id', async () => {
    const { events, client, listener } = await setup();
    const app = defineApp({
      name: 'Bert',
      handlers: { CHANNEL_PARK: () => {}, DTMF: () => {}, 'mod_bert::lost_sync': () => {} },
      subscribe: ['PLAYBACK_STOP'],
    });
    await expect(client.loadApp(app, { appId: 'bert' })).resolves.toBe('bert');
    expect(events.commands('subscribe').at(-1)).toBe('event plain DTMF mod_bert::lost_sync PLAYBACK_STOP');
    expect([...client.apps]).toEqual([['bert', [app]]]);
    expect(listener.subscriptions.has('mod_bert::lost_sync')).toBe(true);
  });

  it('runs callbacks after the listener handler, in load order, with session, event and context', async () => {
    const { events, client } = await setup();
    const seen: string[] = [];
    const first = defineApp({
      name: 'First',
      handlers: {
        CHANNEL_ANSWER: (session, event, ctx) => {
          seen.push(`first ${session.uuid} answered=${session.answered} ${event.name} ${ctx.appId} ${ctx.client === client}`);
        },
        CHANNEL_DESTROY: (session, _event, ctx) => {
          seen.push(`first destroyed, tracked=${ctx.listener.sessions.has(session.uuid)} reason=${session.closedReason}`);
        },
      },
    });
    const second = defineApp({ name: 'Second', handlers: { CHANNEL_ANSWER: (s) => void seen.push(`second ${s.uuid}`) } });
    await client.loadApp(first);
    await client.loadApp(second);
    events.emitEvent(channelEvent('CHANNEL_CREATE', A));
    events.emitEvent(channelEvent('CHANNEL_ANSWER', A));
    events.emitEvent(channelEvent('CHANNEL_DESTROY', A));
    expect(seen).toEqual([
      `first ${A} answered=true CHANNEL_ANSWER default true`,
      `second ${A}`,
      'first destroyed, tracked=false reason=destroyed',
    ]);
  });

  it('routes a call to the apps of the app id it carries, others to the default group, global events to all', async () => {
    const { events, client } = await setup();
    const seen: string[] = [];
    const recorder = (tag: string): App => ({
      name: `Rec-${tag}`,
      handlers: {
        CHANNEL_PARK: (s) => void seen.push(`${tag}:${s.uuid}`),
        BACKGROUND_JOB: (e) => void seen.push(`${tag}:job ${e.jobUuid}`),
        'switchyard::note': (s) => void seen.push(`${tag}:note ${s?.uuid ?? 'none'}`),
      },
    });
    await client.loadApp(recorder('load'), { appId: 'load-1' });
    await client.loadApp(recorder('dflt'));
    events.emitEvent(channelEvent('CHANNEL_PARK', A, { 'variable_sip_h_X-switchyard_app': 'load-1' }));
    events.emitEvent(channelEvent('CHANNEL_PARK', B));
    events.emitEvent(channelEvent('CHANNEL_PARK', 'c', { 'variable_sip_h_X-switchyard_app': 'nobody' }));
    events.emitEvent(backgroundJob('j-1', '+OK\n'));
    events.emitEvent({ 'Event-Name': 'CUSTOM', 'Event-Subclass': 'switchyard::note', 'Unique-ID': A });
    events.emitEvent({ 'Event-Name': 'CUSTOM', 'Event-Subclass': 'switchyard::note' });
    expect(seen).toEqual([
      `load:${A}`,
      `dflt:${B}`,
      'load:job j-1',
      'dflt:job j-1',
      `load:note ${A}`,
      'load:note none',
      'dflt:note none',
    ]);
  });

  it('isolates a callback that throws or rejects: logged with the session uuid, the others still run', async () => {
    const { events, client, logs } = await setup();
    const seen: string[] = [];
    await client.loadApp({
      name: 'Thrower',
      handlers: {
        CHANNEL_PARK: () => {
          throw new Error('sync boom');
        },
      },
    });
    await client.loadApp({ name: 'Rejecter', handlers: { CHANNEL_PARK: async () => Promise.reject(new Error('async boom')) } });
    await client.loadApp({ name: 'Survivor', handlers: { CHANNEL_PARK: (s) => void seen.push(s.uuid) } });
    events.emitEvent(channelEvent('CHANNEL_PARK', A));
    events.emitEvent(channelEvent('CHANNEL_PARK', B));
    await new Promise((resolve) => setImmediate(resolve));
    expect(seen).toEqual([A, B]);
    const failures = logs
      .filter((l) => l.msg === 'app callback failed')
      .map((l) => [l.app, l.uuid, (l.err as { message: string }).message, l.level]);
    expect(failures).toEqual([
      ['Thrower', A, 'sync boom', 50],
      ['Thrower', B, 'sync boom', 50],
      ['Rejecter', A, 'async boom', 50],
      ['Rejecter', B, 'async boom', 50],
    ]);
  });

  it('is atomic: a throwing setup registers and subscribes nothing', async () => {
    const { events, client, listener } = await setup();
    const before = events.sent.length;
    const app: App = {
      name: 'BadSetup',
      handlers: { DTMF: () => {} },
      setup: () => {
        throw new Error('no config');
      },
    };
    await expect(client.loadApp(app)).rejects.toThrow('no config');
    expect(events.sent.length).toBe(before);
    expect(client.apps.size).toBe(0);
    expect(listener.subscriptions.has('DTMF')).toBe(false);
  });

  it('is atomic: a refused subscription undoes the setup and registers nothing', async () => {
    const { events, client, listener } = await setup();
    const calls: string[] = [];
    events.onSubscribe = () => '-ERR invalid event';
    const app: App = {
      name: 'Refused',
      handlers: { CHANNEL_PARK: () => void calls.push('callback'), 'mod_x::y': () => {} },
      setup: () => void calls.push('setup'),
      teardown: () => void calls.push('teardown'),
    };
    await expect(client.loadApp(app)).rejects.toMatchObject({ code: 'ESL_ERR_COMMAND' });
    expect(calls).toEqual(['setup', 'teardown']);
    expect(client.apps.size).toBe(0);
    expect(listener.subscriptions.has('mod_x::y')).toBe(false);
    expect(events.commands('unsubscribe')).toEqual(['nixevent mod_x::y']);
    events.emitEvent(channelEvent('CHANNEL_PARK', A));
    expect(calls).toEqual(['setup', 'teardown']);
  });

  it('refuses malformed apps and a second app of the same name in a group', async () => {
    const { client } = await setup();
    await expect(client.loadApp({ name: '', handlers: {} })).rejects.toThrow(InvalidArgumentError);
    await expect(client.loadApp({ name: 'x', handlers: { CHANNEL_PARK: 'nope' } } as unknown as App)).rejects.toThrow(
      'app x: handler CHANNEL_PARK is not a function',
    );
    await expect(client.loadApp({ name: 'x', handlers: { 'not an event': () => {} } } as unknown as App)).rejects.toThrow(
      'is not an event name or a CUSTOM subclass',
    );
    await expect(client.loadApp({ name: 'x', handlers: {} }, { appId: 'bad id' })).rejects.toThrow('invalid app id');
    await client.loadApp({ name: 'twice', handlers: {} });
    await expect(client.loadApp({ name: 'twice', handlers: {} })).rejects.toThrow('already loaded under app id default');
    await expect(client.loadApp({ name: 'twice', handlers: {} }, { appId: 'other' })).resolves.toBe('other');
  });

  it('unload removes callbacks, runs teardown, and drops the events no one else needs', async () => {
    const { events, client, listener } = await setup();
    const seen: string[] = [];
    let tornDown = 0;
    await client.loadApp(
      {
        name: 'Gone',
        handlers: { DTMF: () => void seen.push('gone'), CHANNEL_PARK: () => void seen.push('gone park') },
        teardown: () => {
          tornDown++;
        },
      },
      { appId: 'g' },
    );
    await client.loadApp({ name: 'Stays', handlers: { CHANNEL_PARK: () => void seen.push('stays') } }, { appId: 'g2' });
    await client.unloadApp('g');
    expect(tornDown).toBe(1);
    expect([...client.apps.keys()]).toEqual(['g2']);
    expect(events.commands('unsubscribe')).toEqual(['nixevent DTMF']);
    expect(listener.subscriptions.has('DTMF')).toBe(false);
    expect(listener.subscriptions.has('CHANNEL_PARK')).toBe(true);
    events.emitEvent(channelEvent('CHANNEL_PARK', A, { 'variable_sip_h_X-switchyard_app': 'g' }));
    events.emitEvent(channelEvent('CHANNEL_PARK', B, { 'variable_sip_h_X-switchyard_app': 'g2' }));
    expect(seen).toEqual(['stays']);
  });

  it('an app loaded while the event link is down is subscribed after the reconnect', async () => {
    const { events, client } = await setup();
    events.onApi = () => '{"row_count": 0}';
    events.drop();
    await client.loadApp({ name: 'Later', handlers: { DTMF: () => {} } });
    expect(events.commands('subscribe')).toHaveLength(1);
    const resynced = new Promise((resolve) => client.listener!.once('resynced', resolve));
    events.restore();
    await resynced;
    expect(events.commands('subscribe').at(-1)).toBe('event plain DTMF');
  });
});
