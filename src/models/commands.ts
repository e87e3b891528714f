/**
 * The command path a Session controls its channel through. Over an inbound
 * connection it is the Client's command connection; over an outbound socket
 * (mod_event_socket.c `socket` application) the session's own socket. Either
 * way only two ESL commands are needed: `api` and `sendmsg`.
 */

import type { Logger } from 'pino';
import { CommandError } from '../errors.js';

export interface SessionCommands {
  /** `api <command>`: FreeSWITCH's response body as written (`-ERR ...` is returned, not thrown). */
  api(command: string): Promise<string>;
  /** `sendmsg <uuid>` with these headers; resolves with the Reply-Text, rejects on `-ERR`. */
  sendmsg(uuid: string | undefined, headers: Readonly<Record<string, string>>, body?: string): Promise<string>;
}

/**
 * What every session of one listener shares (one object, so a session costs
 * a pointer, not a copy).
 */
export interface SessionContext {
  /** Unset until a Client (or an outbound socket) provides one. */
  commands: SessionCommands | undefined;
  readonly logger: Logger;
  /** Asks for an event a waiter needs but nobody subscribed to yet. */
  readonly wantEvent?: (name: string) => void;
}

/** `api` that throws CommandError on FreeSWITCH's `-ERR`/`-USAGE` replies. */
export async function apiOk(commands: SessionCommands, command: string): Promise<string> {
  const reply = await commands.api(command);
  if (reply.startsWith('-ERR') || reply.startsWith('-USAGE')) throw new CommandError(command, reply);
  return reply;
}
