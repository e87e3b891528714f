import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildOriginate, type OriginateOptions } from '../../../src/client/originate.js';
import { InvalidArgumentError } from '../../../src/errors.js';
import { parseOriginate } from '../../support/fs-split.js';

const U = '7c1f67c0-ac1a-49e1-94b0-df184ff67a73';

describe('buildOriginate: exact command lines', () => {
  const cases: [string, OriginateOptions, string][] = [
    ['a full dial string, parked', { dest: 'loopback/park/switchyard' }, 'originate loopback/park/switchyard &park()'],
    [
      'the origination uuid, also sent as the call-tracking X-header',
      { dest: 'loopback/park/switchyard', uuid: U },
      `originate {origination_uuid=${U},sip_h_X-switchyard_call=${U}}loopback/park/switchyard &park()`,
    ],
    ['a SIP user@host through the default profile', { dest: '1000@10.0.0.5:5080' }, 'originate sofia/external/1000@10.0.0.5:5080 &park()'],
    ['a SIP user@host through a gateway', { dest: '1000@carrier', gateway: 'gw1' }, 'originate sofia/gateway/gw1/1000@carrier &park()'],
    [
      'a profile and a first-hop proxy',
      { dest: 'park@127.0.0.1', profile: 'internal', proxy: '10.0.0.1:5060' },
      'originate sofia/internal/park@127.0.0.1;fs_path=sip:10.0.0.1:5060 &park()',
    ],
    ['an app with args', { dest: 'loopback/echo', app: 'echo', appArgs: '' }, 'originate loopback/echo &echo()'],
    [
      'app args with a space are quoted for the blank split',
      { dest: 'loopback/x', app: 'playback', appArgs: '/tmp/a b.wav' },
      "originate loopback/x '&playback(/tmp/a b.wav)'",
    ],
    ['the dialplan instead of an app', { dest: 'loopback/x', exten: '9196' }, 'originate loopback/x 9196 XML default'],
    [
      'a dialplan context and type',
      { dest: 'loopback/x', exten: 'echo', context: 'switchyard', dialplan: 'inline' },
      'originate loopback/x echo inline switchyard',
    ],
    [
      'caller id, with a name holding a space',
      { dest: 'loopback/x', callerIdName: 'John Doe', callerIdNumber: '+15551234' },
      "originate {origination_caller_id_name='John Doe',origination_caller_id_number=+15551234}loopback/x &park()",
    ],
    [
      'timeout and codecs (commas escaped inside {})',
      { dest: 'loopback/x', timeout: 30, codecs: ['PCMU', 'PCMA'] },
      String.raw`originate {originate_timeout=30,absolute_codec_string=PCMU\,PCMA}loopback/x &park()`,
    ],
    [
      'variables and SIP X-headers',
      { dest: 'loopback/x', vars: { foo: 'bar', n: 3, flag: true }, xheaders: { Foo: 'x', 'X-Bar': 'y', sip_h_Y: 'z' } },
      'originate {foo=bar,n=3,flag=true,sip_h_X-Foo=x,sip_h_X-Bar=y,sip_h_Y=z}loopback/x &park()',
    ],
    [
      'the app id, and a var overriding a derived one in place',
      { dest: 'loopback/x', appId: 'load-1', callerIdNumber: '1', vars: { origination_caller_id_number: '2' } },
      'originate {origination_caller_id_number=2,sip_h_X-switchyard_app=load-1}loopback/x &park()',
    ],
    ['an empty value is left out (FreeSWITCH drops `name=`)', { dest: 'loopback/x', vars: { a: '', b: '1' } }, 'originate {b=1}loopback/x &park()'],
    [
      'a single quote is escaped once per splitting layer',
      { dest: 'loopback/x', callerIdName: "O'Brien" },
      String.raw`originate {origination_caller_id_name=O\\\\\\\'Brien}loopback/x &park()`,
    ],
    [
      'a comma with a space: escaped for the {} split, quoted for the blank split',
      { dest: 'loopback/x', vars: { note: 'a, b' } },
      String.raw`originate {note='a\, b'}loopback/x &park()`,
    ],
    [
      'edge spaces survive as \\s',
      { dest: 'loopback/x', vars: { pad: ' x ' } },
      String.raw`originate {pad=\\\\sx\\\\s}loopback/x &park()`,
    ],
    [
      'balanced braces pass (a variable reference)',
      { dest: 'loopback/x', vars: { ref: '$' + '{caller_id_number}' } },
      'originate {ref=$' + '{caller_id_number}}loopback/x &park()',
    ],
    ['UTF-8 as is', { dest: 'loopback/x', callerIdName: 'Zoë 日本 ☎' }, "originate {origination_caller_id_name='Zoë 日本 ☎'}loopback/x &park()"],
  ];
  for (const [what, options, expected] of cases) {
    it(what, () => {
      expect(buildOriginate(options)).toBe(expected);
    });
  }
});

describe('buildOriginate: what FreeSWITCH reads back', () => {
  it('the capture scenario parses to the same variables FreeSWITCH set', () => {
    const parsed = parseOriginate(
      buildOriginate({ dest: 'loopback/park/switchyard', uuid: U, callerIdName: 'switchyard', callerIdNumber: '1000' }),
    );
    expect([...parsed.vars]).toEqual([
      ['origination_uuid', U],
      ['sip_h_X-switchyard_call', U],
      ['origination_caller_id_name', 'switchyard'],
      ['origination_caller_id_number', '1000'],
    ]);
    expect(parsed).toMatchObject({ dial: 'loopback/park/switchyard', app: 'park', appArgs: '' });
  });

  it('parses the multi-byte values of the utf8 capture the way FreeSWITCH did', () => {
    // From utf8-and-bodies.out.esl, read back by the model.
    const parsed = parseOriginate(
      "originate {origination_uuid=9c3e055e-ef97-48d4-892a-a9eebaa332df,origination_caller_id_name='Zoë 日本 ☎',switchyard_multi='naïve café ☕'}loopback/park/switchyard &park()",
    );
    expect(parsed.vars.get('origination_caller_id_name')).toBe('Zoë 日本 ☎');
    expect(parsed.vars.get('switchyard_multi')).toBe('naïve café ☕');
  });

  const tricky = fc.string({
    unit: fc.constantFrom('a', 'Z', '0', ' ', ',', "'", '\\', '=', '"', '^', 's', 'n', '$', '%', ';', '|', '&', '(', 'ü', '日', '\t'),
    maxLength: 24,
  });

  it('every variable value round-trips through the three splitting layers', () => {
    fc.assert(
      fc.property(tricky, tricky, tricky, (a, b, name) => {
        const parsed = parseOriginate(buildOriginate({ dest: 'loopback/x', callerIdName: name, vars: { a, b } }));
        const expected = new Map<string, string>();
        if (name !== '') expected.set('origination_caller_id_name', name);
        if (a !== '') expected.set('a', a);
        if (b !== '') expected.set('b', b);
        expect(parsed.vars).toEqual(expected);
        expect(parsed.dial).toBe('loopback/x');
        expect(parsed.app).toBe('park');
      }),
      { numRuns: 2000 },
    );
  });

  it('app args and dialplan words round-trip through the blank split', () => {
    const word = fc.string({ unit: fc.constantFrom('a', ' ', "'", '\\', ',', '"', '日', 'x'), minLength: 1, maxLength: 16 });
    fc.assert(
      fc.property(word, word, (args, exten) => {
        expect(parseOriginate(buildOriginate({ dest: 'loopback/x', app: 'playback', appArgs: args })).appArgs).toBe(args);
        expect(parseOriginate(buildOriginate({ dest: 'loopback/x', exten, context: 'c d' }))).toMatchObject({ exten, context: 'c d' });
      }),
      { numRuns: 1000 },
    );
  });
});

describe('buildOriginate: refusals', () => {
  const refused: [string, OriginateOptions, string][] = [
    ['CR/LF in a value', { dest: 'loopback/x', vars: { a: 'x\r\nbgapi hupall' } }, 'must not contain CR, LF or NUL'],
    ['LF in the caller id', { dest: 'loopback/x', callerIdName: 'a\nb' }, 'must not contain CR, LF or NUL'],
    ['CR in app args', { dest: 'loopback/x', app: 'playback', appArgs: 'x\r' }, 'must not contain CR, LF or NUL'],
    ['LF in dest', { dest: 'loopback/x\nexit' }, 'dest must not contain'],
    ['a space in dest', { dest: 'loopback/x y' }, 'invalid dest'],
    ['an unbalanced brace', { dest: 'loopback/x', vars: { a: 'x}' } }, 'unbalanced braces'],
    ['a ) in app args', { dest: 'loopback/x', app: 'playback', appArgs: 'tone_stream://%(300,0,440)' }, "must not contain ')'"],
    ['exten with app', { dest: 'loopback/x', exten: '1', app: 'park' }, 'either exten'],
    ['context without exten', { dest: 'loopback/x', context: 'default' }, 'only with exten'],
    ['a profile with a full dial string', { dest: 'loopback/x', profile: 'internal' }, 'apply to a SIP user@host dest'],
    ['profile and gateway', { dest: '1000@h', profile: 'a', gateway: 'b' }, 'either profile or gateway'],
    ['a variable name with a space', { dest: 'loopback/x', vars: { 'a b': '1' } }, 'invalid channel variable name'],
    ['a variable name with =', { dest: 'loopback/x', vars: { 'a=b': '1' } }, 'invalid channel variable name'],
    ['a zero timeout', { dest: 'loopback/x', timeout: 0 }, 'timeout must be a positive whole number'],
    ['a fractional timeout', { dest: 'loopback/x', timeout: 1.5 }, 'timeout must be a positive whole number'],
    ['a uuid with a comma', { dest: 'loopback/x', uuid: 'a,b' }, 'invalid uuid'],
    ['an app name with a space', { dest: 'loopback/x', app: 'play back' }, 'invalid app'],
  ];
  for (const [what, options, message] of refused) {
    it(what, () => {
      expect(() => buildOriginate(options)).toThrow(InvalidArgumentError);
      expect(() => buildOriginate(options)).toThrow(message);
    });
  }
});
