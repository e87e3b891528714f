import { describe, expect, it } from 'vitest';
import * as shipped from '../../../apps/index.js';
import { createApp, SHIPPED_APPS } from '../../../apps/registry.js';
import { InvalidArgumentError } from '../../../src/errors.js';

describe('shipped apps registry', () => {
  it('creates a fresh instance of each app by name, case-insensitively', () => {
    expect(SHIPPED_APPS.map((a) => a.name)).toEqual(['Bert', 'CallMetrics', 'DtmfChecker', 'PlayRec', 'TonePlay']);
    for (const { name } of SHIPPED_APPS) {
      const app = createApp(name.toLowerCase());
      expect(app.name).toBe(name);
      expect(createApp(name)).not.toBe(app);
      expect(Object.keys(app.handlers).length).toBeGreaterThan(0);
    }
    expect(createApp('toneplay')).toBeInstanceOf(shipped.TonePlay);
  });

  it('refuses an unknown name, listing the known ones', () => {
    expect(() => createApp('Router')).toThrow(InvalidArgumentError);
    expect(() => createApp('nope')).toThrow('choose one of Bert, CallMetrics, DtmfChecker, PlayRec, TonePlay');
  });

  it('exports every shipped app class from apps/index.ts', () => {
    expect(Object.keys(shipped).sort()).toEqual(
      [
        'BERT_DEFAULT_VARS',
        'BERT_SYNC_LOST_VAR',
        'Bert',
        'CallMetrics',
        'DtmfChecker',
        'DtmfSequence',
        'MILLIWATT_TONE',
        'PlayRec',
        'Router',
        'SHIPPED_APPS',
        'StopRouting',
        'TonePlay',
        'createApp',
      ].sort(),
    );
  });
});
