/**
 * originate arguments and dial strings (mod_commands.c originate_function,
 * switch_ivr_originate.c), quoted values with commas and spaces included.
 */
import { describe, expect, it } from 'vitest';
import { parseCallUrl, parseOriginate, parseVars, splitArgs } from '../../../src/sim/dial-string.js';

describe('dial strings', () => {
  it('splits arguments on spaces outside quotes and brackets', () => {
    expect(splitArgs("{a='x y',b=1}loopback/park/ctx &park() XML  default")).toEqual([
      "{a='x y',b=1}loopback/park/ctx",
      '&park()',
      'XML',
      'default',
    ]);
  });

  it('reads {global} and [per-leg] variables, unquoting values', () => {
    expect(parseVars("a=1,b='x, y',c='Zoë 日本 ☎'")).toEqual([
      ['a', '1'],
      ['b', 'x, y'],
      ['c', 'Zoë 日本 ☎'],
    ]);
    expect(parseCallUrl('{g=1}[l=2]sofia/external/1000@10.0.0.5:5080|[l=3]loopback/park')).toEqual([
      { tech: 'sofia', data: 'external/1000@10.0.0.5:5080', vars: [['g', '1'], ['l', '2']] },
      { tech: 'loopback', data: 'park', vars: [['g', '1'], ['l', '3']] },
    ]);
  });

  it('rings the first of simultaneous legs', () => {
    expect(parseCallUrl('loopback/a,loopback/b').map((l) => l.data)).toEqual(['a']);
  });

  it('parses the &app(args) form and the extension form with its optional fields', () => {
    const app = parseOriginate("{origination_uuid=u1,origination_caller_id_name='Zoë 日本'}loopback/park/switchyard &playback(/tmp/x.wav)");
    expect(app?.app).toEqual({ name: 'playback', arg: '/tmp/x.wav' });
    expect(app?.legs[0]?.vars).toEqual([
      ['origination_uuid', 'u1'],
      ['origination_caller_id_name', 'Zoë 日本'],
    ]);
    const ext = parseOriginate('loopback/1000 2000 XML public Alice 555 30');
    expect(ext).toMatchObject({ exten: '2000', dialplan: 'XML', context: 'public', cidName: 'Alice', cidNum: '555', timeoutSec: 30 });
    expect(parseOriginate('loopback/1000 &park')?.app).toEqual({ name: 'park', arg: '' });
  });

  it('refuses what originate would answer with its usage', () => {
    expect(parseOriginate('')).toBeUndefined();
    expect(parseOriginate('loopback/1000')).toBeUndefined();
    expect(parseOriginate('loopback/1000 &(')).toBeUndefined();
  });
});
