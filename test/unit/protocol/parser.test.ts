import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ProtocolError } from '../../../src/errors.js';
import { EslEvent } from '../../../src/protocol/event.js';
import type { Frame } from '../../../src/protocol/frame.js';
import { decodeHeaderValue, EslParser, MAX_BODY_BYTES, MAX_HEADER_BYTES } from '../../../src/protocol/parser.js';
import { listCaptures, readCapture } from '../../support/captures.js';
import { countByType, parseBytewise, parseSplit, view } from './frames.js';

const captures = listCaptures();

/** The frame list as the capture's .json names it: content type, then event name and subclass. */
function label(frame: Frame): string {
  if (!frame.contentType.startsWith('text/event-')) return frame.contentType;
  const ev = EslEvent.fromFrame(frame);
  return `${frame.contentType} ${ev.name}${ev.subclass === undefined ? '' : ` ${ev.subclass}`}`;
}

function parseError(fn: () => void): ProtocolError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ProtocolError);
    expect((err as ProtocolError).code).toBe('ESL_ERR_PROTOCOL');
    return err as ProtocolError;
  }
  throw new Error('expected a ProtocolError');
}

describe('EslParser on the real captures', () => {
  it('finds the thirteen scenarios', () => {
    expect(captures).toEqual([
      'auth-api',
      'auth-fail',
      'bgapi',
      'burst-hupall',
      'filters-and-log',
      'heartbeat',
      'loopback-json',
      'loopback-plain',
      'loopback-xml',
      'outbound-async-full',
      'reload-event-socket',
      'sip-call',
      'utf8-and-bodies',
    ]);
  });

  describe.each(captures)('%s', (name) => {
    const bytes = readCapture(name).in;
    const whole = parseSplit(bytes).map(view);

    it('consumes every byte into frames that match the recorded frame list', () => {
      const frames = parseSplit(bytes);
      const total = frames.reduce((n, f) => n + (f.body?.length ?? 0), 0);
      expect(total).toBeGreaterThan(0);
      const recorded = readCapture(name).meta.frames;
      if (recorded !== undefined) expect(frames.map(label)).toEqual(recorded);
    });

    it('gives identical frames and events byte by byte', () => {
      expect(parseBytewise(bytes).map(view)).toEqual(whole);
    });

    it('gives identical frames and events split at random points', () => {
      fc.assert(
        fc.property(fc.uniqueArray(fc.integer({ min: 1, max: bytes.length - 1 }), { maxLength: 40 }), (cuts) => {
          expect(parseSplit(bytes, cuts.sort((a, b) => a - b)).map(view)).toEqual(whole);
        }),
        { numRuns: name === 'burst-hupall' ? 10 : 40 },
      );
    });
  });

  it('counts frames per content type exactly', () => {
    const counts = Object.fromEntries(captures.map((n) => [n, countByType(parseSplit(readCapture(n).in))]));
    expect(counts).toEqual({
      'auth-api': { 'auth/request': 1, 'command/reply': 3, 'api/response': 5, 'text/disconnect-notice': 1 },
      'auth-fail': { 'auth/request': 1, 'command/reply': 1, 'text/disconnect-notice': 1 },
      bgapi: { 'auth/request': 1, 'command/reply': 5, 'text/event-plain': 3 },
      'burst-hupall': { 'auth/request': 1, 'command/reply': 22, 'text/event-plain': 921, 'api/response': 21 },
      'filters-and-log': {
        'auth/request': 1,
        'command/reply': 10,
        'text/event-plain': 3,
        'api/response': 2,
        'log/data': 6,
      },
      heartbeat: { 'auth/request': 1, 'command/reply': 2, 'text/event-plain': 3 },
      'loopback-json': { 'auth/request': 1, 'command/reply': 3, 'text/event-json': 56, 'api/response': 5 },
      'loopback-plain': { 'auth/request': 1, 'command/reply': 3, 'text/event-plain': 56, 'api/response': 5 },
      'loopback-xml': { 'auth/request': 1, 'command/reply': 3, 'text/event-xml': 56, 'api/response': 5 },
      'outbound-async-full': { 'command/reply': 8, 'text/event-plain': 11, 'text/disconnect-notice': 2 },
      'reload-event-socket': {
        'auth/request': 1,
        'command/reply': 2,
        'text/event-plain': 1,
        'text/disconnect-notice': 1,
      },
      'sip-call': { 'auth/request': 1, 'command/reply': 3, 'text/event-plain': 60, 'api/response': 4 },
      'utf8-and-bodies': { 'auth/request': 1, 'command/reply': 5, 'text/event-plain': 53, 'api/response': 3 },
    });
  });
});

describe('EslParser exact frames', () => {
  it('splits api responses by byte count, including a body with no trailing newline (global_getvar)', () => {
    const frames = parseSplit(readCapture('auth-api').in);
    const api = frames.filter((f) => f.contentType === 'api/response').map((f) => f.body!.toString('utf8'));
    expect(api.slice(1)).toEqual([
      'FreeSWITCH Version 1.11.1-release~64bit ( 64bit)\n',
      '-ERR no_such_command Command not found!\n',
      '{"row_count": 0}\n',
      'vm',
    ]);
    expect(api[0]).toMatch(/^UP 0 years, 0 days, 0 hours, 12 minutes/);
    expect(Buffer.byteLength(api[0]!)).toBe(348);
    // The frame straight after `vm` is the reply to the unknown command.
    const afterVm = frames[frames.findIndex((f) => f.body?.toString() === 'vm') + 1]!;
    expect(afterVm.headers).toEqual({ 'Content-Type': 'command/reply', 'Reply-Text': '-ERR command not found' });
    expect(afterVm.body).toBeUndefined();
    expect(frames.at(-1)!.contentType).toBe('text/disconnect-notice');
    expect(frames.at(-1)!.body!.toString()).toBe('Disconnected, goodbye.\nSee you at ClueCon! http://www.cluecon.com/\n');
  });

  it('keeps outer headers verbatim and decodes them on request (outbound connect reply)', () => {
    const frames = parseSplit(readCapture('outbound-async-full').in);
    const connect = frames[0]!;
    expect(connect.contentType).toBe('command/reply');
    expect(connect.headers['Reply-Text']).toBe('%2BOK%0A');
    expect(decodeHeaderValue(connect.headers['Reply-Text']!)).toBe('+OK\n');
    expect(connect.headers['Socket-Mode']).toBe('async');
    expect(connect.headers['Event-Name']).toBe('CHANNEL_DATA');
    expect(connect.headers.variable_current_application_data).toBe('127.0.0.1%3A8084%20async%20full');
    expect(decodeHeaderValue(connect.headers.variable_current_application_data!)).toBe('127.0.0.1:8084 async full');
    const linger = frames.find((f) => f.headers['Content-Disposition'] === 'linger')!;
    expect(linger.headers['Content-Length']).toBe('0');
    expect(linger.body).toEqual(Buffer.alloc(0));
    const bye = frames.at(-1)!;
    expect(bye.headers['Content-Disposition']).toBe('disconnect');
    expect(bye.body!.length).toBe(67);
  });

  it('parses log/data frames with their headers and text', () => {
    const logs = parseSplit(readCapture('filters-and-log').in).filter((f) => f.contentType === 'log/data');
    expect(logs).toHaveLength(6);
    const kill = logs.find((f) => f.headers['Log-Func'] === 'switch_ivr_kill_uuid')!;
    expect(kill.headers).toEqual({
      'Content-Type': 'log/data',
      'Content-Length': '121',
      'Log-Level': '5',
      'Text-Channel': '0',
      'Log-File': 'switch_ivr.c',
      'Log-Func': 'switch_ivr_kill_uuid',
      'Log-Line': '4404',
      'User-Data': 'cd99ee40-7bfd-47bc-a167-8ca6cc4ad4d1',
    });
    expect(kill.body!.toString()).toBe(
      '2026-11-23 22:23:33.503911 96.23% [NOTICE] switch_ivr.c:4404 Hangup loopback/park-a [CS_CONSUME_MEDIA] [NORMAL_CLEARING]\n',
    );
  });

  it('returns a zero-copy view when the body lies in one chunk, and one exact-size copy when it spans chunks', () => {
    const bytes = Buffer.from('Content-Type: api/response\nContent-Length: 5\n\nhello');
    const one = parseSplit(bytes)[0]!;
    const split = parseSplit(bytes, [bytes.length - 2])[0]!;
    expect(split.body!.toString()).toBe('hello');
    expect(split.body!.length).toBe(5);
    // Writing into the chunk shows through the zero-copy body only.
    bytes[bytes.length - 1] = 0x21;
    expect(one.body!.toString()).toBe('hell!');
    expect(split.body!.toString()).toBe('hello');
  });

  it('finds a blank line split across chunks, and bodies split inside a UTF-8 character', () => {
    const body = 'caf\u00e9 \u260e';
    const bytes = Buffer.from(`Content-Type: api/response\nContent-Length: ${Buffer.byteLength(body)}\n\n${body}`);
    const blank = bytes.indexOf('\n\n');
    for (const cuts of [[blank + 1], [blank, blank + 1], [bytes.length - 2], [bytes.length - 1]]) {
      const frames = parseSplit(bytes, cuts);
      expect(frames).toHaveLength(1);
      expect(frames[0]!.body!.toString('utf8')).toBe(body);
    }
  });

  it('accepts plain Uint8Array chunks', () => {
    const frames: Frame[] = [];
    new EslParser((f) => frames.push(f)).write(new TextEncoder().encode('Content-Type: auth/request\n\n'));
    expect(frames).toEqual([{ contentType: 'auth/request', headers: { 'Content-Type': 'auth/request' }, body: undefined }]);
  });

  it('keeps a header named __proto__ as data', () => {
    const [frame] = parseSplit(Buffer.from('Content-Type: command/reply\n__proto__: x\n\n'));
    expect(Object.getPrototypeOf(frame!.headers)).toBe(Object.prototype);
    expect(Object.entries(frame!.headers)).toEqual([
      ['Content-Type', 'command/reply'],
      ['__proto__', 'x'],
    ]);
  });

  it('keeps the rest of a chunk when the sink throws, and goes on at the next write', () => {
    const seen: string[] = [];
    let throwOnce = true;
    const parser = new EslParser((f) => {
      seen.push(f.headers['Reply-Text']!);
      if (throwOnce) {
        throwOnce = false;
        throw new Error('sink failed');
      }
    });
    const reply = (t: string): string => `Content-Type: command/reply\nReply-Text: ${t}\n\n`;
    expect(() => parser.write(Buffer.from(reply('a') + reply('b')))).toThrow('sink failed');
    parser.write(Buffer.from(reply('c')));
    expect(seen).toEqual(['a', 'b', 'c']);
  });
});

describe('EslParser refuses malformed input with ProtocolError', () => {
  const cases: Array<[string, string]> = [
    ['a header line without ": "', 'Content-Type: command/reply\nReply-Text+OK\n\n'],
    ['a header line with an empty name', 'Content-Type: command/reply\n: x\n\n'],
    ['a non-numeric Content-Length', 'Content-Type: api/response\nContent-Length: 12a\n\n'],
    ['a negative Content-Length', 'Content-Type: api/response\nContent-Length: -1\n\n'],
    ['an empty Content-Length', 'Content-Type: api/response\nContent-Length: \n\n'],
    ['a stray empty line before a frame', '\nContent-Type: auth/request\n\n'],
    ['a stray empty line between frames', 'Content-Type: auth/request\n\n\nContent-Type: auth/request\n\n'],
  ];
  it.each(cases)('%s', (_what, input) => {
    const err = parseError(() => parseSplit(Buffer.from(input)));
    expect(err.message.length).toBeGreaterThan(10);
    // Byte by byte too: the same input is refused however it is cut.
    parseError(() => parseBytewise(Buffer.from(input)));
  });

  it('a stray empty line between frames is refused even when FreeSWITCH-looking frames surround it', () => {
    const frames: Frame[] = [];
    const parser = new EslParser((f) => frames.push(f));
    parser.write(Buffer.from('Content-Type: auth/request\n\n'));
    parseError(() => parser.write(Buffer.from('\n')));
    expect(frames).toHaveLength(1);
  });

  it('stays failed until reset(), then parses a new stream', () => {
    const frames: Frame[] = [];
    const parser = new EslParser((f) => frames.push(f));
    parseError(() => parser.write(Buffer.from('garbage\n\n')));
    const again = parseError(() => parser.write(Buffer.from('Content-Type: auth/request\n\n')));
    expect(again.message).toMatch(/reset\(\)/);
    parser.reset();
    parser.write(Buffer.from('Content-Type: auth/request\n\n'));
    expect(frames.map((f) => f.contentType)).toEqual(['auth/request']);
  });

  it('reset() drops a partial frame', () => {
    const frames: Frame[] = [];
    const parser = new EslParser((f) => frames.push(f));
    parser.write(Buffer.from('Content-Type: api/response\nContent-Length: 10\n\nabc'));
    parser.reset();
    parser.write(Buffer.from('Content-Type: auth/request\n\n'));
    expect(frames).toEqual([{ contentType: 'auth/request', headers: { 'Content-Type': 'auth/request' }, body: undefined }]);
  });

  it(`refuses a header block over ${MAX_HEADER_BYTES} bytes while it streams in, keeping no copy`, () => {
    const parser = new EslParser(() => {
      throw new Error('no frame expected');
    });
    const line = Buffer.from(`X-Filler: ${'a'.repeat(1013)}\n`); // 1 KiB
    const chunk = Buffer.concat(Array.from({ length: 64 }, () => line)); // 64 KiB, no blank line
    let written = 0;
    const err = parseError(() => {
      for (;;) {
        parser.write(chunk);
        written += chunk.length;
      }
    });
    expect(err.message).toMatch(/header block exceeds 10485760 bytes/);
    expect(written).toBe(MAX_HEADER_BYTES);
  });

  it(`refuses a Content-Length over ${MAX_BODY_BYTES} before any body byte arrives`, () => {
    const err = parseError(() =>
      parseSplit(Buffer.from(`Content-Type: api/response\nContent-Length: ${MAX_BODY_BYTES + 1}\n\n`)),
    );
    expect(err.message).toBe('Content-Length 16777217 exceeds 16777216 bytes');
    // Exactly the limit is allowed: the parser waits for the body.
    const frames = parseSplit(Buffer.from(`Content-Type: api/response\nContent-Length: ${MAX_BODY_BYTES}\n\n`));
    expect(frames).toEqual([]);
  });
});
