/**
 * How the simulator's api commands read their arguments, against what
 * FreeSWITCH does with the same text: the originate `{}` block split by
 * switch_event_create_brackets (quotes and `\,`), uuid_setvar's value
 * (quotes stripped, escapes resolved), uuid_setvar_multi's `\;`, and
 * uuid_audio's replies (mod_commands.c session_audio_function).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCallUrl, parseVars } from '../../../src/sim/dial-string.js';
import { type Simulator, startSimulator } from '../../../src/sim/index.js';

let sim: Simulator;

beforeAll(async () => {
  sim = await startSimulator({ port: 0 });
});

afterAll(async () => {
  await sim.close();
});

const NOBODY = '00000000-0000-4000-8000-000000000000';

/** A parked loopback a-leg with this uuid (its b-leg answers and parks). */
async function parkedLeg(uuid: string, vars = ''): Promise<void> {
  expect(await sim.api(`originate {origination_uuid=${uuid}${vars}}loopback/answer/switchyard &park()`)).toBe(`+OK ${uuid}\n`);
}

function vars(uuid: string): Readonly<Record<string, string>> {
  const ch = sim.channels().find((c) => c.uuid === uuid);
  if (!ch) throw new Error(`no channel ${uuid}`);
  return ch.vars;
}

describe('originate {} variables', () => {
  it('keeps an escaped comma in a value (switch_separate_string on `,`)', () => {
    expect(parseVars("absolute_codec_string=PCMU\\,PCMA,b='x, y',c=1")).toEqual([
      ['absolute_codec_string', 'PCMU,PCMA'],
      ['b', 'x, y'],
      ['c', '1'],
    ]);
    expect(parseCallUrl('{a=PCMU\\,PCMA}[l=G722\\,PCMU]loopback/park')).toEqual([
      {
        tech: 'loopback',
        data: 'park',
        vars: [
          ['a', 'PCMU,PCMA'],
          ['l', 'G722,PCMU'],
        ],
      },
    ]);
  });

  it('splits each item at its first `=` and drops items without a name or a value (`d=` is one field)', () => {
    expect(parseVars('a=b=c,flag,=x,d=')).toEqual([['a', 'b=c']]);
  });

  it('sets absolute_codec_string=PCMU\\,PCMA on the channel as PCMU,PCMA', async () => {
    const a = 'a7000000-0000-4000-8000-000000000001';
    await parkedLeg(a, ',absolute_codec_string=PCMU\\,PCMA');
    expect(vars(a).absolute_codec_string).toBe('PCMU,PCMA');
    await sim.api(`uuid_kill ${a}`);
  });
});

describe('uuid_setvar', () => {
  it('strips the quotes and resolves the escapes of the value, keeping its inner spaces', async () => {
    const a = 'a7000000-0000-4000-8000-000000000002';
    await parkedLeg(a);
    expect(await sim.api(`uuid_setvar ${a} quoted 'two words'`)).toBe('+OK\n');
    expect(await sim.api(`uuid_setvar ${a} plain two  words  `)).toBe('+OK\n');
    expect(await sim.api(`uuid_setvar ${a} escaped it\\'s\\sa\\\\path`)).toBe('+OK\n');
    expect(vars(a)).toMatchObject({ quoted: 'two words', plain: 'two  words', escaped: "it's a\\path" });
    expect(await sim.api(`uuid_setvar ${a} quoted`)).toBe('+OK\n');
    expect(vars(a).quoted).toBeUndefined();
    expect(await sim.api(`uuid_setvar ${a}`)).toBe('-USAGE: <uuid> <var> [value]\n');
    expect(await sim.api(`uuid_setvar ${NOBODY} x 1`)).toBe('-ERR No such channel!\n');
    await sim.api(`uuid_kill ${a}`);
  });
});

describe('uuid_setvar_multi', () => {
  it('keeps an escaped `;` in a value and splits the rest on `;`', async () => {
    const a = 'a7000000-0000-4000-8000-000000000003';
    await parkedLeg(a);
    expect(await sim.api(`uuid_setvar_multi ${a} one=a\\;b;two='c;d';three=x=y`)).toBe('+OK\n');
    expect(vars(a)).toMatchObject({ one: 'a;b', two: 'c;d', three: 'x=y' });
    expect(await sim.api(`uuid_setvar_multi ${a} one;two=`)).toBe('+OK\n');
    expect(vars(a).one).toBeUndefined();
    expect(vars(a).two).toBeUndefined();
    await sim.api(`uuid_kill ${a}`);
  });
});

describe('uuid_audio', () => {
  it("answers as session_audio_function: +OK, usage, and a missing channel's -ERR followed by +OK", async () => {
    const a = 'a7000000-0000-4000-8000-000000000004';
    await parkedLeg(a);
    const usage = '-USAGE: <uuid> [start [read|write] [mute|level <level>]|stop]\n';
    expect(await sim.api(`uuid_audio ${a} start write mute 1`)).toBe('+OK\n');
    expect(await sim.api(`uuid_audio ${a} start read level 2`)).toBe('+OK\n');
    expect(await sim.api(`uuid_audio ${a} stop`)).toBe('+OK\n');
    expect(await sim.api(`uuid_audio ${a} stop`)).toBe('+OK\n');
    expect(await sim.api(`uuid_audio ${a} start both mute 1`)).toBe(usage);
    expect(await sim.api(`uuid_audio ${a} start write mute`)).toBe(usage);
    expect(await sim.api(`uuid_audio ${a} start write loud 3`)).toBe(usage);
    expect(await sim.api(`uuid_audio ${a}`)).toBe(usage);
    expect(await sim.api('uuid_audio')).toBe(usage);
    expect(await sim.api(`uuid_audio ${NOBODY} stop`)).toBe('-ERR No Such Channel!\n+OK\n');
    await sim.api(`uuid_kill ${a}`);
  });
});

describe('uuid_break', () => {
  it('writes nothing on success and `-ERR No Such Channel!` for a missing channel', async () => {
    const a = 'a7000000-0000-4000-8000-000000000005';
    await parkedLeg(a);
    expect(await sim.api(`uuid_break ${a}`)).toBe('');
    expect(await sim.api(`uuid_break ${NOBODY}`)).toBe('-ERR No Such Channel!\n');
    expect(await sim.api('uuid_break')).toBe('-USAGE: <uuid> [all]\n');
    await sim.api(`uuid_kill ${a}`);
  });
});
