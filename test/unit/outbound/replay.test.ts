/**
 * The real outbound recording (outbound-async-full: FreeSWITCH 1.11's
 * `socket 127.0.0.1:8084 async full`) replayed byte for byte against an
 * OutboundServer: what the server writes must be exactly what the recording
 * server wrote, and the Session must follow the channel.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Session } from '../../../src/models/session.js';
import type { OutboundSocket } from '../../../src/outbound/socket.js';
import { OutboundServer } from '../../../src/outbound/server.js';
import type { EslEvent } from '../../../src/protocol/event.js';
import { readCapture } from '../../support/captures.js';
import { isReply, playFrames, splitFrames } from './fake-freeswitch.js';

const UUID = '50829383-5e3c-46ce-89b0-c82d27d47f6f';

let server: OutboundServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

interface Seen {
  session: Session;
  socket: OutboundSocket;
  events: string[];
  getvar: string | undefined;
  lingerTime: number | undefined;
  answeredAfterAnswer: boolean;
}

/** The recording server's steps: answer, a tone, getvar, hangup; `exit` comes from the linger handling. */
function recordedScript(srv: OutboundServer): Promise<Seen> {
  return new Promise((resolve, reject) => {
    srv.on('session', async (session, socket) => {
      const events: string[] = [];
      let lingerTime: number | undefined;
      socket.on('event', (event: EslEvent) => events.push(event.name));
      socket.on('linger', (notice) => {
        lingerTime = notice.lingerTime;
      });
      try {
        await socket.sendmsg(undefined, { 'call-command': 'execute', 'execute-app-name': 'answer' });
        await socket.sendmsg(session.uuid, {
          'call-command': 'execute',
          'execute-app-name': 'playback',
          'execute-app-arg': 'tone_stream://%(300,0,440)',
          'event-lock': 'true',
        });
        const answeredAfterAnswer = session.answered;
        const getvar = await socket.getvar('Unique-ID');
        await socket.sendmsg(undefined, { 'call-command': 'hangup', 'hangup-cause': 'NORMAL_CLEARING' });
        await socket.done;
        resolve({ session, socket, events, getvar, lingerTime, answeredAfterAnswer });
      } catch (error) {
        reject(error);
      }
    });
  });
}

describe('outbound-async-full replay', () => {
  const capture = readCapture('outbound-async-full');
  const frames = splitFrames(capture.in);

  it('splits the recording into its frames: 8 replies, 11 events, 2 notices', () => {
    expect(frames.length).toBe(21);
    expect(frames.filter((f) => f.contentType === 'text/disconnect-notice').length).toBe(2);
    expect(frames.filter(isReply).length).toBe(8);
    expect(Buffer.concat(frames.map((f) => f.bytes)).equals(capture.in)).toBe(true);
  });

  it('writes exactly what the recording server wrote and drives the Session', async () => {
    server = new OutboundServer({ port: 0 });
    const { port } = await server.listen();
    const seen = recordedScript(server);
    const call = playFrames(port, frames);
    const [result, written] = await Promise.all([seen, call.written]);

    expect(written.toString('utf8')).toBe(capture.out.toString('utf8'));
    expect(written.equals(capture.out)).toBe(true);

    const { session, socket } = result;
    expect(session.uuid).toBe(UUID);
    expect(socket.uuid).toBe(UUID);
    expect(socket.socketMode).toBe('async');
    expect(socket.control).toBe('full');
    const data = socket.channelData!;
    expect(data.name).toBe('CHANNEL_DATA');
    expect(data.get('Channel-Callee-ID-Name')).toBe('Outbound Call');
    expect(data.get('variable_current_application_data')).toBe('127.0.0.1:8084 async full');
    expect(data.get('Event-Date-Local')).toBe('2026-11-23 22:33:09');
    expect(data.get('FreeSWITCH-IPv6')).toBe('fd00::2');
    expect(data.get('Reply-Text')).toBeUndefined();

    expect(result.getvar).toBeUndefined();
    expect(result.lingerTime).toBe(-1);
    expect(result.events).toEqual([
      'CHANNEL_EXECUTE',
      'CHANNEL_ANSWER',
      'CHANNEL_EXECUTE_COMPLETE',
      'CHANNEL_EXECUTE',
      'CHANNEL_EXECUTE_COMPLETE',
      'CHANNEL_HANGUP',
      'CHANNEL_UNPARK',
      'CHANNEL_EXECUTE_COMPLETE',
      'CHANNEL_STATE',
      'CHANNEL_STATE',
      'CHANNEL_HANGUP_COMPLETE',
    ]);
    expect(session.answered).toBe(true);
    expect(session.hungup).toBe(true);
    expect(session.hangupCause).toBe('NORMAL_CLEARING');
    expect(session.times.answered).toBe(1795473189443.891);
    expect(session.times.hungup).toBe(1795473190063.9);
    expect(session.get('variable_hangup_cause')).toBe('NORMAL_CLEARING');
    expect(session.closedReason).toBe('closed');
    expect((await socket.done).reason).toBe('closed');
    expect(server.sockets.size).toBe(0);
  });
});
