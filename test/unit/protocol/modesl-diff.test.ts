/**
 * Differential test against modesl's parser (node_modules/modesl/lib/esl/Parser.js),
 * driven directly through a fake socket with its own Event objects. On every
 * capture both must agree on every frame, event name, header value and body,
 * except where modesl is wrong; each such difference is classified below with
 * why ours is right, and the exact count of each kind is asserted.
 */
import { EventEmitter } from 'node:events';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { EslEvent } from '../../../src/protocol/event.js';
import { decodeHeaderValue } from '../../../src/protocol/parser.js';
import { listCaptures, readCapture } from '../../support/captures.js';
import { parseSplit } from './frames.js';

interface ModeslEvent {
  type: string;
  body: string;
  headers: Array<{ name: string; value: unknown }>;
  getHeader(name: string): unknown;
}

const require = createRequire(import.meta.url);
const ModeslParser = require('modesl/lib/esl/Parser.js') as new (socket: EventEmitter) => EventEmitter;

function modeslParse(bytes: Buffer): ModeslEvent[] {
  const socket = new EventEmitter();
  const out: ModeslEvent[] = [];
  const parser = new ModeslParser(socket);
  parser.on('esl::event', (ev: ModeslEvent) => out.push(ev));
  socket.emit('data', bytes);
  return out;
}

/**
 * Kinds of difference, each a modesl bug or a deliberate choice of ours:
 * - xml-value-still-encoded: FreeSWITCH url-encodes event-xml values
 *   (switch_event.c add_xml_header); modesl hands them out encoded.
 * - xml-repeated-as-array: a repeated header becomes an array in modesl
 *   (xml2js); FreeSWITCH appended the newer value last, which we return.
 * - xml-body-lost: modesl looks for Content-Length inside <headers>, but
 *   FreeSWITCH puts it beside them, so modesl never sees an xml event's body.
 * - body-framing-as-header: the `Content-Length` line that frames an event's
 *   own body is framing, not an event header; modesl lists it (as a number).
 * - reply-helper-header: modesl invents `Modesl-Reply-OK`/`-ERR` headers.
 * - outer-value-decoded: modesl runs decodeURIComponent over outer headers;
 *   FreeSWITCH sends the outer block verbatim (only the outbound connect
 *   reply is encoded, and callers decode it with decodeHeaderValue).
 */
type Kind =
  | 'xml-value-still-encoded'
  | 'xml-repeated-as-array'
  | 'xml-body-lost'
  | 'body-framing-as-header'
  | 'reply-helper-header'
  | 'outer-value-decoded';

function differences(name: string): Partial<Record<Kind, number>> {
  const bytes = readCapture(name).in;
  const ours = parseSplit(bytes);
  const theirs = modeslParse(bytes);
  expect(theirs).toHaveLength(ours.length);
  const kinds: Partial<Record<Kind, number>> = {};
  const add = (kind: Kind): void => {
    kinds[kind] = (kinds[kind] ?? 0) + 1;
  };
  ours.forEach((frame, i) => {
    const them = theirs[i]!;
    if (!frame.contentType.startsWith('text/event-')) {
      for (const [h, v] of Object.entries(frame.headers)) {
        const tv = String(them.getHeader(h));
        if (tv === v) continue;
        expect(tv).toBe(decodeHeaderValue(v));
        add('outer-value-decoded');
      }
      for (const th of them.headers) {
        if (th.name in frame.headers) continue;
        expect(th.name).toMatch(/^Modesl-Reply-(OK|ERR)$/);
        add('reply-helper-header');
      }
      expect(them.body ?? '').toBe(frame.body?.toString('utf8') ?? '');
      return;
    }
    const ev = EslEvent.fromFrame(frame);
    const names = new Set(ev.entries().map(([n]) => n));
    for (const h of names) {
      const mine = ev.get(h)!;
      const tv = them.getHeader(h);
      if (tv === mine) continue;
      if (ev.format === 'xml' && Array.isArray(tv)) {
        expect(decodeHeaderValue(String(tv.at(-1)))).toBe(mine);
        add('xml-repeated-as-array');
      } else {
        expect(ev.format).toBe('xml');
        expect(decodeHeaderValue(String(tv))).toBe(mine);
        add('xml-value-still-encoded');
      }
    }
    for (const th of them.headers) {
      if (names.has(th.name)) continue;
      expect(th.name).toBe('Content-Length');
      expect(th.value).toBe(Buffer.byteLength(ev.body ?? ''));
      add('body-framing-as-header');
    }
    const name = ev.format === 'xml' && Array.isArray(them.type) ? them.type.at(-1) : them.type;
    expect(name).toBe(ev.name);
    if (them.body !== (ev.body ?? '')) {
      expect([ev.format, them.body]).toEqual(['xml', '']);
      add('xml-body-lost');
    }
  });
  return kinds;
}

describe('EslParser + EslEvent against modesl on the captures', () => {
  const table = Object.fromEntries(listCaptures().map((n) => [n, differences(n)]));

  it('agrees everywhere but in these classified differences', () => {
    expect(table).toEqual({
      'auth-api': { 'reply-helper-header': 3 },
      'auth-fail': { 'reply-helper-header': 1 },
      bgapi: { 'reply-helper-header': 5, 'body-framing-as-header': 3 },
      'burst-hupall': { 'reply-helper-header': 22, 'body-framing-as-header': 20 },
      'filters-and-log': { 'reply-helper-header': 10, 'body-framing-as-header': 1 },
      heartbeat: { 'reply-helper-header': 2 },
      'loopback-json': { 'reply-helper-header': 3, 'body-framing-as-header': 1 },
      'loopback-plain': { 'reply-helper-header': 3, 'body-framing-as-header': 1 },
      'loopback-xml': {
        'reply-helper-header': 3,
        'xml-body-lost': 1,
        'xml-repeated-as-array': 19,
        'xml-value-still-encoded': 260,
      },
      'outbound-async-full': { 'outer-value-decoded': 7, 'reply-helper-header': 8 },
      'reload-event-socket': { 'reply-helper-header': 2 },
      'sip-call': { 'reply-helper-header': 3, 'body-framing-as-header': 1 },
      'utf8-and-bodies': { 'reply-helper-header': 5, 'body-framing-as-header': 3 },
    });
  });
});

describe('where modesl breaks on input FreeSWITCH can send', () => {
  const event = (plain: string): Buffer => {
    const body = Buffer.from(plain, 'utf8');
    return Buffer.concat([Buffer.from(`Content-Length: ${body.length}\nContent-Type: text/event-plain\n\n`), body]);
  };

  it('a literal % in a value (FreeSWITCH does not double-encode): modesl throws, ours keeps it', () => {
    const bytes = event('Event-Name: CUSTOM\nProgress: 100%\n\n');
    expect(() => modeslParse(bytes)).toThrow(URIError);
    expect(EslEvent.fromFrame(parseSplit(bytes)[0]!).get('Progress')).toBe('100%');
  });

  it('percent-encoded bytes that are not UTF-8: modesl throws, ours gives U+FFFD', () => {
    const bytes = event('Event-Name: CUSTOM\nLatin1: caf%E9\n\n');
    expect(() => modeslParse(bytes)).toThrow(URIError);
    expect(EslEvent.fromFrame(parseSplit(bytes)[0]!).get('Latin1')).toBe('caf\ufffd');
  });

  it('a raw multi-byte header before a body: modesl slices the body by characters, ours by bytes', () => {
    const bytes = event('Event-Name: CUSTOM\nName: Zo\u00eb\nContent-Length: 4\n\nbody');
    expect(modeslParse(bytes)[0]!.body).toBe('\nbod');
    expect(EslEvent.fromFrame(parseSplit(bytes)[0]!).body).toBe('body');
  });
});
