import { afterEach, describe, expect, it, vi } from 'vitest';
import { Client } from '../../../src/client/client.js';
import { CommandError, DisconnectedError, InvalidArgumentError, TimeoutError } from '../../../src/errors.js';
import { EventListener } from '../../../src/listener/listener.js';
import type { Session } from '../../../src/models/session.js';
import { channelEvent, FakeConnection } from '../../support/fake-connection.js';

const A = 'aaaaaaaa-0000-4000-8000-000000000001';
const B = 'bbbbbbbb-0000-4000-8000-000000000002';

async function setup() {
  const events = new FakeConnection();
  const commands = new FakeConnection();
  const listener = new EventListener({ connection: events, syncOnConnect: false });
  const client = new Client({ connection: commands, listener });
  await client.connect();
  events.emitEvent(channelEvent('CHANNEL_CREATE', A, { 'Caller-Caller-ID-Number': '1000' }));
  events.emitEvent(channelEvent('CHANNEL_CREATE', B, { variable_call_uuid: A }));
  const session = listener.sessions.get(A)!;
  return { events, commands, listener, client, session, other: listener.sessions.get(B)! };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('Session api verbs send the uuid_* command FreeSWITCH expects', () => {
  const verbs: [string, (s: Session, other: Session) => Promise<unknown>, string][] = [
    ['answer', (s) => s.answer(), `uuid_answer ${A}`],
    ['hangup (default cause)', (s) => s.hangup(), `uuid_kill ${A} NORMAL_CLEARING`],
    ['hangup (cause)', (s) => s.hangup('USER_BUSY'), `uuid_kill ${A} USER_BUSY`],
    ['park', (s) => s.park(), `uuid_park ${A}`],
    ['bridge to a session', (s, o) => s.bridge(o), `uuid_bridge ${A} ${B}`],
    ['bridge to a uuid', (s) => s.bridge(B), `uuid_bridge ${A} ${B}`],
    ['broadcast', (s) => s.broadcast('tone_stream://%(300,0,440)'), `uuid_broadcast ${A} tone_stream://%(300,0,440) aleg`],
    ['broadcast on both legs', (s) => s.broadcast('/tmp/a b.wav', 'both'), `uuid_broadcast ${A} '/tmp/a b.wav' both`],
    ['startRecord', (s) => s.startRecord('/tmp/rec.wav'), `uuid_record ${A} start /tmp/rec.wav`],
    ['startRecord with a limit', (s) => s.startRecord('/tmp/rec.wav', { limitSeconds: 30 }), `uuid_record ${A} start /tmp/rec.wav 30`],
    ['stopRecord', (s) => s.stopRecord(), `uuid_record ${A} stop all`],
    ['sendDtmf', (s) => s.sendDtmf('1234#'), `uuid_send_dtmf ${A} 1234#`],
    ['sendDtmf with a duration', (s) => s.sendDtmf('9', 250), `uuid_send_dtmf ${A} 9@250`],
    ['schedHangup', (s) => s.schedHangup(30), `sched_hangup +30 ${A} NORMAL_CLEARING`],
    ['setVar', (s) => s.setVar('switchyard_note', 'hello'), `uuid_setvar ${A} switchyard_note hello`],
    ['setVar with spaces (the last argument keeps them)', (s) => s.setVar('note', 'two words'), `uuid_setvar ${A} note two words`],
    ['setVar with edge spaces and a quote', (s) => s.setVar('note', " it's "), String.raw`uuid_setvar ${A} note \sit\'s\s`],
    ['setVars', (s) => s.setVars({ a: '1', b: 'x;y', c: 'two words' }), `uuid_setvar_multi ${A} a=1;b=x\\;y;c=two words`],
    ['unsetVar', (s) => s.unsetVar('note'), `uuid_setvar ${A} note`],
    ['getVar', (s) => s.getVar('note'), `uuid_getvar ${A} note`],
    ['mute', (s) => s.mute(), `uuid_audio ${A} start write mute 1`],
    ['mute what the caller sends', (s) => s.mute('read', 2), `uuid_audio ${A} start read mute 2`],
    ['unmute', (s) => s.unmute(), `uuid_audio ${A} start write mute 0`],
    ['breakMedia', (s) => s.breakMedia(), `uuid_break ${A}`],
    ['breakMedia all', (s) => s.breakMedia(true), `uuid_break ${A} all`],
  ];
  for (const [what, run, command] of verbs) {
    it(what, async () => {
      const { commands, session, other } = await setup();
      await run(session, other);
      expect(commands.commands('api')).toEqual([command]);
    });
  }

  it('resolves on +OK and rejects with CommandError keeping the text on -ERR', async () => {
    const { commands, session } = await setup();
    commands.onApi = () => '-ERR No such channel!\n';
    const error = await session.answer().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CommandError);
    expect(error).toMatchObject({ command: `uuid_answer ${A}`, reply: '-ERR No such channel!\n' });
  });

  it('getVar returns the value, and undefined for _undef_', async () => {
    const { commands, session } = await setup();
    commands.onApi = () => 'hello';
    await expect(session.getVar('switchyard_note')).resolves.toBe('hello');
    commands.onApi = () => '_undef_';
    await expect(session.getVar('nothing')).resolves.toBeUndefined();
  });

  it('breakMedia takes uuid_break\'s empty success ("-ERR no reply") as success', async () => {
    const { commands, session } = await setup();
    commands.onApi = () => '-ERR no reply\n';
    await expect(session.breakMedia()).resolves.toBeUndefined();
    commands.onApi = () => '-ERR No such channel!\n';
    await expect(session.breakMedia()).rejects.toThrow(CommandError);
  });

  it('refuses bad arguments with InvalidArgumentError before sending anything', async () => {
    const { commands, session } = await setup();
    await expect(session.hangup('NOT A CAUSE')).rejects.toThrow(InvalidArgumentError);
    await expect(session.sendDtmf('12x')).rejects.toThrow('invalid DTMF digits "12x"');
    await expect(session.setVar('a b', '1')).rejects.toThrow('invalid channel variable name');
    await expect(session.setVar('a', 'x\r\nevent plain ALL')).rejects.toThrow('must not contain CR, LF or NUL');
    await expect(session.schedHangup(-1)).rejects.toThrow('seconds must be a whole number >= 0');
    await expect(session.execute('bad app')).rejects.toThrow('invalid application name');
    await expect(session.playback([])).rejects.toThrow('playback needs at least one file');
    expect(commands.sent).toEqual([]);
  });

  it('a verb left un-awaited does not become an unhandled rejection', async () => {
    const { commands, session } = await setup();
    commands.onApi = () => '-ERR No such channel!\n';
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      void session.hangup();
      void session.playback('/tmp/x.wav');
      await new Promise((resolve) => setImmediate(resolve));
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });

  it('without a command connection, verbs reject saying how to get one', async () => {
    const events = new FakeConnection();
    const listener = new EventListener({ connection: events, syncOnConnect: false });
    await listener.connect();
    events.emitEvent(channelEvent('CHANNEL_CREATE', A));
    await expect(listener.sessions.get(A)!.answer()).rejects.toThrow('has no command connection: create a Client with this listener');
  });
});

describe('Session.execute (sendmsg) completes at CHANNEL_EXECUTE_COMPLETE with our Event-UUID', () => {
  it('sends call-command execute and resolves with the matching completion only', async () => {
    const { events, commands, session } = await setup();
    const done = session.playback('tone_stream://%(300,0,440)');
    await Promise.resolve();
    const sent = commands.sent.at(-1)!;
    expect(sent.kind).toBe('sendmsg');
    expect(sent.uuid).toBe(A);
    const appUuid = sent.headers!['Event-UUID']!;
    expect(sent.headers).toEqual({
      'call-command': 'execute',
      'execute-app-name': 'playback',
      'execute-app-arg': 'tone_stream://%(300,0,440)',
      'Event-UUID': appUuid,
    });
    let settled = false;
    void done.then(() => {
      settled = true;
    });
    // Another application's completion does not settle it.
    events.emitEvent(channelEvent('CHANNEL_EXECUTE_COMPLETE', A, { Application: 'park', 'Application-UUID': 'other' }));
    await Promise.resolve();
    expect(settled).toBe(false);
    events.emitEvent(
      channelEvent('CHANNEL_EXECUTE_COMPLETE', A, {
        Application: 'playback',
        'Application-Response': 'FILE PLAYED',
        'Application-UUID': appUuid,
      }),
    );
    const complete = await done;
    expect(complete.get('Application-Response')).toBe('FILE PLAYED');
  });

  it('settles when the completion arrives before the sendmsg reply', async () => {
    const { events, commands, session } = await setup();
    let reply!: () => void;
    commands.onSendmsg = () =>
      new Promise((resolve) => {
        reply = () => resolve('+OK');
      });
    const done = session.execute('set', 'a=1');
    const appUuid = commands.sent.at(-1)!.headers!['Event-UUID']!;
    events.emitEvent(channelEvent('CHANNEL_EXECUTE_COMPLETE', A, { 'Application-UUID': appUuid }));
    reply();
    await expect(done).resolves.toMatchObject({ name: 'CHANNEL_EXECUTE_COMPLETE' });
  });

  it('with loops, settles at the last iteration: the loops-th, or the first under 500 ms (switch_ivr.c stops there)', async () => {
    const { events, commands, session } = await setup();
    const at = (ms: number) => ({ 'Event-Date-Timestamp': String(1_800_000_000_000_000 + ms * 1000) });
    const iterate = (appUuid: string, start: number, end: number) => {
      events.emitEvent(channelEvent('CHANNEL_EXECUTE', A, { 'Application-UUID': appUuid, ...at(start) }));
      events.emitEvent(channelEvent('CHANNEL_EXECUTE_COMPLETE', A, { 'Application-UUID': appUuid, ...at(end) }));
    };
    const completions = (done: Promise<unknown>) => {
      const state = { settled: false };
      void done.then(() => {
        state.settled = true;
      });
      return state;
    };

    const full = session.execute('playback', '/x.wav', { loops: 3 });
    const fullUuid = commands.sent.at(-1)!.headers!['Event-UUID']!;
    const fullState = completions(full);
    iterate(fullUuid, 0, 2000);
    iterate(fullUuid, 2000, 4000);
    await Promise.resolve();
    expect(fullState.settled).toBe(false);
    iterate(fullUuid, 4000, 6000);
    expect((await full).get('Event-Date-Timestamp')).toBe(at(6000)['Event-Date-Timestamp']);

    const cut = session.execute('playback', '/short.wav', { loops: 5 });
    const cutUuid = commands.sent.at(-1)!.headers!['Event-UUID']!;
    iterate(cutUuid, 0, 2000);
    iterate(cutUuid, 2000, 2100);
    expect((await cut).get('Event-Date-Timestamp')).toBe(at(2100)['Event-Date-Timestamp']);
  });

  it('rejects with the CommandError when sendmsg is refused, and stops waiting', async () => {
    const { commands, session } = await setup();
    commands.onSendmsg = () => '-ERR invalid session id';
    await expect(session.echo()).rejects.toMatchObject({ code: 'ESL_ERR_COMMAND', reply: '-ERR invalid session id' });
  });

  it('maps the other dialplan verbs to their applications', async () => {
    const { commands, session } = await setup();
    void session.echo();
    void session.speak('hello world', { voice: 'slt' });
    void session.respond(486);
    void session.deflect('sip:1000@example.com');
    void session.playback(['/a.wav', '/b.wav'], { endless: true });
    void session.bridge('sofia/external/1000@10.0.0.5');
    void session.execute('playback', '/x.wav', { loops: 3, eventLock: true });
    await Promise.resolve();
    const apps = commands.sent.map((c) => [c.headers!['execute-app-name'], c.headers!['execute-app-arg']]);
    expect(apps).toEqual([
      ['echo', undefined],
      ['speak', 'flite|slt|hello world'],
      ['respond', '486'],
      ['deflect', 'sip:1000@example.com'],
      ['endless_playback', 'file_string:///a.wav!/b.wav'],
      ['bridge', 'sofia/external/1000@10.0.0.5'],
      ['playback', '/x.wav'],
    ]);
    expect(commands.sent.at(-1)!.headers).toMatchObject({ loops: '3', 'event-lock': 'true' });
  });
});

describe('Session state', () => {
  it('get() reads the latest value, a lean event first, then the last full one', async () => {
    const { events, session } = await setup();
    events.emitEvent(channelEvent('CHANNEL_PARK', A, { variable_foo: 'bar', 'Channel-State': 'CS_EXECUTE' }));
    events.emitEvent({ 'Event-Name': 'DTMF', 'Unique-ID': A, 'DTMF-Digit': '5', 'Channel-State': 'CS_EXCHANGE_MEDIA' });
    expect(session.get('DTMF-Digit')).toBe('5');
    expect(session.get('Channel-State')).toBe('CS_EXCHANGE_MEDIA');
    expect(session.get('variable_foo')).toBe('bar');
    events.emitEvent(channelEvent('CHANNEL_ANSWER', A, { 'Channel-State': 'CS_EXECUTE' }));
    expect(session.get('DTMF-Digit')).toBeUndefined();
    expect(session.get('variable_foo')).toBeUndefined();
    expect(session.get('Channel-State')).toBe('CS_EXECUTE');
  });

  it('vars is app scratch space, appId comes from the X-header', async () => {
    const { events, listener } = await setup();
    events.emitEvent(channelEvent('CHANNEL_CREATE', 'x', { 'variable_sip_h_X-switchyard_app': 'load-1' }));
    const session = listener.sessions.get('x')!;
    expect(session.appId).toBe('load-1');
    session.vars.count = 1;
    expect(session.vars).toEqual({ count: 1 });
  });

  it('waitFor resolves with the next event of that name, CUSTOM subclasses included', async () => {
    const { events, session } = await setup();
    const answer = session.waitFor('CHANNEL_ANSWER');
    const custom = session.waitFor('mod_bert::lost_sync');
    events.emitEvent(channelEvent('CHANNEL_PARK', A));
    events.emitEvent(channelEvent('CHANNEL_ANSWER', A));
    events.emitEvent({ 'Event-Name': 'CUSTOM', 'Event-Subclass': 'mod_bert::lost_sync', 'Unique-ID': A });
    await expect(answer).resolves.toMatchObject({ name: 'CHANNEL_ANSWER' });
    await expect(custom).resolves.toMatchObject({ name: 'CUSTOM', subclass: 'mod_bert::lost_sync' });
  });

  it('waitFor rejects with TimeoutError, on abort, and when the session ends', async () => {
    vi.useFakeTimers();
    const { events, session } = await setup();
    const timedOut = expect(session.waitFor('CHANNEL_ANSWER', { timeout: 1000 })).rejects.toThrow(TimeoutError);
    await vi.advanceTimersByTimeAsync(1000);
    await timedOut;
    const controller = new AbortController();
    const aborted = session.waitFor('CHANNEL_ANSWER', { signal: controller.signal });
    controller.abort(new Error('stop'));
    await expect(aborted).rejects.toThrow('stop');
    const ended = session.waitFor('CHANNEL_ANSWER');
    events.emitEvent(channelEvent('CHANNEL_DESTROY', A, { 'Hangup-Cause': 'NORMAL_CLEARING' }));
    await expect(ended).rejects.toThrow(DisconnectedError);
    await expect(session.waitFor('CHANNEL_ANSWER')).rejects.toThrow(`session ${A} ended (destroyed) before CHANNEL_ANSWER`);
  });

  it('Call.hangup kills the first leg; FreeSWITCH takes the bridged one down', async () => {
    const { commands, session, other } = await setup();
    await session.call!.hangup();
    expect(commands.commands('api')).toEqual([`uuid_kill ${A} NORMAL_CLEARING`]);
    expect(session.call!.peer(other)).toBe(session);
  });
});
