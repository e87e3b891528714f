import { describe, expect, it } from 'vitest';
import { type CallRecording, PlayRec, type PlayRecOptions } from '../../../apps/play-rec.js';
import { InvalidArgumentError } from '../../../src/errors.js';
import { A, api, B, createPair, drained, execute, type Harness, harness, inboundOf } from './harness.js';

interface Run {
  readonly h: Harness;
  readonly app: PlayRec;
  readonly recorded: CallRecording[];
}

/** Loads PlayRec and answers a loopback pair (B first, as FreeSWITCH does); resolves once the clip is playing on A. */
async function playing(options: PlayRecOptions = {}, apiReply?: (c: string) => string): Promise<Run & { play: ReturnType<Harness['command']> }> {
  const recorded: CallRecording[] = [];
  const app = new PlayRec({ recordDir: '/rec', ...options, onRecorded: (r) => recorded.push(r) });
  const h = await harness(app, apiReply === undefined ? {} : { apiReply });
  createPair(h);
  h.emit('CHANNEL_PARK', B, inboundOf(A));
  await h.command(api(`uuid_answer ${B}`));
  h.emit('CHANNEL_ANSWER', B, inboundOf(A));
  h.emit('CHANNEL_ANSWER', A);
  const play = h.command(execute(A, 'playback'));
  await play;
  return { h, app, recorded, play };
}

describe('PlayRec', () => {
  it('records both legs from their answer, plays the clip on the outbound leg, then stops the recordings and hangs up', async () => {
    const { h, app, recorded } = await playing({ loops: 3 });
    expect(h.apis()).toEqual([`uuid_answer ${B}`, `uuid_record ${B} start /rec/callee_${B}.wav`, `uuid_record ${A} start /rec/caller_${A}.wav`]);
    // Each loop is its own execute: FreeSWITCH gives every loop of one sendmsg the same Application-UUID.
    for (let loop = 1; loop <= 3; loop++) {
      const sent = await h.nth(execute(A, 'playback'), loop);
      expect(sent.headers).toEqual({
        'call-command': 'execute',
        'execute-app-name': 'playback',
        'execute-app-arg': 'tone_stream://%(1000,0,1004)',
        'Event-UUID': expect.any(String),
      });
      expect(recorded).toEqual([]);
      expect(app.active).toBe(1);
      h.complete(sent);
    }
    expect(h.fake.commands('sendmsg')).toEqual([`sendmsg ${A}`, `sendmsg ${A}`, `sendmsg ${A}`]);
    await h.command(api(`uuid_kill ${A} NORMAL_CLEARING`));
    expect(h.apis().slice(3)).toEqual([
      `uuid_record ${B} stop /rec/callee_${B}.wav`,
      `uuid_record ${A} stop /rec/caller_${A}.wav`,
      `uuid_kill ${A} NORMAL_CLEARING`,
    ]);
    expect(recorded).toEqual([
      {
        callId: A,
        clipPlayed: true,
        legs: [
          { uuid: B, role: 'callee', path: `/rec/callee_${B}.wav`, started: true, stoppedBy: 'app' },
          { uuid: A, role: 'caller', path: `/rec/caller_${A}.wav`, started: true, stoppedBy: 'app' },
        ],
      },
    ]);
    expect(app.stats).toEqual({ recordings: 2, failedRecordings: 0, clipsPlayed: 1, calls: 1 });
    expect(app.active).toBe(0);
  });

  it('ends the recordings with the call when it hangs up before the clip ends', async () => {
    const { h, app, recorded } = await playing({ hangupAfter: false });
    h.emit('CHANNEL_HANGUP', B, inboundOf(A, { 'Hangup-Cause': 'NORMAL_CLEARING' }));
    expect(recorded).toEqual([]);
    h.emit('CHANNEL_HANGUP', A, { 'Hangup-Cause': 'NORMAL_CLEARING' });
    expect(recorded).toHaveLength(1);
    expect(recorded[0]!.clipPlayed).toBe(false);
    expect(recorded[0]!.legs.map((l) => l.stoppedBy)).toEqual(['hangup', 'hangup']);
    // The channel is gone: its pending playback ends, and nothing is sent to it any more.
    h.emit('CHANNEL_DESTROY', A, { 'Hangup-Cause': 'NORMAL_CLEARING' });
    await drained();
    expect(h.apis().filter((c) => c.includes(' stop ') || c.startsWith('uuid_kill'))).toEqual([]);
    expect(app.stats).toEqual({ recordings: 2, failedRecordings: 0, clipsPlayed: 0, calls: 1 });
  });

  it('counts a recording FreeSWITCH refuses, and still plays the clip', async () => {
    const refuse = (c: string): string => (c.startsWith(`uuid_record ${B} start`) ? '-ERR Cannot open file\n' : '+OK\n');
    const { h, app, recorded, play } = await playing({}, refuse);
    h.complete(await play);
    await h.command(api(`uuid_kill ${A} NORMAL_CLEARING`));
    expect(h.apis().filter((c) => c.includes(' stop '))).toEqual([`uuid_record ${A} stop /rec/caller_${A}.wav`]);
    expect(recorded[0]!.legs.map((l) => [l.role, l.started])).toEqual([
      ['callee', false],
      ['caller', true],
    ]);
    expect(app.stats).toEqual({ recordings: 1, failedRecordings: 1, clipsPlayed: 1, calls: 1 });
  });

  it('records in stereo, with another format and on the inbound leg when asked', async () => {
    const recorded: CallRecording[] = [];
    const app = new PlayRec({ recordDir: '/rec/', format: 'mp3', stereo: true, playOn: 'inbound', clip: '/sounds/hello.wav', onRecorded: (r) => recorded.push(r) });
    const h = await harness(app);
    createPair(h);
    h.emit('CHANNEL_ANSWER', B, inboundOf(A));
    const play = await h.command(execute(B, 'playback'));
    expect(play.headers?.['execute-app-arg']).toBe('/sounds/hello.wav');
    expect(h.apis()).toEqual([`uuid_setvar ${B} RECORD_STEREO true`, `uuid_record ${B} start /rec/callee_${B}.mp3`]);
  });

  it('takes the recording directory from FreeSWITCH, else /tmp', async () => {
    const fromFs = new PlayRec();
    await harness(fromFs, { apiReply: (c) => (c === 'global_getvar recordings_dir' ? '/var/lib/freeswitch/recordings' : '+OK\n') });
    expect(fromFs.recordDir).toBe('/var/lib/freeswitch/recordings');
    const unset = new PlayRec();
    await harness(unset, { apiReply: (c) => (c === 'global_getvar recordings_dir' ? '-ERR no reply\n' : '+OK\n') });
    expect(unset.recordDir).toBe('/tmp');
  });

  it('refuses bad options', () => {
    expect(() => new PlayRec({ clip: 'a b' })).toThrow(InvalidArgumentError);
    expect(() => new PlayRec({ loops: 0 })).toThrow(InvalidArgumentError);
    expect(() => new PlayRec({ format: 'w/v' })).toThrow(InvalidArgumentError);
    expect(() => new PlayRec({ recordDir: '/my recs' })).toThrow(InvalidArgumentError);
  });
});
