/**
 * Every error switchyard throws extends EslError and carries a stable `code`
 * (a literal type), so callers can branch on `err.code` without `instanceof`
 * across package copies. Server replies are kept verbatim on the error.
 */

export const ErrorCode = {
  Protocol: 'ESL_ERR_PROTOCOL',
  Auth: 'ESL_ERR_AUTH',
  Command: 'ESL_ERR_COMMAND',
  Job: 'ESL_ERR_JOB',
  Timeout: 'ESL_ERR_TIMEOUT',
  Disconnected: 'ESL_ERR_DISCONNECTED',
  InvalidArgument: 'ESL_ERR_INVALID_ARG',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

export class EslError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
  override get name(): string {
    return this.constructor.name;
  }
}

/** Malformed or oversized input on the wire. The stream cannot be trusted after this. */
export class ProtocolError extends EslError {
  declare readonly code: 'ESL_ERR_PROTOCOL';
  constructor(message: string, options?: { cause?: unknown }) {
    super(ErrorCode.Protocol, message, options);
  }
}

/** Wrong password or user, or a `text/rude-rejection` (ACL refused us). */
export class AuthError extends EslError {
  declare readonly code: 'ESL_ERR_AUTH';
  /** FreeSWITCH's reply text, e.g. `-ERR invalid`. */
  readonly reply: string;
  constructor(message: string, reply: string, options?: { cause?: unknown }) {
    super(ErrorCode.Auth, message, options);
    this.reply = reply;
  }
}

/** A command or api call answered with `-ERR ...`. `reply` is FreeSWITCH's text, untouched. */
export class CommandError extends EslError {
  declare readonly code: 'ESL_ERR_COMMAND';
  readonly command: string;
  readonly reply: string;
  constructor(command: string, reply: string, options?: { cause?: unknown }) {
    super(ErrorCode.Command, `${firstWord(command)} failed: ${reply.trim()}`, options);
    this.command = command;
    this.reply = reply;
  }
}

/** A background job whose BACKGROUND_JOB body was `-ERR ...`. */
export class JobError extends EslError {
  declare readonly code: 'ESL_ERR_JOB';
  readonly jobUuid: string;
  readonly command: string;
  readonly reply: string;
  constructor(jobUuid: string, command: string, reply: string, options?: { cause?: unknown }) {
    super(ErrorCode.Job, `job ${jobUuid} (${firstWord(command)}) failed: ${reply.trim()}`, options);
    this.jobUuid = jobUuid;
    this.command = command;
    this.reply = reply;
  }
}

export class TimeoutError extends EslError {
  declare readonly code: 'ESL_ERR_TIMEOUT';
  readonly timeoutMs: number;
  constructor(message: string, timeoutMs: number, options?: { cause?: unknown }) {
    super(ErrorCode.Timeout, message, options);
    this.timeoutMs = timeoutMs;
  }
}

export type DisconnectReason =
  | 'closed' // we called close()
  | 'notice' // FreeSWITCH sent text/disconnect-notice
  | 'socket' // the socket ended or errored
  | 'silence' // no bytes within the liveness window
  | 'protocol'; // the stream became unparseable

export class DisconnectedError extends EslError {
  declare readonly code: 'ESL_ERR_DISCONNECTED';
  readonly reason: DisconnectReason;
  constructor(message: string, reason: DisconnectReason, options?: { cause?: unknown }) {
    super(ErrorCode.Disconnected, message, options);
    this.reason = reason;
  }
}

/** A caller's argument we refuse before any byte is written (e.g. CR/LF in a command). */
export class InvalidArgumentError extends EslError {
  declare readonly code: 'ESL_ERR_INVALID_ARG';
  constructor(message: string, options?: { cause?: unknown }) {
    super(ErrorCode.InvalidArgument, message, options);
  }
}

function firstWord(command: string): string {
  const s = command.trimStart();
  const i = s.indexOf(' ');
  return i < 0 ? s : s.slice(0, i);
}
