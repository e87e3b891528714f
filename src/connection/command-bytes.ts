/**
 * Checks that what a caller hands to `send()` is exactly one command, so the
 * FIFO reply count cannot be fooled: mod_event_socket.c read_packet() ends a
 * command at the second `\n` (a `\r` between them does not break the count),
 * then reads `Content-Length` bytes of body if that header is present, and
 * skips stray CR/LF before the next command.
 */

import { InvalidArgumentError } from '../errors.js';
import type { Frame } from '../protocol/frame.js';
import { ContentType, Header } from '../protocol/names.js';

const LF = 0x0a;
const CR = 0x0d;

export function checkCommandBytes(command: Buffer | string): Buffer {
  if (typeof command === 'string') {
    if (/[\r\n]/.test(command)) {
      throw new InvalidArgumentError('a command string must be one line without CR or LF (pass a Buffer for a multi-line command)');
    }
    if (command.trim() === '') throw new InvalidArgumentError('empty command');
    return Buffer.from(`${command}\n\n`, 'utf8');
  }
  const end = command.indexOf('\n\n');
  if (end < 0) throw new InvalidArgumentError('a command must end with a blank line (\\n\\n)');
  const head = command.subarray(0, end);
  if (head.includes(CR)) throw new InvalidArgumentError('CR in a command header block is refused (FreeSWITCH would end the command there)');
  if (head.length === 0 || head[0] === LF) throw new InvalidArgumentError('empty command');
  const afterHead = end + 2;
  if (afterHead === command.length) return command;
  const length = contentLength(head.toString('latin1'));
  if (length === undefined) throw new InvalidArgumentError('a command buffer must hold exactly one command (bytes follow its blank line without a Content-Length)');
  const tail = afterHead + length;
  if (tail > command.length) throw new InvalidArgumentError(`Content-Length ${length} exceeds the ${command.length - afterHead} body bytes given`);
  for (let i = tail; i < command.length; i++) {
    if (command[i] !== LF && command[i] !== CR) throw new InvalidArgumentError('a command buffer must hold exactly one command (bytes follow its body)');
  }
  return command;
}

function contentLength(head: string): number | undefined {
  for (const line of head.split('\n')) {
    const colon = line.indexOf(':');
    if (colon < 0 || line.slice(0, colon).trim().toLowerCase() !== 'content-length') continue;
    const text = line.slice(colon + 1).trim();
    if (!/^\d+$/.test(text)) throw new InvalidArgumentError(`bad Content-Length in command: ${text}`);
    return Number(text);
  }
  return undefined;
}

/** A reply's text: `Reply-Text` of a command/reply, the body of an api/response. */
export function replyText(frame: Frame): string {
  if (frame.contentType === ContentType.ApiResponse) return frame.body?.toString('utf8') ?? '';
  return frame.headers[Header.ReplyText] ?? '';
}
