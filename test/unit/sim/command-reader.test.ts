/**
 * CommandReader: client commands as mod_event_socket.c read_packet() reads
 * them, whatever the chunking (whole, byte by byte, random splits).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type ClientCommand, CommandReader, MAX_COMMAND_BYTES } from '../../../src/sim/command-reader.js';

function readAll(chunks: Uint8Array[]): ClientCommand[] {
  const out: ClientCommand[] = [];
  const reader = new CommandReader((c) => out.push(c));
  for (const chunk of chunks) reader.write(chunk);
  return out;
}

const body = 'switchyard_body=from body ✓';
const wire = Buffer.from(
  [
    'auth ClueCon\n\n',
    '\n\r\nevent plain ALL\n\n',
    `sendmsg abc\ncall-command: execute\nexecute-app-name: set\ncontent-type: text/plain\ncontent-length: ${Buffer.byteLength(body)}\n\n${body}`,
    'bgapi status\r\nJob-UUID: 1234\r\n\r\n',
    'api version\n\n',
  ].join(''),
);

const expected = [
  { line: 'auth ClueCon', headers: [], body: undefined },
  { line: 'event plain ALL', headers: [], body: undefined },
  {
    line: 'sendmsg abc',
    headers: [
      ['call-command', 'execute'],
      ['execute-app-name', 'set'],
      ['content-type', 'text/plain'],
      ['content-length', String(Buffer.byteLength(body))],
    ],
    body: Buffer.from(body),
  },
  { line: 'bgapi status', headers: [['Job-UUID', '1234']], body: undefined },
  { line: 'api version', headers: [], body: undefined },
];

describe('CommandReader', () => {
  it('reads commands, headers and a content-length body from one chunk', () => {
    expect(readAll([wire])).toEqual(expected);
  });

  it('reads the same byte by byte', () => {
    expect(readAll([...wire].map((b) => Uint8Array.of(b)))).toEqual(expected);
  });

  it('reads the same split at random points', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: wire.length - 1 }), { maxLength: 12 }), (cuts) => {
        const points = [...new Set(cuts)].sort((a, b) => a - b);
        const chunks: Uint8Array[] = [];
        let from = 0;
        for (const p of points) {
          chunks.push(wire.subarray(from, p));
          from = p;
        }
        chunks.push(wire.subarray(from));
        expect(readAll(chunks)).toEqual(expected);
      }),
    );
  });

  it('keeps a body split inside a multi-byte character intact', () => {
    const text = 'sendevent CUSTOM\ncontent-length: 4\n\n☎x';
    const bytes = Buffer.from(text);
    const split = bytes.indexOf(Buffer.from('☎')) + 1;
    const [cmd] = readAll([bytes.subarray(0, split), bytes.subarray(split)]);
    expect(cmd?.body?.toString('utf8')).toBe('☎x');
  });

  it('skips lines without a name or a colon, as read_packet does', () => {
    const [cmd] = readAll([Buffer.from('api status\nno colon\n: nameless\nName:  spaced\n\n')]);
    expect(cmd).toEqual({ line: 'api status', headers: [['Name', 'spaced']], body: undefined });
  });

  it('waits for the whole body before emitting the command', () => {
    const out: ClientCommand[] = [];
    const reader = new CommandReader((c) => out.push(c));
    reader.write(Buffer.from('sendevent CUSTOM\ncontent-length: 10\n\n12345'));
    expect(out).toEqual([]);
    reader.write(Buffer.from('67890api version\n\n'));
    expect(out.map((c) => c.body?.toString() ?? c.line)).toEqual(['1234567890', 'api version']);
  });

  it('takes a header block that reaches the 10 MB limit without its empty line as ended', () => {
    const out: ClientCommand[] = [];
    const reader = new CommandReader((c) => out.push(c));
    const block = Buffer.alloc(MAX_COMMAND_BYTES, 0x61);
    reader.write(block);
    expect(out).toHaveLength(1);
    expect(out[0]!.line.length).toBe(MAX_COMMAND_BYTES);
    expect(reader.buffered).toBe(0);
  });
});
