/**
 * The simulator's `socket` application against the real recording: the
 * recorded dialplan (`socket` -> `socket 127.0.0.1:8084 async full`), driven
 * with the recorded steps, must produce the same connect reply headers, in
 * the same order, and the same event sequence as FreeSWITCH 1.11 did.
 * Needs port 8084 (fixed by the recorded dialplan); skipped when it is taken.
 */
import { createServer } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { OutboundServer } from '../../../src/outbound/server.js';
import type { EslEvent } from '../../../src/protocol/event.js';
import { type Simulator, startSimulator } from '../../../src/sim/index.js';
import { readCapture } from '../../support/captures.js';
import { splitFrames } from '../../unit/outbound/fake-freeswitch.js';

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(false));
    probe.listen({ host: '127.0.0.1', port }, () => probe.close(() => resolve(true)));
  });
}

/** Event names of the recording's event frames, in order. */
function recordedEventNames(stream: Buffer): string[] {
  return splitFrames(stream)
    .filter((f) => f.contentType === 'text/event-plain')
    .map((f) => /\nEvent-Name: ([A-Z_]+)\n/.exec(`\n${f.bytes.toString('utf8').split('\n\n')[1]}`)?.[1] ?? '?');
}

let sim: Simulator | undefined;
let server: OutboundServer | undefined;
afterEach(async () => {
  await server?.close();
  await sim?.close();
});

describe('simulated socket application vs the outbound-async-full recording', () => {
  it('gives the same connect reply headers and event sequence', async (ctx) => {
    if (!(await portFree(8084))) ctx.skip();
    const capture = readCapture('outbound-async-full');
    const recordedHeaders = [...splitFrames(capture.in)[0]!.headers.keys()].filter((n) => n !== 'Content-Type' && n !== 'Reply-Text');
    sim = await startSimulator({ port: 0 });
    server = new OutboundServer({ port: 8084 });
    await server.listen();
    const result = new Promise<{ headers: string[]; events: string[]; getvar: string | undefined }>((resolve, reject) => {
      server!.on('session', async (_session, socket) => {
        const events: string[] = [];
        socket.on('event', (event: EslEvent) => events.push(event.name));
        try {
          await socket.sendmsg(undefined, { 'call-command': 'execute', 'execute-app-name': 'answer' });
          await socket.sendmsg(undefined, {
            'call-command': 'execute',
            'execute-app-name': 'playback',
            'execute-app-arg': 'tone_stream://%(300,0,440)',
            'event-lock': 'true',
          });
          const getvar = await socket.getvar('Unique-ID');
          await socket.sendmsg(undefined, { 'call-command': 'hangup', 'hangup-cause': 'NORMAL_CLEARING' });
          await socket.done;
          resolve({ headers: Object.keys(socket.channelData!.headers()), events, getvar });
        } catch (error) {
          reject(error);
        }
      });
    });
    expect(await sim.api('originate loopback/socket/switchyard &park()')).toMatch(/^\+OK /);
    const { headers, events, getvar } = await result;
    expect(headers).toEqual(recordedHeaders);
    expect(events).toEqual(recordedEventNames(capture.in));
    expect(getvar).toBeUndefined();
  });
});
