import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CallRecording, PlayRec } from '../../../apps/play-rec.js';
import { destroyed, Probe, type Stack, startStack } from './harness.js';

let stack: Stack;

beforeAll(async () => {
  stack = await startStack();
});

afterAll(async () => {
  await stack.close();
});

const CLIP = 'tone_stream://%(150,0,1004)';

/** Loads PlayRec under `appId`, places one loopback call and resolves with its recording report. */
async function oneCall(appId: string, probe: Probe): Promise<{ app: PlayRec; uuid: string; peer: string; info: CallRecording }> {
  const { client, listener } = stack;
  let got!: (info: CallRecording) => void;
  const recorded = new Promise<CallRecording>((resolve) => {
    got = resolve;
  });
  const app = new PlayRec({ clip: CLIP, loops: 2, recordDir: '/recordings', onRecorded: got });
  await client.loadApp(app, { appId });
  await client.loadApp(probe.app, { appId });
  const uuid = await client.originate({ dest: 'loopback/park/switchyard', appId }).result({ timeout: 10_000 });
  const a = listener.sessions.get(uuid)!;
  const b = a.call!.peer(a)!;
  const info = await recorded;
  await Promise.all([destroyed(a), destroyed(b)]);
  return { app, uuid, peer: b.uuid, info };
}

describe('PlayRec over the simulator', () => {
  // PlayRec waits for each playback's CHANNEL_EXECUTE_COMPLETE, matched by the sendmsg's Event-UUID.
  it('plays the clip loops times on the outbound leg, then hangs the call up', async () => {
    const plays = new Probe(['PLAYBACK_START']);
    try {
      const { app, uuid, info } = await oneCall('playrec', plays);
      expect(plays.seen.map((s) => [s.uuid, s.event.get('Playback-File-Path')])).toEqual([
        [uuid, CLIP],
        [uuid, CLIP],
      ]);
      expect(info.clipPlayed).toBe(true);
      expect(info.legs.map((l) => [l.role, l.path])).toEqual([
        ['callee', `/recordings/callee_${info.legs[0]!.uuid}.wav`],
        ['caller', `/recordings/caller_${uuid}.wav`],
      ]);
      expect(app.stats).toEqual({ recordings: 2, failedRecordings: 0, clipsPlayed: 1, calls: 1 });
      expect(stack.sim.channels()).toEqual([]);
    } finally {
      await stack.client.unloadApp('playrec');
    }
  });

  it('records both legs and stops the recordings before the hangup (uuid_record, RECORD_START/RECORD_STOP)', async () => {
    const records = new Probe(['RECORD_START', 'RECORD_STOP']);
    try {
      const { app, uuid, peer, info } = await oneCall('playrec-rec', records);
      expect(info.legs).toEqual([
        { uuid: peer, role: 'callee', path: `/recordings/callee_${peer}.wav`, started: true, stoppedBy: 'app' },
        { uuid, role: 'caller', path: `/recordings/caller_${uuid}.wav`, started: true, stoppedBy: 'app' },
      ]);
      const starts = records.seen.filter((s) => s.name === 'RECORD_START').map((s) => s.event.get('Record-File-Path'));
      const stops = records.seen.filter((s) => s.name === 'RECORD_STOP').map((s) => s.event.get('Record-File-Path'));
      expect(new Set(starts)).toEqual(new Set(info.legs.map((l) => l.path)));
      expect(new Set(stops)).toEqual(new Set(info.legs.map((l) => l.path)));
      expect(app.stats).toEqual({ recordings: 2, failedRecordings: 0, clipsPlayed: 1, calls: 1 });
    } finally {
      await stack.client.unloadApp('playrec-rec');
    }
  });
});
