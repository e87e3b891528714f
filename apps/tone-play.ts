/**
 * TonePlay: answers inbound calls, echoes on the inbound leg and plays an
 * endless tone on the outbound leg once it is answered (after switchio's
 * apps/players.py). The classic load-test app: every call carries media both
 * ways without any sound file on the FreeSWITCH host.
 *
 *   const tones = new TonePlay();
 *   await client.loadApp(tones, { appId: 'tones' });
 *   await client.originate({ dest: 'loopback/park/switchyard', appId: 'tones' });
 *
 * The tone is started with `uuid_broadcast` (mod_commands.c), which queues
 * `playback` on the channel without blocking it: the outbound leg keeps
 * running the application it was originated with (`park`).
 */

import { type Logger, pino } from 'pino';
import { type App, type AppContext, type AppHandlers, InvalidArgumentError, type Session } from 'switchyard';
import { detach, isInbound, isOutbound } from './shared.js';

/** mod_tone_stream's teletone string: 251 ms of 1004 Hz (the milliwatt test tone), repeated forever. */
export const MILLIWATT_TONE = 'tone_stream://%(251,0,1004);loops=-1';

export interface TonePlayOptions {
  /** What the outbound leg plays. Default MILLIWATT_TONE. */
  readonly tone?: string;
  /** Run `echo` on the inbound leg. Default true. */
  readonly echo?: boolean;
  /** Answer inbound calls when they park. Default true. */
  readonly answer?: boolean;
}

export interface TonePlayStats {
  /** Inbound legs this app answered. */
  answered: number;
  /** Inbound legs echoing. */
  echoing: number;
  /** Outbound legs the tone was started on. */
  tones: number;
}

export class TonePlay implements App {
  readonly name = 'TonePlay';
  readonly handlers: AppHandlers;
  readonly tone: string;
  readonly stats: TonePlayStats = { answered: 0, echoing: 0, tones: 0 };
  readonly #echo: boolean;
  readonly #answer: boolean;
  #logger: Logger = pino({ level: 'silent' });

  constructor(options: TonePlayOptions = {}) {
    this.tone = options.tone ?? MILLIWATT_TONE;
    if (typeof this.tone !== 'string' || this.tone === '' || /\s/.test(this.tone)) {
      throw new InvalidArgumentError(`tone must be a path without spaces, got ${JSON.stringify(this.tone)}`);
    }
    this.#echo = options.echo ?? true;
    this.#answer = options.answer ?? true;
    this.handlers = {
      CHANNEL_PARK: (session) => this.#onPark(session),
      CHANNEL_ANSWER: (session) => this.#onAnswer(session),
    };
  }

  setup(ctx: AppContext): void {
    this.#logger = ctx.logger;
  }

  async #onPark(session: Session): Promise<void> {
    if (!this.#answer || !isInbound(session) || session.answered) return;
    await session.answer();
    this.stats.answered++;
  }

  async #onAnswer(session: Session): Promise<void> {
    if (isInbound(session)) {
      if (!this.#echo) return;
      // echo lasts until the call ends: its completion is not waited for.
      detach(this.#logger, session, 'echo', () => session.echo());
      this.stats.echoing++;
    } else if (isOutbound(session)) {
      await session.broadcast(this.tone, 'aleg');
      this.stats.tones++;
    }
  }
}
