import { describe, expectTypeOf, it } from 'vitest';
import { type AppContext, type AppHandlers, defineApp } from '../../src/app.js';
import { buildOriginate, type OriginateOptions } from '../../src/client/originate.js';
import type { Client } from '../../src/client/client.js';
import type { EventListener } from '../../src/listener/listener.js';
import type { ResyncResult } from '../../src/listener/types.js';
import type { Call } from '../../src/models/call.js';
import type { Job, JobState } from '../../src/models/job.js';
import type { Session } from '../../src/models/session.js';
import type { EslEvent } from '../../src/protocol/event.js';

describe('Client', () => {
  it('originate is a Job whose awaited value is the new session uuid', () => {
    expectTypeOf<Client['originate']>().returns.toEqualTypeOf<Job<string>>();
    expectTypeOf<Awaited<ReturnType<Client['originate']>>>().toEqualTypeOf<string>();
    expectTypeOf<Awaited<ReturnType<Client['bgapi']>>>().toEqualTypeOf<string>();
    expectTypeOf<Client['api']>().returns.toEqualTypeOf<Promise<string>>();
    expectTypeOf<Client['cmd']>().returns.toEqualTypeOf<Promise<string>>();
    expectTypeOf<Client['loadApp']>().returns.toEqualTypeOf<Promise<string>>();
    expectTypeOf<Client['hupall']>().parameters.toEqualTypeOf<[cause?: string, appId?: string]>();
  });

  it('buildOriginate takes options with a required dest and returns the command', () => {
    expectTypeOf(buildOriginate).parameter(0).toEqualTypeOf<OriginateOptions>();
    expectTypeOf(buildOriginate).returns.toEqualTypeOf<string>();
    // @ts-expect-error dest is required
    buildOriginate({ app: 'park' });
    // @ts-expect-error codecs are strings
    buildOriginate({ dest: 'loopback/x', codecs: [1, 2] });
  });
});

describe('Job', () => {
  it('is awaitable, with result() and its tracking fields', () => {
    expectTypeOf<Job<string>>().toMatchTypeOf<Promise<string>>();
    expectTypeOf<Job<string>['result']>().returns.toEqualTypeOf<Promise<string>>();
    expectTypeOf<Job['state']>().toEqualTypeOf<JobState>();
    expectTypeOf<JobState>().toEqualTypeOf<'pending' | 'done' | 'failed' | 'timeout' | 'aborted'>();
    expectTypeOf<Job['uuid']>().toEqualTypeOf<string>();
    expectTypeOf<Job['sessUuid']>().toEqualTypeOf<string | undefined>();
    expectTypeOf<Job['launchedAt']>().toEqualTypeOf<number>();
  });
});

describe('Session and Call', () => {
  it('verbs resolve to what FreeSWITCH confirms', () => {
    expectTypeOf<Session['answer']>().returns.toEqualTypeOf<Promise<void>>();
    expectTypeOf<Session['getVar']>().returns.toEqualTypeOf<Promise<string | undefined>>();
    expectTypeOf<Session['execute']>().returns.toEqualTypeOf<Promise<EslEvent>>();
    expectTypeOf<Session['playback']>().returns.toEqualTypeOf<Promise<EslEvent>>();
    expectTypeOf<Session['waitFor']>().returns.toEqualTypeOf<Promise<EslEvent>>();
    expectTypeOf<Session['get']>().returns.toEqualTypeOf<string | undefined>();
    expectTypeOf<Session['call']>().toEqualTypeOf<Call | undefined>();
    expectTypeOf<Session['times']['answered']>().toEqualTypeOf<number | undefined>();
    expectTypeOf<Call['peer']>().returns.toEqualTypeOf<Session | undefined>();
    expectTypeOf<Call['sessions']>().toEqualTypeOf<readonly Session[]>();
  });
});

describe('EventListener', () => {
  it('exposes read-only maps and counters', () => {
    expectTypeOf<EventListener['sessions']>().toEqualTypeOf<ReadonlyMap<string, Session>>();
    expectTypeOf<EventListener['calls']>().toEqualTypeOf<ReadonlyMap<string, Call>>();
    expectTypeOf<EventListener['countSessions']>().returns.toEqualTypeOf<number>();
    expectTypeOf<EventListener['failedByCause']>().returns.toEqualTypeOf<Record<string, number>>();
    expectTypeOf<EventListener['resync']>().returns.toEqualTypeOf<Promise<ResyncResult>>();
  });
});

describe('apps', () => {
  it('types each callback from its event name', () => {
    const app = defineApp({
      name: 'Typed',
      handlers: {
        CHANNEL_PARK: (session, event, ctx) => {
          expectTypeOf(session).toEqualTypeOf<Session>();
          expectTypeOf(event).toEqualTypeOf<EslEvent>();
          expectTypeOf(ctx).toEqualTypeOf<AppContext>();
          return session.answer();
        },
        BACKGROUND_JOB: (event, ctx) => {
          expectTypeOf(event).toEqualTypeOf<EslEvent>();
          expectTypeOf(ctx.appId).toEqualTypeOf<string>();
        },
        'mod_bert::lost_sync': (session) => {
          expectTypeOf(session).toEqualTypeOf<Session | undefined>();
        },
      },
    });
    expectTypeOf(app.name).toEqualTypeOf<'Typed'>();
    expectTypeOf(app.handlers).toMatchTypeOf<AppHandlers>();
  });

  it('refuses callbacks of the wrong shape', () => {
    defineApp({
      name: 'Wrong',
      handlers: {
        // @ts-expect-error a session callback cannot take a string
        CHANNEL_ANSWER: (session: string) => session,
      },
    });
    defineApp({
      name: 'Wrong2',
      handlers: {
        // @ts-expect-error a callback returns nothing or a promise
        CHANNEL_PARK: () => 42,
      },
    });
  });
});
