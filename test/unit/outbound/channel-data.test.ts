/**
 * The connect reply of a real outbound socket (outbound-async-full), parsed
 * after the bytes arrive whole, byte by byte and split at random points.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CommandError, ProtocolError } from '../../../src/errors.js';
import { type ChannelData, parseConnectReply } from '../../../src/outbound/channel-data.js';
import type { Frame } from '../../../src/protocol/frame.js';
import { EslParser } from '../../../src/protocol/parser.js';
import { readCapture } from '../../support/captures.js';
import { splitFrames } from './fake-freeswitch.js';

const connectReply = splitFrames(readCapture('outbound-async-full').in)[0]!.bytes;

function parseChunks(chunks: readonly Buffer[]): ChannelData {
  const frames: Frame[] = [];
  const parser = new EslParser((frame) => frames.push(frame));
  for (const chunk of chunks) parser.write(chunk);
  expect(frames.length).toBe(1);
  return parseConnectReply(frames[0]!);
}

function expectRecorded(data: ChannelData): void {
  expect(data.uuid).toBe('50829383-5e3c-46ce-89b0-c82d27d47f6f');
  expect(data.socketMode).toBe('async');
  expect(data.control).toBe('full');
  expect(data.event.name).toBe('CHANNEL_DATA');
  expect(data.event.get('Caller-Destination-Number')).toBe('socket');
  expect(data.event.get('Event-Date-GMT')).toBe('Mon, 23 Nov 2026 22:33:09 GMT');
  expect(data.event.get('variable_socket_host')).toBe('127.0.0.1');
  expect(data.event.get('Answer-State')).toBe('ringing');
  expect(data.event.get('Content-Type')).toBeUndefined();
  // 99 channel headers, Socket-Mode and Control; not Content-Type or Reply-Text.
  expect(Object.keys(data.event.headers()).length).toBe(101);
}

describe('parseConnectReply', () => {
  it('reads the recorded reply in one chunk', () => {
    expectRecorded(parseChunks([connectReply]));
  });

  it('reads it byte by byte', () => {
    expectRecorded(parseChunks([...connectReply].map((b) => Buffer.of(b))));
  });

  it('reads it split at random points', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.integer({ min: 1, max: connectReply.length - 1 }), { maxLength: 20 }), (cuts) => {
        const points = [0, ...cuts.sort((a, b) => a - b), connectReply.length];
        const chunks = points.slice(1).map((end, i) => connectReply.subarray(points[i]!, end));
        expectRecorded(parseChunks(chunks));
      }),
      { numRuns: 50 },
    );
  });

  it('says static and single-channel when FreeSWITCH does', () => {
    const text = 'Event-Name: CHANNEL_DATA\nUnique-ID: u-1\nContent-Type: command/reply\nReply-Text: %2BOK%0A\nSocket-Mode: static\nControl: single-channel\n\n';
    const data = parseChunks([Buffer.from(text)]);
    expect([data.uuid, data.socketMode, data.control]).toEqual(['u-1', 'static', 'single-channel']);
  });

  it('refuses a -ERR reply with a CommandError keeping the text', () => {
    const frame: Frame = { contentType: 'command/reply', headers: { 'Content-Type': 'command/reply', 'Reply-Text': '-ERR nope' }, body: undefined };
    const error = (() => {
      try {
        parseConnectReply(frame);
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(CommandError);
    expect((error as CommandError).reply).toBe('-ERR nope');
  });

  it('refuses a reply naming no channel, or not a command/reply, with a ProtocolError', () => {
    const noUuid: Frame = { contentType: 'command/reply', headers: { 'Reply-Text': '%2BOK%0A' }, body: undefined };
    expect(() => parseConnectReply(noUuid)).toThrow(new ProtocolError('the connect reply names no channel (no Unique-ID)'));
    const event: Frame = { contentType: 'text/event-plain', headers: {}, body: Buffer.from('Event-Name: X\n\n') };
    expect(() => parseConnectReply(event)).toThrow(ProtocolError);
  });
});
