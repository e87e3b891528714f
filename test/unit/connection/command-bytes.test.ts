import { describe, expect, it } from 'vitest';
import { checkCommandBytes, replyText } from '../../../src/connection/command-bytes.js';
import { describeCommand, redactCommandLine } from '../../../src/connection/redact.js';
import { InvalidArgumentError } from '../../../src/errors.js';

describe('checkCommandBytes', () => {
  it('terminates a one-line string command', () => {
    expect(checkCommandBytes('api status').toString()).toBe('api status\n\n');
  });

  it.each(['api status\r\nauth x', 'api status\nexit', 'api status\n', '   ', ''])('refuses the string %j', (s) => {
    expect(() => checkCommandBytes(s)).toThrow(InvalidArgumentError);
  });

  it('accepts exactly one command as a Buffer, with or without a body', () => {
    const plain = Buffer.from('sendmsg u1\ncall-command: hangup\n\n');
    expect(checkCommandBytes(plain)).toBe(plain);
    const withBody = Buffer.from('sendmsg u1\ncall-command: execute\ncontent-length: 5\n\nhello');
    expect(checkCommandBytes(withBody)).toBe(withBody);
    const trailing = Buffer.from('sendmsg u1\nContent-Length: 5\n\nhello\n\n');
    expect(checkCommandBytes(trailing)).toBe(trailing);
  });

  it.each([
    ['no blank line', 'api status\n'],
    ['two commands', 'api status\n\nexit\n\n'],
    ['a CR that FreeSWITCH would read as a line end', 'api status\n\r\nexit\n\n'],
    ['a short body', 'sendmsg\ncontent-length: 10\n\nabc'],
    ['bytes after the body', 'sendmsg\ncontent-length: 3\n\nabcexit\n\n'],
    ['a bad length', 'sendmsg\ncontent-length: x\n\nabc'],
    ['an empty head', '\n\n'],
  ])('refuses a Buffer with %s', (_what, text) => {
    expect(() => checkCommandBytes(Buffer.from(text))).toThrow(InvalidArgumentError);
  });
});

describe('replyText', () => {
  it('reads Reply-Text of a command/reply and the body of an api/response', () => {
    expect(replyText({ contentType: 'command/reply', headers: { 'Reply-Text': '-ERR invalid' }, body: undefined })).toBe('-ERR invalid');
    expect(replyText({ contentType: 'api/response', headers: {}, body: Buffer.from('+OK\n') })).toBe('+OK\n');
    expect(replyText({ contentType: 'command/reply', headers: {}, body: undefined })).toBe('');
  });
});

describe('redaction', () => {
  it('hides the secret of auth and userauth and leaves other commands alone', () => {
    expect(describeCommand(Buffer.from('auth ClueCon\n\n'))).toBe('auth ***');
    expect(describeCommand(Buffer.from('userauth 1000@example.com:s3cret\n\n'))).toBe('userauth 1000@example.com:***');
    expect(redactCommandLine('USERAUTH nocolon')).toBe('userauth ***');
    expect(describeCommand(Buffer.from('bgapi originate x\nJob-UUID: j\n\n'))).toBe('bgapi originate x');
  });
});
