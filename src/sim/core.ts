/**
 * The simulated FreeSWITCH core: identity, the event bus, the log bus, the
 * channel table, session counters and the timers every simulated thread uses.
 *
 * Follows switch_event.c (switch_event_prep_for_delivery_detailed: the base
 * headers every event starts with, Event-Sequence taken when the event is
 * created), switch_log.c (log lines) and switch_core_session.c (session ids,
 * sessions-per-second and max-sessions accounting).
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { formatGmt, formatLocal, formatLogStamp, nowMicros } from './clock.js';
import { type EventOrigin, type HeaderList, SimEvent } from './event.js';

/** What the core knows of a connected ESL listener (see listener.ts). */
export interface EventSink {
  deliverEvent(event: SimEvent): void;
  deliverLog(line: LogLine): void;
}

/** One log line as mod_event_socket.c sends it in a `log/data` frame. */
export interface LogLine {
  readonly level: number;
  readonly textChannel: number;
  readonly file: string;
  readonly func: string;
  readonly line: number;
  readonly userData: string;
  readonly text: string;
}

export const LogLevel = { CONSOLE: 0, ALERT: 1, CRIT: 2, ERR: 3, WARNING: 4, NOTICE: 5, INFO: 6, DEBUG: 7 } as const;
const LEVEL_NAMES = ['CONSOLE', 'ALERT', 'CRIT', 'ERR', 'WARNING', 'NOTICE', 'INFO', 'DEBUG'];

/**
 * switch_log_str2level: a level name (any case) or a number (clamped to
 * 0..63, as FreeSWITCH does); undefined for anything else.
 */
export function parseLogLevel(text: string): number | undefined {
  if (/^-?\d+$/.test(text)) return Math.min(63, Math.max(0, Number(text)));
  const i = LEVEL_NAMES.indexOf(text.toUpperCase());
  return i < 0 ? undefined : i;
}

/** SWITCH_CHANNEL_ID_LOG (0) and SWITCH_CHANNEL_ID_SESSION (3), the Text-Channel values seen. */
export const TextChannel = { Log: 0, Session: 3 } as const;

export interface CoreIdentity {
  readonly coreUuid: string;
  readonly hostname: string;
  readonly switchname: string;
  readonly ipv4: string;
  readonly ipv6: string;
  readonly version: string;
}

export interface CoreLimits {
  maxSessions: number;
  sessionsPerSecond: number;
}

/** Channels register here so api commands can find them by uuid. */
export interface ChannelLike {
  readonly uuid: string;
}

export class SimCore<C extends ChannelLike = ChannelLike> {
  readonly identity: CoreIdentity;
  readonly limits: CoreLimits;
  readonly logger: Logger;
  readonly startedAt = nowMicros();
  /** The FreeSWITCH core log level: messages above it are never produced (info, as recorded). */
  coreLogLevel: number = LogLevel.INFO;
  readonly idleCpu = 98.8;
  /** How long a simulated playback of a file (not a tone or silence stream) lasts. */
  defaultFileMs = 1000;
  /** Loaded modules (module_exists; applications of a module missing here are invalid). */
  readonly modules = new Set<string>();
  readonly channels = new Map<string, C>();
  readonly #sinks = new Set<EventSink>();
  readonly #timers = new Set<NodeJS.Timeout>();
  #sequence = 1000;
  #fired = 0;
  /** While set, fire() collects events here instead of delivering them (firehose templates). */
  #capture: SimEvent[] | undefined;
  #sessionId = 0;
  #peak = 0;
  #peakFiveMin = 0;
  /** Start times (ms) of the sessions of the last second: a queue read from #windowHead. */
  #perSecondWindow: number[] = [];
  #windowHead = 0;
  #perSecondMax = 0;
  #closed = false;

  constructor(identity: CoreIdentity, limits: CoreLimits, logger: Logger) {
    this.identity = identity;
    this.limits = limits;
    this.logger = logger;
  }

  /** Events fired since start. */
  get firedCount(): number {
    return this.#fired;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** A new event with FreeSWITCH's thirteen base headers, its sequence number taken now. */
  createEvent(name: string, origin: EventOrigin, subclass?: string): SimEvent {
    const headers: HeaderList = [];
    if (subclass !== undefined) headers.push(['Event-Subclass', subclass]);
    this.appendBaseHeaders(headers, name, origin);
    return new SimEvent(name, headers, subclass);
  }

  /** The base block (used again when an event is re-typed and re-fired, like PRIVATE_COMMAND). */
  appendBaseHeaders(headers: HeaderList, name: string, origin: EventOrigin): void {
    const now = nowMicros();
    const id = this.identity;
    headers.push(
      ['Event-Name', name],
      ['Core-UUID', id.coreUuid],
      ['FreeSWITCH-Hostname', id.hostname],
      ['FreeSWITCH-Switchname', id.switchname],
      ['FreeSWITCH-IPv4', id.ipv4],
      ['FreeSWITCH-IPv6', id.ipv6],
      ['Event-Date-Local', formatLocal(now)],
      ['Event-Date-GMT', formatGmt(now)],
      ['Event-Date-Timestamp', String(now)],
      ['Event-Calling-File', origin.file],
      ['Event-Calling-Function', origin.func],
      ['Event-Calling-Line-Number', String(origin.line)],
      ['Event-Sequence', String(++this.#sequence)],
    );
  }

  fire(event: SimEvent): void {
    if (this.#closed) return;
    if (this.#capture) {
      this.#capture.push(event);
      return;
    }
    this.#fired++;
    for (const sink of this.#sinks) {
      try {
        sink.deliverEvent(event);
      } catch (err) {
        // One listener's trouble (an unencodable header from a client) must not stop the others or the caller.
        this.logger.error({ err, event: event.name }, 'event delivery failed');
      }
    }
  }

  /** Runs `fn`, returning the events it fires instead of delivering them (and dropping its log lines). */
  capture(fn: () => void): SimEvent[] {
    const saved = this.#capture;
    const out: SimEvent[] = [];
    this.#capture = out;
    try {
      fn();
    } finally {
      this.#capture = saved;
    }
    return out;
  }

  /** Takes `count` consecutive sequence numbers and returns the first. */
  reserveSequences(count: number): number {
    const first = this.#sequence + 1;
    this.#sequence += count;
    return first;
  }

  /** switch_log_printf: a line for every listener whose `log` level admits it. */
  log(level: number, origin: EventOrigin, text: string, userData = '', textChannel: number = TextChannel.Log): void {
    if (this.#closed || this.#capture || level > this.coreLogLevel || this.#sinks.size === 0) return;
    const stamp = formatLogStamp(nowMicros());
    const line: LogLine = {
      level,
      textChannel,
      file: origin.file,
      func: origin.func,
      line: origin.line,
      userData,
      text: `${stamp} ${this.idleCpu.toFixed(2)}% [${LEVEL_NAMES[level]}] ${origin.file}:${origin.line} ${text}\n`,
    };
    for (const sink of this.#sinks) sink.deliverLog(line);
  }

  addSink(sink: EventSink): void {
    this.#sinks.add(sink);
  }

  removeSink(sink: EventSink): void {
    this.#sinks.delete(sink);
  }

  get sinkCount(): number {
    return this.#sinks.size;
  }

  /** A session id (`variable_session_id`) and the per-second accounting of switch_core_session_request. */
  nextSessionId(): number {
    const now = Date.now();
    this.#perSecondWindow.push(now);
    this.#trimWindow(now);
    this.#perSecondMax = Math.max(this.#perSecondMax, this.#windowSize());
    return ++this.#sessionId;
  }

  /**
   * Whether a new session may start now, as switch_core_session_request_uuid
   * decides: sessions-per-second first, then max-sessions.
   */
  admitSession(): 'ok' | 'max' | 'rate' {
    const now = Date.now();
    this.#trimWindow(now);
    if (this.#windowSize() >= this.limits.sessionsPerSecond) return 'rate';
    if (this.channels.size >= this.limits.maxSessions) return 'max';
    return 'ok';
  }

  registerChannel(channel: C): void {
    this.channels.set(channel.uuid, channel);
    this.#peak = Math.max(this.#peak, this.channels.size);
    this.#peakFiveMin = Math.max(this.#peakFiveMin, this.channels.size);
  }

  renameChannel(oldUuid: string, channel: C): void {
    this.channels.delete(oldUuid);
    this.channels.set(channel.uuid, channel);
  }

  unregisterChannel(channel: C): void {
    if (this.channels.get(channel.uuid) === channel) this.channels.delete(channel.uuid);
  }

  get stats(): {
    sinceStartup: number;
    peak: number;
    peakFiveMin: number;
    perSecondLast: number;
    perSecondMax: number;
  } {
    this.#trimWindow(Date.now());
    return {
      sinceStartup: this.#sessionId,
      peak: this.#peak,
      peakFiveMin: this.#peakFiveMin,
      perSecondLast: this.#windowSize(),
      perSecondMax: this.#perSecondMax,
    };
  }

  /** A timer owned by the core: close() cancels every one still pending. */
  timer(ms: number, fn: () => void): NodeJS.Timeout {
    const t = setTimeout(() => {
      this.#timers.delete(t);
      if (!this.#closed) fn();
    }, ms);
    this.#timers.add(t);
    return t;
  }

  cancelTimer(t: NodeJS.Timeout | undefined): void {
    if (t === undefined) return;
    clearTimeout(t);
    this.#timers.delete(t);
  }

  close(): void {
    this.#closed = true;
    for (const t of this.#timers) clearTimeout(t);
    this.#timers.clear();
    this.#sinks.clear();
  }

  #windowSize(): number {
    return this.#perSecondWindow.length - this.#windowHead;
  }

  #trimWindow(now: number): void {
    const w = this.#perSecondWindow;
    while (this.#windowHead < w.length && now - w[this.#windowHead]! >= 1000) this.#windowHead++;
    // Compact once the consumed head dominates, keeping the trim amortised O(1).
    if (this.#windowHead > 1024 && this.#windowHead * 2 > w.length) {
      this.#perSecondWindow = w.slice(this.#windowHead);
      this.#windowHead = 0;
    }
  }
}

export function defaultIdentity(overrides: { coreUuid?: string; hostname?: string }): CoreIdentity {
  const hostname = overrides.hostname ?? 'switchyard-sim';
  return {
    coreUuid: overrides.coreUuid ?? randomUUID(),
    hostname,
    switchname: hostname,
    ipv4: '127.0.0.1',
    ipv6: '::1',
    version: '1.11.1-release~64bit',
  };
}
