import { describe, expect, it } from 'vitest';
import { MILLIWATT_TONE, TonePlay } from '../../../apps/tone-play.js';
import { InvalidArgumentError } from '../../../src/errors.js';
import { A, api, B, createPair, drained, execute, harness, inboundOf } from './harness.js';

describe('TonePlay', () => {
  it('answers the parked inbound leg, echoes on it, and broadcasts the tone on the answered outbound leg', async () => {
    const app = new TonePlay();
    const h = await harness(app);
    createPair(h);
    h.emit('CHANNEL_PARK', B, inboundOf(A));
    await h.command(api(`uuid_answer ${B}`));
    h.emit('CHANNEL_ANSWER', B, inboundOf(A));
    const echo = await h.command(execute(B, 'echo'));
    h.emit('CHANNEL_ANSWER', A);
    await h.command(api(`uuid_broadcast ${A} tone_stream://%(251,0,1004);loops=-1 aleg`));
    // The outbound leg parks after its answer: it is not answered again.
    h.emit('CHANNEL_PARK', A);
    expect(h.apis()).toEqual([`uuid_answer ${B}`, `uuid_broadcast ${A} tone_stream://%(251,0,1004);loops=-1 aleg`]);
    expect(echo.headers).toMatchObject({ 'call-command': 'execute', 'execute-app-name': 'echo' });
    expect(h.fake.commands('sendmsg')).toEqual([`sendmsg ${B}`]);
    expect(MILLIWATT_TONE).toBe('tone_stream://%(251,0,1004);loops=-1');
    // The echo lasts until the call ends; its completion is a normal end, not a failure.
    h.complete(echo);
    await drained();
    expect(app.stats).toEqual({ answered: 1, echoing: 1, tones: 1 });
  });

  it('plays the configured tone, and skips the echo and the answer when told to', async () => {
    const app = new TonePlay({ tone: 'tone_stream://%(1000,0,440)', echo: false, answer: false });
    const h = await harness(app);
    createPair(h);
    h.emit('CHANNEL_PARK', B, inboundOf(A));
    h.emit('CHANNEL_ANSWER', B, inboundOf(A));
    h.emit('CHANNEL_ANSWER', A);
    await h.command(api(`uuid_broadcast ${A} tone_stream://%(1000,0,440) aleg`));
    expect(h.apis()).toEqual([`uuid_broadcast ${A} tone_stream://%(1000,0,440) aleg`]);
    expect(h.fake.commands('sendmsg')).toEqual([]);
  });

  it('does not answer a leg that is already answered', async () => {
    const h = await harness(new TonePlay({ echo: false }));
    h.emit('CHANNEL_ANSWER', B, { 'Call-Direction': 'inbound' });
    h.emit('CHANNEL_PARK', B, { 'Call-Direction': 'inbound' });
    expect(h.apis()).toEqual([]);
  });

  it('refuses an empty tone or one with spaces', () => {
    expect(() => new TonePlay({ tone: '' })).toThrow(InvalidArgumentError);
    expect(() => new TonePlay({ tone: 'a b' })).toThrow(InvalidArgumentError);
  });
});
