/**
 * How long a simulated playback lasts. There is no audio: the simulator only
 * needs the time a file would take, to fire PLAYBACK_STOP and
 * CHANNEL_EXECUTE_COMPLETE when FreeSWITCH would.
 *
 * - `tone_stream://%(on,off,freq...)[;%(...)][;loops=N]` (mod_tone_stream,
 *   teletone): the sum of on+off of each segment, times loops; loops=-1 is
 *   endless.
 * - `silence_stream://MS` (mod_tone_stream): MS; negative or 0 is endless.
 * - anything else (a file): `defaultFileMs`.
 */

/** Endless: a ringback tone or silence that plays until something stops it. */
export const ENDLESS = Number.POSITIVE_INFINITY;

export function mediaDurationMs(path: string, defaultFileMs = 1000): number {
  const tone = /^tone_stream:\/\/(.*)$/.exec(path);
  if (tone) return toneDuration(tone[1]!);
  const silence = /^silence_stream:\/\/(-?\d+)/.exec(path);
  if (silence) {
    const ms = Number(silence[1]);
    return ms > 0 ? ms : ENDLESS;
  }
  return defaultFileMs;
}

function toneDuration(spec: string): number {
  let total = 0;
  let loops = 1;
  for (const part of spec.split(';')) {
    const loopMatch = /^\s*loops=(-?\d+)\s*$/.exec(part);
    if (loopMatch) {
      loops = Number(loopMatch[1]);
      continue;
    }
    for (const seg of part.matchAll(/%\(\s*(\d+)\s*,\s*(\d+)/g)) {
      total += Number(seg[1]) + Number(seg[2]);
    }
  }
  if (loops < 0) return ENDLESS;
  return total * Math.max(1, loops);
}

/** `Playback-File-Type`: the stream scheme, or the file extension. */
export function playbackFileType(path: string): string {
  const scheme = /^([a-z_]+):\/\//i.exec(path);
  if (scheme) return scheme[1]!;
  const ext = /\.([A-Za-z0-9]+)$/.exec(path);
  return ext ? ext[1]! : 'native';
}
