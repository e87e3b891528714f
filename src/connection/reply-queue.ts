/**
 * Commands awaiting their `command/reply` or `api/response`.
 *
 * mod_event_socket.c reads one command at a time from the socket and answers
 * it before reading the next, so replies come back in the order commands were
 * written; events (and log lines) may interleave but never carry a reply. A
 * reply therefore always belongs to the oldest written command.
 *
 * The queue's invariant:
 *
 * ```
 *             written, awaiting a reply           queued, not yet written
 *        |<-------------------------------->|<------------------------------>|
 *
 *  items [ c(h) ][ c(h+1) ] ... [ c(h+w-1) ] [ c(h+w) ] ...      [ c(n-1) ]
 *           ^                                   ^                           ^
 *         head                           head + written                  length
 *
 *  - a reply always settles items[head]; head advances by one
 *  - bytes go to the socket only from items[head + written], in order, and
 *    only once the link is authenticated, so writes happen in call order
 *  - on a lost link the written part is rejected (those replies can never
 *    come); the queued part may wait for the next link
 * ```
 *
 * Settled slots before `head` are released in bulk (compaction), so a stream of
 * replies costs O(1) each and no `Array#shift`.
 */

import type { Frame } from '../protocol/frame.js';

export interface PendingCommand {
  /** The encoded command, ending with a blank line. */
  readonly bytes: Buffer;
  readonly resolve: (frame: Frame) => void;
  readonly reject: (error: Error) => void;
  /** Internal commands (auth, restore, probe, exit) are not the caller's. */
  readonly internal: boolean;
  /** Armed only while a command waits for a link; cleared when written. */
  timer?: ReturnType<typeof setTimeout> | undefined;
}

const COMPACT_AT = 1024;

export class ReplyQueue {
  #items: (PendingCommand | undefined)[] = [];
  #head = 0;
  #written = 0;

  /** Commands written and awaiting a reply. */
  get inFlight(): number {
    return this.#written;
  }

  /** Commands not yet written. */
  get queued(): number {
    return this.#items.length - this.#head - this.#written;
  }

  get size(): number {
    return this.#items.length - this.#head;
  }

  /** Appends at the tail, unwritten. */
  push(command: PendingCommand): void {
    this.#items.push(command);
  }

  /**
   * Puts commands ahead of every queued one (but behind the written ones):
   * used to restore subscriptions after a reconnect before the caller's
   * commands that waited for it.
   */
  insertBeforeQueued(commands: readonly PendingCommand[]): void {
    if (commands.length === 0) return;
    this.#items.splice(this.#head + this.#written, 0, ...commands);
  }

  /** Writes every queued command, oldest first, and marks it written. */
  flush(write: (bytes: Buffer) => void): void {
    const items = this.#items;
    for (let i = this.#head + this.#written; i < items.length; i++) {
      const command = items[i]!;
      if (command.timer !== undefined) {
        clearTimeout(command.timer);
        command.timer = undefined;
      }
      this.#written++;
      write(command.bytes);
    }
  }

  /** The oldest written command, removed: the owner of the reply just read. */
  shift(): PendingCommand | undefined {
    if (this.#written === 0) return undefined;
    const command = this.#items[this.#head]!;
    this.#items[this.#head] = undefined;
    this.#head++;
    this.#written--;
    if (this.#head >= COMPACT_AT && this.#head * 2 >= this.#items.length) {
      this.#items = this.#items.slice(this.#head);
      this.#head = 0;
    }
    return command;
  }

  /** Removes a queued (unwritten) command, e.g. one that waited too long. */
  removeQueued(command: PendingCommand): boolean {
    const start = this.#head + this.#written;
    const index = this.#items.indexOf(command, start);
    if (index < 0) return false;
    this.#items.splice(index, 1);
    return true;
  }

  /** Rejects every written command: their replies died with the link. */
  rejectWritten(error: Error): void {
    const victims = this.#items.slice(this.#head, this.#head + this.#written) as PendingCommand[];
    this.#items = this.#items.slice(this.#head + this.#written);
    this.#head = 0;
    this.#written = 0;
    for (const command of victims) command.reject(error);
  }

  /** Rejects everything, written or not. */
  rejectAll(error: Error): void {
    const victims = this.#items.slice(this.#head) as PendingCommand[];
    this.#items = [];
    this.#head = 0;
    this.#written = 0;
    for (const command of victims) {
      if (command.timer !== undefined) clearTimeout(command.timer);
      command.reject(error);
    }
  }
}
