/**
 * Detects a silent dead socket. A FreeSWITCH subscriber to HEARTBEAT gets one
 * every 20 s (switch_core.c send_heartbeat); a connection that hears nothing for
 * `timeoutMs` is presumed dead even if TCP has not noticed (a NAT or firewall
 * that dropped the flow, a host that vanished). When the line has been idle
 * for `probeAfterMs` the owner is asked to provoke traffic (a cheap `api`), so
 * an idle but healthy connection is not mistaken for a dead one.
 *
 * `touch()` runs once per received chunk, so it only stores a timestamp: the
 * single timer is re-armed from the timestamp when it fires, never per chunk.
 */

export interface LivenessOptions {
  /** No bytes for this long -> `onSilence`. */
  readonly timeoutMs: number;
  /** No bytes for this long -> `onProbe` (once per idle spell). Default timeoutMs / 2. */
  readonly probeAfterMs?: number;
  /** Ask the owner to provoke a reply. */
  readonly onProbe: () => void;
  /** The line has been silent for `silentMs`; the monitor has stopped. */
  readonly onSilence: (silentMs: number) => void;
  readonly now?: () => number;
}

export class LivenessMonitor {
  readonly #timeoutMs: number;
  readonly #probeAfterMs: number;
  readonly #onProbe: () => void;
  readonly #onSilence: (silentMs: number) => void;
  readonly #now: () => number;
  #lastSeen = 0;
  #probed = false;
  #timer: ReturnType<typeof setTimeout> | undefined;

  constructor(options: LivenessOptions) {
    this.#timeoutMs = options.timeoutMs;
    this.#probeAfterMs = Math.min(options.probeAfterMs ?? Math.floor(options.timeoutMs / 2), options.timeoutMs);
    this.#onProbe = options.onProbe;
    this.#onSilence = options.onSilence;
    this.#now = options.now ?? Date.now;
  }

  get running(): boolean {
    return this.#timer !== undefined;
  }

  start(): void {
    this.stop();
    this.#lastSeen = this.#now();
    this.#probed = false;
    this.#arm(this.#probeAfterMs);
  }

  stop(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  /** Bytes arrived. `now` lets the caller share one clock read per chunk. */
  touch(now: number = this.#now()): void {
    this.#lastSeen = now;
    this.#probed = false;
  }

  #arm(delayMs: number): void {
    this.#timer = setTimeout(this.#check, Math.max(1, delayMs));
    // A monitor must never be what keeps a process alive.
    this.#timer.unref?.();
  }

  readonly #check = (): void => {
    this.#timer = undefined;
    const idle = this.#now() - this.#lastSeen;
    if (idle >= this.#timeoutMs) {
      this.#onSilence(idle);
      return;
    }
    if (idle >= this.#probeAfterMs && !this.#probed) {
      this.#probed = true;
      this.#arm(this.#timeoutMs - idle);
      this.#onProbe();
      return;
    }
    const next = this.#probed ? this.#timeoutMs : this.#probeAfterMs;
    this.#arm(next - idle);
  };
}
