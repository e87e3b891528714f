import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { escapeArg, escapeForSplit, escapeLastArg } from '../../../src/client/escape.js';
import { separateString } from '../../support/fs-split.js';

const tricky = fc.string({
  unit: fc.constantFrom('a', ' ', ',', ';', "'", '\\', '=', '"', 's', 'n', 't', '日', '{'),
  maxLength: 20,
});

describe('escaping for switch_separate_string', () => {
  it('a middle argument (quoted when it has spaces) comes back whole', () => {
    fc.assert(
      fc.property(tricky, (value) => {
        fc.pre(value !== '');
        expect(separateString(`uuid_broadcast ${escapeArg(value, 'x')} aleg`, ' ', 4)).toEqual(['uuid_broadcast', value, 'aleg']);
      }),
      { numRuns: 2000 },
    );
  });

  it('the last argument of a bounded split keeps inner spaces unquoted and comes back whole', () => {
    fc.assert(
      fc.property(tricky, (value) => {
        fc.pre(value.trim() !== '');
        const line = `U name ${escapeLastArg(value, 'x')}`;
        expect(separateString(line, ' ', 3)).toEqual(['U', 'name', value]);
      }),
      { numRuns: 2000 },
    );
    expect(escapeLastArg('two words', 'x')).toBe('two words');
  });

  it('uuid_setvar_multi pairs survive its ; split (the uuid is cut off at the first space, no blank split)', () => {
    fc.assert(
      fc.property(tricky, tricky, (a, b) => {
        const line = [`a=${escapeForSplit(a, ';')}`, `b=${escapeForSplit(b, ';')}`].join(';');
        const pairs = separateString(line, ';', 64).map((p) => [p.slice(0, p.indexOf('=')), p.slice(p.indexOf('=') + 1)]);
        expect(pairs).toEqual([
          ['a', a],
          ['b', b],
        ]);
      }),
      { numRuns: 2000 },
    );
  });
});
