/**
 * DtmfChecker: sends a digit sequence from one leg of each call once it is
 * answered, collects the DTMF events on the other leg and checks that what
 * arrived is exactly what was sent (after switchio's apps/dtmf.py).
 *
 *   const dtmf = new DtmfChecker({ digits: '1234#', onResult: (r) => log(r) });
 *   await client.loadApp(dtmf, { appId: 'dtmf' });
 *   await client.originate({ dest: 'loopback/park/switchyard', appId: 'dtmf' });
 *   // later: dtmf.stats -> { passed, failed, pending }
 *
 * `uuid_send_dtmf` (mod_commands.c) queues the digits on the sending channel;
 * the endpoint carries them to the far end (RTP events for SIP, the partner
 * leg for mod_loopback), where each fires one DTMF event with `DTMF-Digit`
 * (switch_channel.c switch_channel_dequeue_dtmf). A call passes when every
 * digit arrived, in order, before the timeout; it fails at the first wrong
 * digit, at the timeout, or when a leg hangs up first.
 */

import { type Logger, pino } from 'pino';
import { type App, type AppContext, type AppHandlers, type EslEvent, InvalidArgumentError, type Session } from 'switchyard';
import { detach, isInbound, pushBounded } from './shared.js';

/** What uuid_send_dtmf accepts: digits, A-D, * and #, and w/W pauses (500 ms / 1 s). */
const SENDABLE = /^[0-9A-Da-d*#wW]+$/;

export type DtmfVerdict = 'pending' | 'passed' | 'failed';

/**
 * The digits expected at the far end and those received so far. Pure: no
 * timers, no call control.
 */
export class DtmfSequence {
  /** The digits that should arrive (pauses removed, letters upper-cased). */
  readonly expected: string;
  #received = '';
  #verdict: DtmfVerdict = 'pending';
  #reason: string | undefined;

  constructor(sent: string) {
    if (!SENDABLE.test(sent)) throw new InvalidArgumentError(`invalid DTMF digits ${JSON.stringify(sent)}`);
    this.expected = sent.replace(/[wW]/g, '').toUpperCase();
    if (this.expected === '') throw new InvalidArgumentError('the DTMF sequence has no digit, only pauses');
  }

  get received(): string {
    return this.#received;
  }

  get verdict(): DtmfVerdict {
    return this.#verdict;
  }

  /** Why the check failed. */
  get reason(): string | undefined {
    return this.#reason;
  }

  /** One received digit; the verdict once it is known (digits after a verdict are ignored). */
  push(digit: string): DtmfVerdict {
    if (this.#verdict !== 'pending') return this.#verdict;
    const got = digit.toUpperCase();
    const at = this.#received.length;
    this.#received += got;
    const want = this.expected[at];
    if (got !== want) {
      this.#fail(`digit ${at + 1}: expected ${JSON.stringify(want)}, received ${JSON.stringify(got)}`);
    } else if (this.#received.length === this.expected.length) {
      this.#verdict = 'passed';
    }
    return this.#verdict;
  }

  /** Ends a pending check as failed (timeout, hangup, send failure). */
  abort(reason: string): DtmfVerdict {
    if (this.#verdict === 'pending') this.#fail(reason);
    return this.#verdict;
  }

  #fail(reason: string): void {
    this.#verdict = 'failed';
    this.#reason = reason;
  }
}

export interface DtmfResult {
  /** The call's id (the listener's Call id). */
  readonly callId: string;
  readonly sender: string;
  readonly receiver: string;
  readonly sent: string;
  readonly received: string;
  readonly passed: boolean;
  readonly reason: string | undefined;
}

export interface DtmfCheckerOptions {
  /** The digits to send. Default `123456789`. */
  readonly digits?: string;
  /** Duration of each digit in ms (`uuid_send_dtmf <uuid> <digits>@<ms>`). Default 200. */
  readonly durationMs?: number;
  /** Which leg sends. Default `outbound` (the originated leg); the other leg receives. */
  readonly sendFrom?: 'outbound' | 'inbound';
  /** Fail a call whose digits have not all arrived this long after sending. Default 5 s plus twice the digits' duration. */
  readonly timeoutMs?: number;
  /** Answer inbound legs when they park. Default true. */
  readonly answer?: boolean;
  /** Hang the call up once its check is decided. Default false. */
  readonly hangupAfter?: boolean;
  /** Called with each call's result. */
  readonly onResult?: (result: DtmfResult) => void;
  /** How many failed results `failures` keeps. Default 1000. */
  readonly keepFailures?: number;
}

export interface DtmfStats {
  passed: number;
  failed: number;
}

interface Check {
  readonly callId: string;
  readonly sender: Session;
  readonly receiver: Session;
  readonly sequence: DtmfSequence;
  timer: ReturnType<typeof setTimeout> | undefined;
}

export class DtmfChecker implements App {
  readonly name = 'DtmfChecker';
  readonly handlers: AppHandlers;
  readonly digits: string;
  readonly durationMs: number;
  readonly stats: DtmfStats = { passed: 0, failed: 0 };
  /** The latest failed results, oldest first. */
  readonly failures: DtmfResult[] = [];
  readonly #sendFrom: 'outbound' | 'inbound';
  readonly #timeoutMs: number;
  readonly #answer: boolean;
  readonly #hangupAfter: boolean;
  readonly #onResult: ((result: DtmfResult) => void) | undefined;
  readonly #keepFailures: number;
  /** Open checks by the uuid of their receiving leg. */
  readonly #checks = new Map<string, Check>();
  #logger: Logger = pino({ level: 'silent' });

  constructor(options: DtmfCheckerOptions = {}) {
    this.digits = options.digits ?? '123456789';
    // Validates the digits now rather than at the first call.
    const expected = new DtmfSequence(this.digits).expected;
    this.durationMs = positiveInt(options.durationMs ?? 200, 'durationMs');
    this.#sendFrom = options.sendFrom ?? 'outbound';
    this.#timeoutMs = positiveInt(options.timeoutMs ?? 5000 + 2 * expected.length * this.durationMs, 'timeoutMs');
    this.#answer = options.answer ?? true;
    this.#hangupAfter = options.hangupAfter ?? false;
    this.#onResult = options.onResult;
    this.#keepFailures = positiveInt(options.keepFailures ?? 1000, 'keepFailures');
    this.handlers = {
      CHANNEL_PARK: (session) => this.#onPark(session),
      CHANNEL_ANSWER: (session) => this.#onAnswer(session),
      DTMF: (session, event) => this.#onDtmf(session, event),
      CHANNEL_HANGUP: (session) => this.#onHangup(session),
    };
  }

  /** Checks still waiting for digits. */
  get pending(): number {
    return this.#checks.size;
  }

  setup(ctx: AppContext): void {
    this.#logger = ctx.logger;
  }

  /** Fails every open check (their calls are no longer watched). */
  teardown(): void {
    for (const check of [...this.#checks.values()]) this.#decide(check, 'the app was unloaded');
  }

  async #onPark(session: Session): Promise<void> {
    if (this.#answer && isInbound(session) && !session.answered) await session.answer();
  }

  #onAnswer(session: Session): void {
    if (session.direction !== this.#sendFrom) return;
    const call = session.call;
    const receiver = call?.peer(session);
    if (call === undefined || receiver === undefined) {
      this.#logger.warn({ uuid: session.uuid }, 'no peer leg to receive DTMF: call not checked');
      return;
    }
    if (this.#checks.has(receiver.uuid)) return;
    const check: Check = { callId: call.id, sender: session, receiver, sequence: new DtmfSequence(this.digits), timer: undefined };
    this.#checks.set(receiver.uuid, check);
    check.timer = setTimeout(() => this.#decide(check, `timed out after ${this.#timeoutMs} ms`), this.#timeoutMs);
    check.timer.unref?.();
    this.#logger.debug({ uuid: session.uuid, to: receiver.uuid, digits: this.digits }, 'sending DTMF');
    detach(this.#logger, session, 'uuid_send_dtmf', () =>
      session.sendDtmf(this.digits, this.durationMs).catch((error: unknown) => {
        this.#decide(check, `sending failed: ${error instanceof Error ? error.message : String(error)}`);
        throw error;
      }),
    );
  }

  #onDtmf(session: Session, event: EslEvent): void {
    const check = this.#checks.get(session.uuid);
    const digit = event.get('DTMF-Digit');
    if (check === undefined || digit === undefined || digit === '') return;
    if (check.sequence.push(digit) !== 'pending') this.#decide(check, undefined);
  }

  #onHangup(session: Session): void {
    for (const check of [...this.#checks.values()]) {
      if (check.receiver === session || check.sender === session) this.#decide(check, 'a leg hung up before every digit arrived');
    }
  }

  #decide(check: Check, failure: string | undefined): void {
    if (this.#checks.get(check.receiver.uuid) !== check) return;
    this.#checks.delete(check.receiver.uuid);
    clearTimeout(check.timer);
    if (failure !== undefined) check.sequence.abort(failure);
    const { sequence } = check;
    const result: DtmfResult = {
      callId: check.callId,
      sender: check.sender.uuid,
      receiver: check.receiver.uuid,
      sent: sequence.expected,
      received: sequence.received,
      passed: sequence.verdict === 'passed',
      reason: sequence.reason,
    };
    if (result.passed) {
      this.stats.passed++;
    } else {
      this.stats.failed++;
      pushBounded(this.failures, result, this.#keepFailures);
      this.#logger.warn({ uuid: result.receiver, sent: result.sent, received: result.received, reason: result.reason }, 'DTMF check failed');
    }
    this.#onResult?.(result);
    if (this.#hangupAfter && !check.sender.hungup) {
      const call = check.sender.call;
      if (call !== undefined) detach(this.#logger, check.sender, 'hangup', () => call.hangup());
    }
  }
}

function positiveInt(n: number, what: string): number {
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError(`${what} must be a whole number > 0, got ${n}`);
  return n;
}
