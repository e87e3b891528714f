/**
 * PlayRec: plays a clip on one leg of each call and records both legs on the
 * FreeSWITCH host (after switchio's apps/players.py), e.g. to score the audio
 * afterwards.
 *
 *   const playrec = new PlayRec({ clip: '/sounds/ivr-welcome.wav', recordDir: '/recordings' });
 *   await client.loadApp(playrec, { appId: 'playrec' });
 *   await client.originate({ dest: 'loopback/park/switchyard', appId: 'playrec' });
 *   // playrec.stats.recordings -> files written so far
 *
 * Each leg records from its answer (`uuid_record <uuid> start <path>`,
 * mod_commands.c, a media bug of switch_ivr_async.c) to
 * `<recordDir>/<caller|callee>_<uuid>.<format>`. Once the clip has played
 * (`loops` times) the recordings are stopped and, by default, the call is
 * hung up; a leg that hangs up first ends its own recording (FreeSWITCH
 * closes the file when the channel's media bugs are removed).
 */

import { type Logger, pino } from 'pino';
import { type App, type AppContext, type AppHandlers, type Call, CommandError, InvalidArgumentError, type Session } from 'switchyard';
import { isInbound } from './shared.js';

export interface PlayRecOptions {
  /** What is played. Default one second of 1004 Hz (`tone_stream://%(1000,0,1004)`), no file needed. */
  readonly clip?: string;
  /** How many times the clip is played. Default 1. */
  readonly loops?: number;
  /** The leg that plays the clip. Default `outbound` (the originated leg); the recordings cover both legs. */
  readonly playOn?: 'outbound' | 'inbound';
  /** Directory on the FreeSWITCH host. Default its `recordings_dir` global variable, else `/tmp`. */
  readonly recordDir?: string;
  /** File extension, which picks the format (mod_sndfile). Default `wav`. */
  readonly format?: string;
  /** Record in stereo (`RECORD_STEREO`: each direction on its own channel). Default false. */
  readonly stereo?: boolean;
  /** Hang the call up once the clip has played and the recordings stopped. Default true. */
  readonly hangupAfter?: boolean;
  /** Answer inbound legs when they park. Default true. */
  readonly answer?: boolean;
  /** Called when a call's recordings are over. */
  readonly onRecorded?: (info: CallRecording) => void;
}

export type LegRole = 'caller' | 'callee';

export interface LegRecording {
  readonly uuid: string;
  readonly role: LegRole;
  readonly path: string;
  /** Whether `uuid_record start` was accepted. */
  started: boolean;
  /** Who ended it: the app (`uuid_record stop`), or the leg's hangup. */
  stoppedBy: 'app' | 'hangup' | undefined;
}

export interface CallRecording {
  readonly callId: string;
  readonly legs: LegRecording[];
  /** Whether the clip played to its end. */
  clipPlayed: boolean;
}

export interface PlayRecStats {
  /** Recordings started (files FreeSWITCH is writing or has written). */
  recordings: number;
  /** Recordings FreeSWITCH refused to start. */
  failedRecordings: number;
  /** Clips played to their end. */
  clipsPlayed: number;
  /** Calls whose recordings are over. */
  calls: number;
}

export class PlayRec implements App {
  readonly name = 'PlayRec';
  readonly handlers: AppHandlers;
  readonly clip: string;
  readonly stats: PlayRecStats = { recordings: 0, failedRecordings: 0, clipsPlayed: 0, calls: 0 };
  readonly #loops: number;
  readonly #playOn: 'outbound' | 'inbound';
  readonly #format: string;
  readonly #stereo: boolean;
  readonly #hangupAfter: boolean;
  readonly #answer: boolean;
  readonly #onRecorded: ((info: CallRecording) => void) | undefined;
  #recordDir: string | undefined;
  /** Calls whose recordings are not over, by call id. */
  readonly #calls = new Map<string, CallRecording>();
  #logger: Logger = pino({ level: 'silent' });

  constructor(options: PlayRecOptions = {}) {
    this.clip = options.clip ?? 'tone_stream://%(1000,0,1004)';
    if (this.clip === '' || /\s/.test(this.clip)) throw new InvalidArgumentError(`clip must be a path without spaces, got ${JSON.stringify(this.clip)}`);
    this.#loops = options.loops ?? 1;
    if (!Number.isInteger(this.#loops) || this.#loops <= 0) throw new InvalidArgumentError(`loops must be a whole number > 0, got ${this.#loops}`);
    this.#playOn = options.playOn ?? 'outbound';
    this.#format = options.format ?? 'wav';
    if (!/^[A-Za-z0-9]+$/.test(this.#format)) throw new InvalidArgumentError(`invalid format ${JSON.stringify(this.#format)}`);
    this.#recordDir = options.recordDir === undefined ? undefined : checkDir(options.recordDir);
    this.#stereo = options.stereo ?? false;
    this.#hangupAfter = options.hangupAfter ?? true;
    this.#answer = options.answer ?? true;
    this.#onRecorded = options.onRecorded;
    this.handlers = {
      CHANNEL_PARK: (session) => this.#onPark(session),
      CHANNEL_ANSWER: (session) => this.#onAnswer(session),
      CHANNEL_HANGUP: (session) => this.#onHangup(session),
    };
  }

  /** Where recordings go (known once loaded). */
  get recordDir(): string | undefined {
    return this.#recordDir;
  }

  /** Calls still playing or recording. */
  get active(): number {
    return this.#calls.size;
  }

  async setup(ctx: AppContext): Promise<void> {
    this.#logger = ctx.logger;
    if (this.#recordDir !== undefined) return;
    let dir = '';
    try {
      dir = await ctx.client.cmd('global_getvar recordings_dir');
    } catch (error) {
      // An unset global variable answers `-ERR no reply`.
      if (!(error instanceof CommandError)) throw error;
    }
    this.#recordDir = dir === '' ? '/tmp' : checkDir(dir);
    this.#logger.info({ recordDir: this.#recordDir }, 'recording directory');
  }

  async #onPark(session: Session): Promise<void> {
    if (this.#answer && isInbound(session) && !session.answered) await session.answer();
  }

  async #onAnswer(session: Session): Promise<void> {
    const call = session.call;
    if (call === undefined) return;
    const rec = this.#recordingOf(call);
    const role: LegRole = session === call.first ? 'caller' : 'callee';
    const leg: LegRecording = { uuid: session.uuid, role, path: `${this.#dir()}/${role}_${session.uuid}.${this.#format}`, started: false, stoppedBy: undefined };
    rec.legs.push(leg);
    await this.#startRecording(session, leg);
    if (session.direction === this.#playOn) await this.#play(session, call, rec);
  }

  async #startRecording(session: Session, leg: LegRecording): Promise<void> {
    try {
      if (this.#stereo) await session.setVar('RECORD_STEREO', 'true');
      await session.startRecord(leg.path);
      leg.started = true;
      this.stats.recordings++;
    } catch (error) {
      this.stats.failedRecordings++;
      this.#logger.warn({ uuid: session.uuid, path: leg.path, err: error }, 'recording did not start');
    }
  }

  /** Plays the clip, then stops every recording of the call and hangs it up. */
  async #play(session: Session, call: Call, rec: CallRecording): Promise<void> {
    try {
      // One execute per loop, not the `loops` header: switch_ivr_parse_event gives every loop the
      // same Application-UUID, so the first loop's completion could not be told from the last's.
      for (let i = 0; i < this.#loops && !session.hungup; i++) await session.execute('playback', this.clip);
      // A playback cut short by the hangup completes too: only a leg still up played it all.
      rec.clipPlayed = !session.hungup;
      if (rec.clipPlayed) this.stats.clipsPlayed++;
    } catch (error) {
      if (!session.hungup) this.#logger.warn({ uuid: session.uuid, err: error }, 'clip playback failed');
    }
    const stops = rec.legs.map(async (leg) => {
      if (!leg.started || leg.stoppedBy !== undefined) return;
      const target = call.sessions.find((s) => s.uuid === leg.uuid);
      if (target === undefined || target.hungup) return;
      await target.stopRecord(leg.path);
      leg.stoppedBy ??= 'app';
    });
    const results = await Promise.allSettled(stops);
    for (const r of results) if (r.status === 'rejected') this.#logger.warn({ err: r.reason }, 'stopping a recording failed');
    this.#finish(call.id, rec);
    if (this.#hangupAfter && !session.hungup) await call.hangup();
  }

  #onHangup(session: Session): void {
    const call = session.call;
    const rec = call === undefined ? undefined : this.#calls.get(call.id);
    if (call === undefined || rec === undefined) return;
    for (const leg of rec.legs) if (leg.uuid === session.uuid && leg.started) leg.stoppedBy ??= 'hangup';
    // Over when no leg of the call is still up: a clip cut short by the hangup ends here.
    if (call.sessions.every((s) => s.hungup)) this.#finish(call.id, rec);
  }

  #finish(callId: string, rec: CallRecording): void {
    if (this.#calls.get(callId) !== rec) return;
    this.#calls.delete(callId);
    this.stats.calls++;
    this.#onRecorded?.(rec);
  }

  #recordingOf(call: Call): CallRecording {
    let rec = this.#calls.get(call.id);
    if (rec === undefined) {
      rec = { callId: call.id, legs: [], clipPlayed: false };
      this.#calls.set(call.id, rec);
    }
    return rec;
  }

  #dir(): string {
    // Loaded without setup (tests driving the handlers): the FreeSWITCH default.
    return this.#recordDir ?? '/tmp';
  }
}

function checkDir(dir: string): string {
  if (dir === '' || /[\s\r\n]/.test(dir)) throw new InvalidArgumentError(`recordDir must be a path without spaces, got ${JSON.stringify(dir)}`);
  return dir.endsWith('/') && dir.length > 1 ? dir.slice(0, -1) : dir;
}
