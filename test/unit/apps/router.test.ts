import type { Session } from 'switchyard';
import { describe, expect, it } from 'vitest';
import { type RouteOutcome, Router, type RouterOptions, StopRouting } from '../../../apps/router.js';
import { InvalidArgumentError } from '../../../src/errors.js';
import { A, B, type Harness, harness, inboundOf } from './harness.js';

const headers =
  (h: Record<string, string>) =>
  (name: string): string | undefined =>
    h[name];

interface Parked {
  readonly h: Harness;
  readonly outcome: RouteOutcome;
}

/**
 * Builds a router with `options`, lets `register` add its routes (`ref.h` is
 * the harness once routing runs), parks an inbound leg B dialling `dest` and
 * resolves with the routing outcome.
 */
async function park(
  options: RouterOptions,
  register: (router: Router, ref: { h?: Harness }) => void,
  dest: string,
  extra: Record<string, string> = {},
): Promise<Parked> {
  let done!: (o: RouteOutcome) => void;
  const routed = new Promise<RouteOutcome>((resolve) => {
    done = resolve;
  });
  const router = new Router({ ...options, onRouted: (_s, o) => done(o) });
  const ref: { h?: Harness } = {};
  register(router, ref);
  const h = await harness(router);
  ref.h = h;
  h.emit('CHANNEL_CREATE', A);
  h.emit('CHANNEL_PARK', B, inboundOf(A, { 'Caller-Destination-Number': dest, ...extra }));
  return { h, outcome: await routed };
}

describe('Router.matches (pure)', () => {
  it('returns every matching route in registration order, each with its own match', () => {
    const router = new Router();
    const noop = (): void => {};
    router.route(/^1(\d+)$/, noop).route('^12', noop).route(/^9/, noop).route(/(\d)$/, noop);
    const found = router.matches(headers({ 'Caller-Destination-Number': '1234' }));
    expect(found.map((m) => String(m.route.pattern))).toEqual(['/^1(\\d+)$/', '/^12/', '/(\\d)$/']);
    expect(found.map((m) => [...m.match])).toEqual([['1234', '234'], ['12'], ['4', '4']]);
  });

  it('matches each route on its own header, and skips a missing or empty one', () => {
    const router = new Router({ field: 'variable_sip_to_user' });
    router.route(/^bob$/, () => {});
    router.route(/^\+44/, () => {}, { field: 'Caller-Caller-ID-Number' });
    expect(router.routes.map((r) => r.field)).toEqual(['variable_sip_to_user', 'Caller-Caller-ID-Number']);
    expect(router.matches(headers({ variable_sip_to_user: 'bob', 'Caller-Caller-ID-Number': '+4420' })).length).toBe(2);
    expect(router.matches(headers({ variable_sip_to_user: '', 'Caller-Caller-ID-Number': '+4420' })).length).toBe(1);
    expect(router.matches(headers({}))).toEqual([]);
  });

  it('drops the g and y flags, so a route matches every call, not every other one', () => {
    const router = new Router();
    router.route(/^1/gy, () => {});
    const get = headers({ 'Caller-Destination-Number': '100' });
    expect([router.matches(get).length, router.matches(get).length, router.matches(get).length]).toEqual([1, 1, 1]);
    expect(router.routes[0]!.pattern.flags).toBe('');
  });

  it('checks guards: exact strings and regexes, a missing header fails', () => {
    const router = new Router({ guards: { 'Caller-Context': 'public', 'variable_sip_from_host': /^10\./ } });
    expect(router.passesGuards(headers({ 'Caller-Context': 'public', variable_sip_from_host: '10.0.0.5' }))).toBe(true);
    expect(router.passesGuards(headers({ 'Caller-Context': 'default', variable_sip_from_host: '10.0.0.5' }))).toBe(false);
    expect(router.passesGuards(headers({ 'Caller-Context': 'public' }))).toBe(false);
  });

  it('refuses bad patterns, header names, handlers and causes with InvalidArgumentError', () => {
    const router = new Router();
    expect(() => router.route('([', () => {})).toThrow(InvalidArgumentError);
    expect(() => router.route(/x/, () => {}, { field: 'bad header' })).toThrow(InvalidArgumentError);
    expect(() => router.route(/x/, 'nope' as never)).toThrow(InvalidArgumentError);
    expect(() => new Router({ rejectCause: 'no route' })).toThrow(InvalidArgumentError);
    expect(() => new Router({ field: 'a\r\nb' })).toThrow(InvalidArgumentError);
  });
});

describe('Router as an app', () => {
  it('runs every matching route in order, awaiting each, with the session, match and router', async () => {
    const seen: string[] = [];
    const { h, outcome } = await park(
      {},
      (router) => {
        let release!: () => void;
        const gate = new Promise<void>((resolve) => {
          release = resolve;
        });
        router.route(/^1(\d+)$/, async (session: Session, match, r) => {
          seen.push(`first ${session.uuid.slice(0, 8)} ${match[1]} ${r === router}`);
          release();
          await gate;
          seen.push('first done');
        });
        router.route(/^12/, (_s, match) => {
          seen.push(`second ${match[0]}`);
        });
        router.route(/^9/, () => {
          seen.push('never');
        });
      },
      '1234',
    );
    expect(seen).toEqual(['first bbbbbbbb 234 true', 'first done', 'second 12']);
    expect(outcome).toEqual({ status: 'routed', matched: 2, rejected: false, errors: [] });
    expect(h.apis()).toEqual([]);
  });

  it('stops at StopRouting: later routes do not run and the call is not rejected', async () => {
    const seen: string[] = [];
    const { h, outcome } = await park(
      {},
      (router) => {
        router.route(/^1/, () => {
          seen.push('a');
        });
        router.route(/^12/, () => {
          seen.push('b');
          throw new Router.StopRouting();
        });
        router.route(/^123/, () => {
          seen.push('c');
        });
      },
      '1234',
    );
    expect(seen).toEqual(['a', 'b']);
    expect(outcome.status).toBe('stopped');
    expect(outcome.matched).toBe(3);
    expect(h.apis()).toEqual([]);
    expect(Router.StopRouting).toBe(StopRouting);
  });

  it('rejects an unmatched call with NO_ROUTE_DESTINATION on the parked leg', async () => {
    const { h, outcome } = await park({}, (router) => router.route(/^1/, () => {}), '555');
    expect(outcome).toEqual({ status: 'rejected', matched: 0, rejected: true, errors: [] });
    expect(h.apis()).toEqual([`uuid_kill ${B} NO_ROUTE_DESTINATION`]);
  });

  it('leaves an unmatched call alone with reject: false, and uses rejectCause otherwise', async () => {
    const keep = await park({ reject: false }, () => {}, '555');
    expect(keep.outcome).toEqual({ status: 'unmatched', matched: 0, rejected: false, errors: [] });
    expect(keep.h.apis()).toEqual([]);
    const busy = await park({ rejectCause: 'USER_BUSY' }, () => {}, '555');
    expect(busy.h.apis()).toEqual([`uuid_kill ${B} USER_BUSY`]);
  });

  it('rejects a call that fails a guard without running its routes', async () => {
    const seen: string[] = [];
    const { h, outcome } = await park(
      { guards: { 'Caller-Context': 'public' } },
      (router) =>
        router.route(/./, () => {
          seen.push('ran');
        }),
      '1000',
      { 'Caller-Context': 'default' },
    );
    expect(seen).toEqual([]);
    expect(outcome).toEqual({ status: 'guarded', matched: 0, rejected: true, errors: [] });
    expect(h.apis()).toEqual([`uuid_kill ${B} NO_ROUTE_DESTINATION`]);
  });

  it('answers before the first route runs when answer is set', async () => {
    let sentBefore: string[] = [];
    const { h, outcome } = await park(
      { answer: true },
      (router, ref) =>
        router.route(/^1/, () => {
          sentBefore = ref.h?.apis() ?? [];
        }),
      '1000',
    );
    expect(outcome.status).toBe('routed');
    expect(sentBefore).toEqual([`uuid_answer ${B}`]);
    expect(h.apis()).toEqual([`uuid_answer ${B}`]);
  });

  it('logs a failing route, goes on with the next, and reports the error', async () => {
    const seen: string[] = [];
    const boom = new Error('boom');
    const { outcome } = await park(
      {},
      (router) => {
        router.route(/^1/, () => {
          throw boom;
        });
        router.route(/^10/, () => {
          seen.push('next');
        });
      },
      '1000',
    );
    expect(seen).toEqual(['next']);
    expect(outcome).toEqual({ status: 'routed', matched: 2, rejected: false, errors: [boom] });
  });

  it('routes a leg once, even if it parks again, and ignores outbound legs by default', async () => {
    const outcomes: RouteOutcome[] = [];
    let first!: () => void;
    const routed = new Promise<void>((resolve) => {
      first = resolve;
    });
    const router = new Router({
      onRouted: (_s, o) => {
        outcomes.push(o);
        first();
      },
    });
    const h = await harness(router);
    h.emit('CHANNEL_PARK', A, { 'Caller-Destination-Number': '777' });
    h.emit('CHANNEL_PARK', B, inboundOf(A, { 'Caller-Destination-Number': '777' }));
    await routed;
    // Callbacks run synchronously in the event dispatch: a route started now would have sent its hangup already.
    h.emit('CHANNEL_PARK', B, inboundOf(A, { 'Caller-Destination-Number': '777' }));
    h.emit('CHANNEL_PARK', A, { 'Caller-Destination-Number': '777' });
    expect(h.apis()).toEqual([`uuid_kill ${B} NO_ROUTE_DESTINATION`]);
    expect(outcomes.map((o) => o.status)).toEqual(['rejected']);
    expect(router.stats).toEqual({ routed: 0, stopped: 0, rejected: 1, unmatched: 0, guarded: 0, failed: 0, errors: 0 });
  });

  it("routes outbound legs too with direction: 'any'", async () => {
    const outcomes: string[] = [];
    const router = new Router({ direction: 'any', reject: false, onRouted: (s) => outcomes.push(s.uuid) });
    const h = await harness(router);
    h.emit('CHANNEL_PARK', A, { 'Caller-Destination-Number': '777' });
    h.emit('CHANNEL_PARK', B, inboundOf(A, { 'Caller-Destination-Number': '777' }));
    // Nothing to await: with no route and no rejection, routing ends inside the dispatch.
    expect(outcomes).toEqual([A, B]);
    expect(h.apis()).toEqual([]);
  });

  it('reports a failed answer without running any route', async () => {
    const seen: string[] = [];
    let done!: (o: RouteOutcome) => void;
    const routed = new Promise<RouteOutcome>((resolve) => {
      done = resolve;
    });
    const router = new Router({ answer: true, onRouted: (_s, o) => done(o) });
    router.route(/./, () => {
      seen.push('ran');
    });
    const h = await harness(router, { apiReply: () => '-ERR No such channel!\n' });
    h.emit('CHANNEL_PARK', B, inboundOf(A, { 'Caller-Destination-Number': '1' }));
    const outcome = await routed;
    expect(outcome.status).toBe('failed');
    expect(outcome.errors).toHaveLength(1);
    expect(seen).toEqual([]);
    expect(router.stats.failed).toBe(1);
  });
});
