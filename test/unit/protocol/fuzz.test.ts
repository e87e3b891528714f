/**
 * Property and mutation tests of the codec: random valid frames and events
 * survive serialize -> parse at random splits; mutated real frames give only
 * frames, events or ProtocolErrors, never another exception or a hang.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ProtocolError } from '../../../src/errors.js';
import { EslEvent } from '../../../src/protocol/event.js';
import type { Frame } from '../../../src/protocol/frame.js';
import type { EventFormat } from '../../../src/protocol/names.js';
import { EslParser } from '../../../src/protocol/parser.js';
import { serializeEvent, serializeFrame } from '../../../src/protocol/serialize.js';
import { listCaptures, readCapture } from '../../support/captures.js';
import { parseSplit } from './frames.js';

/** Text without CR/LF; valid code points only (a lone surrogate cannot be UTF-8). */
const lineText = fc.string({ unit: 'binary', maxLength: 40 }).map((s) => s.replace(/[\r\n]/g, ' '));
const headerName = fc.stringMatching(/^[A-Za-z][A-Za-z0-9_-]{0,20}$/);
/** Bytes that look like framing, mixed with random ones. */
const trickyBody = fc
  .array(
    fc.oneof(
      fc.constantFrom('\n\n', '\n', 'Content-Length: 99\n\n', 'Content-Type: api/response\n', '%41', '\u00e9', '\u260e'),
      fc.string({ unit: 'binary', maxLength: 20 }),
    ),
    { maxLength: 12 },
  )
  .map((parts) => parts.join(''));

const outerFrame = fc.record({
  contentType: fc.constantFrom('command/reply', 'api/response', 'log/data', 'text/disconnect-notice', 'x/custom'),
  headers: fc.uniqueArray(fc.tuple(headerName, lineText), {
    maxLength: 6,
    selector: ([n]) => n.toLowerCase(),
  }),
  body: fc.option(fc.oneof(trickyBody.map((s) => Buffer.from(s, 'utf8')), fc.uint8Array({ maxLength: 64 }).map(Buffer.from)), {
    nil: undefined,
  }),
});

const cutsFor = (length: number) => fc.uniqueArray(fc.integer({ min: 1, max: Math.max(1, length - 1) }), { maxLength: 12 });

describe('random valid frames round-trip through serializeFrame and EslParser', () => {
  it('at random split points', () => {
    fc.assert(
      fc.property(fc.array(outerFrame, { minLength: 1, maxLength: 5 }), fc.integer(), (frames, seed) => {
        const wanted = frames.map((f) => {
          const headers: Record<string, string> = { 'Content-Type': f.contentType };
          for (const [n, v] of f.headers) if (n !== 'Content-Type' && n !== 'Content-Length') headers[n] = v;
          return { headers, body: f.body };
        });
        const bytes = Buffer.concat(wanted.map((w) => serializeFrame(w.headers, w.body)));
        const cuts = fc.sample(cutsFor(bytes.length), { seed, numRuns: 1 })[0]!.sort((a, b) => a - b);
        const got = parseSplit(bytes, cuts);
        expect(got).toHaveLength(wanted.length);
        got.forEach((frame, i) => {
          const w = wanted[i]!;
          const expectedHeaders =
            w.body === undefined ? w.headers : { ...w.headers, 'Content-Length': String(w.body.length) };
          expect(frame.headers).toEqual(expectedHeaders);
          expect(frame.contentType).toBe(w.headers['Content-Type']);
          expect(frame.body === undefined ? undefined : Buffer.from(frame.body)).toEqual(w.body);
        });
      }),
      { numRuns: 300 },
    );
  });
});

describe('random events round-trip through serializeEvent, EslParser and EslEvent', () => {
  // FreeSWITCH neither double-encodes `%XX` nor keeps empty values (`_undef_`),
  // and writes arrays as repeated xml elements: such values are not generated.
  const value = fc
    .string({ unit: 'binary', maxLength: 30 })
    .filter((v) => v !== '' && !/%[0-9A-F]{2}/.test(v) && !v.startsWith('ARRAY::'));
  const eventArb = fc.record({
    format: fc.constantFrom<EventFormat>('plain', 'json', 'xml'),
    name: fc.stringMatching(/^[A-Z][A-Z_]{0,15}$/),
    headers: fc.array(fc.tuple(headerName, value), { maxLength: 10 }),
    body: fc.option(trickyBody.map((b) => b.replace(/\0/g, '')), { nil: undefined }),
  });

  it('keeps every header (repeats included) and the body', () => {
    fc.assert(
      fc.property(fc.array(eventArb, { minLength: 1, maxLength: 4 }), fc.integer(), (list, seed) => {
        const entries = list.map((e) =>
          [['Event-Name', e.name] as [string, string]].concat(
            e.headers.filter(([n]) => n.toLowerCase() !== 'content-length'),
          ),
        );
        const bytes = Buffer.concat(list.map((e, i) => serializeEvent(e.format, entries[i]!, e.body)));
        const cuts = fc.sample(cutsFor(bytes.length), { seed, numRuns: 1 })[0]!.sort((a, b) => a - b);
        const events = parseSplit(bytes, cuts).map((f) => EslEvent.fromFrame(f));
        expect(events).toHaveLength(list.length);
        events.forEach((ev, i) => {
          const e = list[i]!;
          expect(ev.format).toBe(e.format);
          expect(ev.entries()).toEqual(entries[i]);
          // An empty body is not written in plain and xml (switch_event_serialize, switch_event_xmlize).
          const body = e.body === '' && e.format !== 'json' ? undefined : e.body;
          expect(ev.body).toBe(body);
          expect(ev.name).toBe(entries[i]!.findLast(([n]) => n.toLowerCase() === 'event-name')![1]);
        });
      }),
      { numRuns: 300 },
    );
  });
});

/** Deterministic PRNG (xorshift32) so a failure can be replayed from its seed. */
function rng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x / 0x100000000;
  };
}

/** The bytes of every frame of every capture, as they were on the wire. */
function captureFrames(): Buffer[] {
  const out: Buffer[] = [];
  for (const name of listCaptures()) {
    const bytes = readCapture(name).in;
    let at = 0;
    const parser = new EslParser((f) => {
      const next = bytes.indexOf('\n\n', at) + 2 + (f.body?.length ?? 0);
      out.push(bytes.subarray(at, next));
      at = next;
    });
    parser.write(bytes);
  }
  return out;
}

function mutate(frame: Buffer, rand: () => number): Buffer {
  const pick = (n: number): number => Math.floor(rand() * n);
  const copy = Buffer.from(frame);
  switch (pick(5)) {
    case 0: {
      const flips = 1 + pick(4);
      for (let i = 0; i < flips; i++) copy[pick(copy.length)]! ^= 1 << pick(8);
      return copy;
    }
    case 1:
      return copy.subarray(0, pick(copy.length));
    case 2: {
      const at = pick(copy.length + 1);
      const junk = [
        Buffer.from('\n'),
        Buffer.from('\n\n'),
        Buffer.from(': '),
        Buffer.from('%'),
        Buffer.from([0xff, 0xfe, 0x00]),
        Buffer.from('Content-Length: 5\n'),
      ][pick(6)]!;
      return Buffer.concat([copy.subarray(0, at), junk, copy.subarray(at)]);
    }
    case 3: {
      const absurd = ['99999999999', '-5', '1e3', '', '0x10', '16777217', String(pick(1 << 20)), ' 7', '007'][pick(9)]!;
      return Buffer.from(copy.toString('latin1').replace(/Content-Length: \d+/, `Content-Length: ${absurd}`), 'latin1');
    }
    default: {
      // Corrupt the inner event body in its own structure.
      const text = copy.toString('latin1');
      const i = text.indexOf('\n\n');
      const inner = text.slice(i + 2).replace(/[:<>{}"\n]/, () => '#');
      return Buffer.from(text.slice(0, i + 2) + inner, 'latin1');
    }
  }
}

describe('mutated capture frames', () => {
  it('give only frames, events or ProtocolErrors (100,000 mutations)', () => {
    const frames = captureFrames();
    expect(frames).toHaveLength(1366);
    expect(Buffer.concat(frames).equals(Buffer.concat(listCaptures().map((n) => readCapture(n).in)))).toBe(true);
    const seed = 0x5eed;
    const rand = rng(seed);
    const outcomes = { frames: 0, events: 0, protocolErrors: 0 };
    for (let i = 0; i < 100_000; i++) {
      const bytes = mutate(frames[Math.floor(rand() * frames.length)]!, rand);
      try {
        const parser = new EslParser((f: Frame) => {
          outcomes.frames++;
          if (!f.contentType.startsWith('text/event-')) return;
          const ev = EslEvent.fromFrame(f);
          ev.get('Unique-ID');
          ev.headers();
          void ev.body;
          outcomes.events++;
        });
        parser.write(bytes);
        // A valid frame may follow a mutated one: the stream must stay usable or fail typed.
        parser.write(Buffer.from('Content-Type: auth/request\n\n'));
      } catch (err) {
        if (!(err instanceof ProtocolError)) {
          throw new Error(`mutation #${i} (seed ${seed}) threw ${String(err)}: ${JSON.stringify(bytes.toString('latin1').slice(0, 300))}`);
        }
        outcomes.protocolErrors++;
      }
    }
    expect(outcomes.protocolErrors).toBeGreaterThan(10_000);
    expect(outcomes.events).toBeGreaterThan(10_000);
  });
});
