/**
 * Playback durations (mod_tone_stream), FreeSWITCH's time formats and hangup
 * cause tables.
 */
import { describe, expect, it } from 'vitest';
import { formatGmt, formatLogStamp, formatUptime } from '../../../src/sim/clock.js';
import { causeQ850, causeToSip, parseCause, sipToCause } from '../../../src/sim/hangup-causes.js';
import { ENDLESS, mediaDurationMs, playbackFileType } from '../../../src/sim/media.js';

describe('media durations', () => {
  it('sums tone segments and repeats them', () => {
    expect(mediaDurationMs('tone_stream://%(300,0,440)')).toBe(300);
    expect(mediaDurationMs('tone_stream://%(100,50,440);%(200,0,350,440)')).toBe(350);
    expect(mediaDurationMs('tone_stream://%(100,100,440);loops=3')).toBe(600);
    expect(mediaDurationMs('tone_stream://%(2000,4000,440,480);loops=-1')).toBe(ENDLESS);
  });

  it('plays silence for its length and files for the default', () => {
    expect(mediaDurationMs('silence_stream://250')).toBe(250);
    expect(mediaDurationMs('silence_stream://-1')).toBe(ENDLESS);
    expect(mediaDurationMs('/tmp/prompt.wav', 1234)).toBe(1234);
    expect(playbackFileType('tone_stream://%(1,1,1)')).toBe('tone_stream');
    expect(playbackFileType('/tmp/prompt.wav')).toBe('wav');
  });
});

describe('time formats', () => {
  it('writes uptime like status and HEARTBEAT, singular when one', () => {
    const us = ((((365 + 1) * 24 + 1) * 60 + 12) * 60 + 42) * 1_000_000 + 264_659;
    expect(formatUptime(us)).toBe('1 year, 1 day, 1 hour, 12 minutes, 42 seconds, 264 milliseconds, 659 microseconds');
    expect(formatUptime(0)).toBe('0 years, 0 days, 0 hours, 0 minutes, 0 seconds, 0 milliseconds, 0 microseconds');
  });

  it('writes the GMT date and the log stamp with microseconds', () => {
    const us = Date.UTC(2026, 10, 23, 22, 23, 30) * 1000 + 543_915;
    expect(formatGmt(us)).toBe('Mon, 23 Nov 2026 22:23:30 GMT');
    expect(formatLogStamp(us)).toMatch(/^2026-11-2[34] \d\d:23:30\.543915$/);
  });
});

describe('hangup causes', () => {
  it('reads names in any case and Q.850 numbers', () => {
    expect(parseCause('user_busy')).toBe('USER_BUSY');
    expect(parseCause('17')).toBe('USER_BUSY');
    expect(parseCause('NOT_A_CAUSE')).toBeUndefined();
    expect(causeQ850('NORMAL_CLEARING')).toBe(16);
    expect(causeQ850('MANAGER_REQUEST')).toBe(16);
    expect(causeToSip('USER_BUSY')).toBe(486);
    expect(sipToCause(603)).toBe('CALL_REJECTED');
  });
});
