/**
 * The simulator's fast event-plain encoder writes exactly the bytes of the
 * protocol's reference serializer (switch_event_serialize), for any header
 * values, names and bodies, and refuses the same bad names.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../../../src/errors.js';
import { serializeEvent } from '../../../src/protocol/serialize.js';
import { encodePlainEvent } from '../../../src/sim/plain-encoder.js';

const name = fc.stringMatching(/^[A-Za-z][A-Za-z0-9_-]{0,20}$/);
/** Values mixing the characters switch_url_encode escapes with plain ones. */
const value = fc.oneof(
  fc.string(),
  fc.string({ unit: 'grapheme' }),
  fc.stringMatching(/^[ -~]{0,30}$/),
  fc.constantFrom('', '%41', '%4', '%zz', '100%', 'a b', 'Zoë 日本 ☎', 'line\nbreak', 'cr\r', 'tab\t', '_undef_', 'ARRAY::a|:b'),
);

describe('encodePlainEvent', () => {
  it('matches serializeEvent byte for byte', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(name, value), { maxLength: 40 }),
        fc.option(fc.string({ unit: 'grapheme' }), { nil: undefined }),
        (headers, body) => {
          expect(encodePlainEvent(headers, body).equals(serializeEvent('plain', headers, body))).toBe(true);
        },
      ),
      { numRuns: 400 },
    );
  });

  it('writes the exact frame for a known event', () => {
    const frame = encodePlainEvent(
      [
        ['Event-Name', 'CUSTOM'],
        ['Caller-Caller-ID-Name', 'Zoë A'],
        ['variable_empty', ''],
      ],
      'hi',
    ).toString('utf8');
    expect(frame).toBe(
      'Content-Length: 100\nContent-Type: text/event-plain\n\n' +
        'Event-Name: CUSTOM\nCaller-Caller-ID-Name: Zo%C3%AB%20A\nvariable_empty: _undef_\nContent-Length: 2\n\nhi',
    );
  });

  it('refuses the header names serializeEvent refuses, every time', () => {
    for (const bad of ['', 'a:b', 'a\nb', 'a\rb']) {
      expect(() => encodePlainEvent([[bad, 'x']], undefined)).toThrow(InvalidArgumentError);
      expect(() => encodePlainEvent([[bad, 'x']], undefined)).toThrow(InvalidArgumentError);
    }
  });
});
