/**
 * Router: routes parked calls to async handlers by regex on a channel header,
 * like a web router (after switchio's apps/routers.py).
 *
 *   const router = new Router({ answer: true });
 *   router.route(/^1(\d+)$/, async (session, match) => {
 *     await session.playback(`/sounds/${match[1]}.wav`);
 *   });
 *   router.route(/^9/, async (session) => {
 *     await session.bridge('sofia/external/9000@10.0.0.5');
 *     throw new StopRouting(); // no later route runs
 *   });
 *   await client.loadApp(router);
 *
 * Every matching route runs, in registration order, each awaited before the
 * next; a handler throwing StopRouting ends the routing; any other error is
 * logged and routing goes on. A call no route matches (or that fails the
 * guards) is hung up with NO_ROUTE_DESTINATION, as FreeSWITCH's own dialplan
 * does when no extension matches (switch_core_state_machine.c).
 */

import { type Logger, pino } from 'pino';
import { type App, type AppContext, type AppHandlers, InvalidArgumentError, type Session } from 'switchyard';

/** Thrown by a route handler to stop the routing of this call. */
export class StopRouting extends Error {
  constructor(message = 'routing stopped') {
    super(message);
    this.name = 'StopRouting';
  }
}

export type RouteHandler = (session: Session, match: RegExpExecArray, router: Router) => unknown;

export interface RouteOptions {
  /** The header matched for this route; default the router's `field`. */
  readonly field?: string;
}

export interface Route {
  readonly pattern: RegExp;
  readonly field: string;
  readonly handler: RouteHandler;
}

export interface RouteMatch {
  readonly route: Route;
  readonly match: RegExpExecArray;
}

export type RouteStatus = 'routed' | 'stopped' | 'rejected' | 'unmatched' | 'guarded' | 'failed';

export interface RouteOutcome {
  /**
   * routed: every matching route ran; stopped: one threw StopRouting;
   * rejected: none matched and the call was hung up; unmatched: none matched
   * (and `reject` is off); guarded: a guard failed; failed: the answer
   * before the routes failed (the call is likely gone), no route ran.
   */
  readonly status: RouteStatus;
  /** How many routes matched. */
  readonly matched: number;
  /** Whether the router hung the call up. */
  readonly rejected: boolean;
  /** Errors thrown by handlers (other than StopRouting), in order. */
  readonly errors: readonly unknown[];
}

export interface RouterOptions {
  /** The app name (give routers loaded under the same app id different names). Default `Router`. */
  readonly name?: string;
  /** Header matched by routes that name none. Default `Caller-Destination-Number`. */
  readonly field?: string;
  /** Headers a call must carry (exact string, or matching the regex) to be routed at all. */
  readonly guards?: Readonly<Record<string, string | RegExp>>;
  /** Answer the call before running its routes. Default false. */
  readonly answer?: boolean;
  /** Hang up calls no route matches (or that fail a guard). Default true. */
  readonly reject?: boolean;
  /** The hangup cause for rejected calls. Default `NO_ROUTE_DESTINATION`. */
  readonly rejectCause?: string;
  /** Which legs to route. Default `inbound` (the legs FreeSWITCH received; an originated leg parks too). */
  readonly direction?: 'inbound' | 'outbound' | 'any';
  /** Called once a call's routing is over. */
  readonly onRouted?: (session: Session, outcome: RouteOutcome) => void;
}

export interface RouterStats {
  routed: number;
  stopped: number;
  rejected: number;
  unmatched: number;
  guarded: number;
  failed: number;
  errors: number;
}

const DEFAULT_FIELD = 'Caller-Destination-Number';
/** Session scratch key: a channel parks again after a bridge or uuid_park; it is routed once. */
const ROUTED = 'switchyard.router.routed';

export class Router implements App {
  readonly name: string;
  readonly handlers: AppHandlers;
  readonly field: string;
  readonly stats: RouterStats = { routed: 0, stopped: 0, rejected: 0, unmatched: 0, guarded: 0, failed: 0, errors: 0 };
  /** The same class as the module's StopRouting, for `throw new Router.StopRouting()`. */
  static readonly StopRouting = StopRouting;
  readonly #routes: Route[] = [];
  readonly #guards: ReadonlyArray<readonly [string, string | RegExp]>;
  readonly #answer: boolean;
  readonly #reject: boolean;
  readonly #rejectCause: string;
  readonly #direction: 'inbound' | 'outbound' | 'any';
  readonly #onRouted: ((session: Session, outcome: RouteOutcome) => void) | undefined;
  #logger: Logger = pino({ level: 'silent' });

  constructor(options: RouterOptions = {}) {
    this.name = options.name ?? 'Router';
    this.field = checkField(options.field ?? DEFAULT_FIELD);
    this.#guards = Object.entries(options.guards ?? {}).map(([header, want]) => [checkField(header), copyPattern(want)] as const);
    this.#answer = options.answer ?? false;
    this.#reject = options.reject ?? true;
    this.#rejectCause = options.rejectCause ?? 'NO_ROUTE_DESTINATION';
    if (!/^[A-Z0-9_]+$/.test(this.#rejectCause)) {
      throw new InvalidArgumentError(`invalid rejectCause ${JSON.stringify(this.#rejectCause)}`);
    }
    this.#direction = options.direction ?? 'inbound';
    this.#onRouted = options.onRouted;
    this.handlers = {
      CHANNEL_PARK: (session) => this.#onPark(session),
    };
  }

  setup(ctx: AppContext): void {
    this.#logger = ctx.logger;
  }

  /** Registers a route; routes run in the order they were registered. */
  route(pattern: RegExp | string, handler: RouteHandler, options: RouteOptions = {}): this {
    if (typeof handler !== 'function') throw new InvalidArgumentError('a route needs a handler function');
    const regex = typeof pattern === 'string' ? compile(pattern) : copyPattern(pattern);
    this.#routes.push({ pattern: regex, field: checkField(options.field ?? this.field), handler });
    return this;
  }

  get routes(): readonly Route[] {
    return this.#routes;
  }

  /** The routes matching a channel's headers, in registration order (pure: no call control). */
  matches(get: (header: string) => string | undefined): RouteMatch[] {
    const found: RouteMatch[] = [];
    for (const route of this.#routes) {
      const value = get(route.field);
      if (value === undefined || value === '') continue;
      const match = route.pattern.exec(value);
      if (match !== null) found.push({ route, match });
    }
    return found;
  }

  /** Whether a channel's headers pass every guard. */
  passesGuards(get: (header: string) => string | undefined): boolean {
    return this.#guards.every(([header, want]) => {
      const value = get(header);
      if (value === undefined) return false;
      return typeof want === 'string' ? value === want : want.test(value);
    });
  }

  /**
   * Routes one session now: guards, optional answer, every matching route in
   * order, then the rejection of an unmatched call.
   */
  async dispatch(session: Session): Promise<RouteOutcome> {
    const get = (header: string): string | undefined => session.get(header);
    if (!this.passesGuards(get)) {
      this.#logger.info({ uuid: session.uuid }, 'call failed the router guards');
      return this.#finish(session, 'guarded', 0, []);
    }
    const found = this.matches(get);
    if (found.length === 0) return this.#finish(session, 'unmatched', 0, []);
    const errors: unknown[] = [];
    if (this.#answer && !session.answered) {
      try {
        await session.answer();
      } catch (error) {
        errors.push(error);
        this.#logger.warn({ uuid: session.uuid, err: error }, 'answering before routing failed');
        return this.#finish(session, 'failed', found.length, errors);
      }
    }
    for (const { route, match } of found) {
      try {
        await route.handler(session, match, this);
      } catch (error) {
        if (error instanceof StopRouting) {
          this.#logger.debug({ uuid: session.uuid, pattern: String(route.pattern) }, 'routing stopped');
          return this.#finish(session, 'stopped', found.length, errors);
        }
        errors.push(error);
        this.#logger.error({ uuid: session.uuid, pattern: String(route.pattern), err: error }, 'route handler failed');
      }
    }
    return this.#finish(session, 'routed', found.length, errors);
  }

  #onPark(session: Session): Promise<RouteOutcome> | undefined {
    if (session.vars[ROUTED] === true || !this.#wantsDirection(session)) return undefined;
    session.vars[ROUTED] = true;
    return this.dispatch(session);
  }

  #wantsDirection(session: Session): boolean {
    return this.#direction === 'any' || session.direction === this.#direction;
  }

  async #finish(session: Session, status: RouteStatus, matched: number, errors: unknown[]): Promise<RouteOutcome> {
    let final = status;
    let rejected = false;
    if ((status === 'unmatched' || status === 'guarded') && this.#reject) {
      this.#logger.info({ uuid: session.uuid, [this.field]: session.get(this.field) }, 'no route: rejecting the call');
      if (status === 'unmatched') final = 'rejected';
      if (!session.hungup) {
        try {
          await session.hangup(this.#rejectCause);
          rejected = true;
        } catch (error) {
          // The caller may have hung up meanwhile: the call is gone either way.
          errors.push(error);
          this.#logger.warn({ uuid: session.uuid, err: error }, 'rejecting the call failed');
        }
      }
    }
    this.stats[final]++;
    this.stats.errors += errors.length;
    const outcome: RouteOutcome = { status: final, matched, rejected, errors };
    this.#onRouted?.(session, outcome);
    return outcome;
  }

}

function checkField(field: string): string {
  if (typeof field !== 'string' || !/^[A-Za-z0-9_][A-Za-z0-9_.:-]*$/.test(field)) {
    throw new InvalidArgumentError(`invalid header name ${JSON.stringify(field)}`);
  }
  return field;
}

function compile(source: string): RegExp {
  try {
    return new RegExp(source);
  } catch (error) {
    throw new InvalidArgumentError(`invalid route pattern ${JSON.stringify(source)}`, { cause: error });
  }
}

/** A copy without the g/y flags: exec() on a stateful regex would skip every other call. */
function copyPattern<T extends string | RegExp>(pattern: T): T {
  if (typeof pattern === 'string') return pattern;
  if (!(pattern instanceof RegExp)) throw new InvalidArgumentError('a route pattern must be a RegExp or a regex source string');
  return new RegExp(pattern.source, pattern.flags.replace(/[gy]/g, '')) as T;
}
