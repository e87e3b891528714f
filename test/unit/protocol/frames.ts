/** Helpers shared by the protocol tests: parse a stream in chosen chunks, and compare frames/events by value. */
import { EslEvent } from '../../../src/protocol/event.js';
import type { Frame } from '../../../src/protocol/frame.js';
import { EslParser } from '../../../src/protocol/parser.js';

/** Parse `bytes` cut at the given offsets (ascending, inside the buffer). */
export function parseSplit(bytes: Buffer, cuts: readonly number[] = []): Frame[] {
  const frames: Frame[] = [];
  const parser = new EslParser((f) => frames.push(f));
  let from = 0;
  for (const cut of cuts) {
    if (cut <= from || cut >= bytes.length) continue;
    parser.write(bytes.subarray(from, cut));
    from = cut;
  }
  parser.write(bytes.subarray(from));
  return frames;
}

/** Parse one byte per write(). */
export function parseBytewise(bytes: Buffer): Frame[] {
  const frames: Frame[] = [];
  const parser = new EslParser((f) => frames.push(f));
  for (let i = 0; i < bytes.length; i++) parser.write(bytes.subarray(i, i + 1));
  return frames;
}

export interface FrameView {
  contentType: string;
  headers: Record<string, string>;
  body: string | undefined;
  event?: { format: string; name: string; entries: Array<[string, string]>; body: string | undefined };
}

/** A frame (and its event, when it is one) as plain comparable data; bodies as hex. */
export function view(frame: Frame): FrameView {
  const out: FrameView = {
    contentType: frame.contentType,
    headers: { ...frame.headers },
    body: frame.body?.toString('hex'),
  };
  if (frame.contentType.startsWith('text/event-')) {
    const ev = EslEvent.fromFrame(frame);
    out.event = { format: ev.format, name: ev.name, entries: ev.entries(), body: ev.body };
  }
  return out;
}

export function countByType(frames: readonly Frame[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const f of frames) counts[f.contentType] = (counts[f.contentType] ?? 0) + 1;
  return counts;
}
