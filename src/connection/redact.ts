/**
 * A printable name for an encoded command: its first line, with the secret of
 * `auth` / `userauth` replaced. Everything that logs a command or puts it in an
 * error goes through here, so the password cannot reach a log line.
 */

const NEWLINE = 0x0a;
const MAX_LENGTH = 200;

export function describeCommand(bytes: Buffer): string {
  let end = bytes.indexOf(NEWLINE);
  if (end < 0) end = bytes.length;
  const line = bytes.toString('utf8', 0, Math.min(end, MAX_LENGTH));
  return redactCommandLine(line);
}

export function redactCommandLine(line: string): string {
  const trimmed = line.trimStart();
  const space = trimmed.indexOf(' ');
  const verb = (space < 0 ? trimmed : trimmed.slice(0, space)).toLowerCase();
  if (verb === 'auth') return 'auth ***';
  if (verb === 'userauth') {
    // userauth user@domain:password -> keep who, hide the secret
    const who = trimmed.slice(space + 1);
    const colon = who.indexOf(':');
    return `userauth ${colon < 0 ? '***' : `${who.slice(0, colon)}:***`}`;
  }
  return line;
}
