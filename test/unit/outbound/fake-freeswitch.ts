/**
 * A stand-in for FreeSWITCH's `socket` application in tests: it connects to
 * an OutboundServer and plays bytes back, a reply only once the command it
 * answers has arrived (replies are FIFO), events as soon as the replies
 * before them are out.
 */
import net from 'node:net';

export interface RawFrame {
  readonly bytes: Buffer;
  readonly contentType: string;
  readonly headers: ReadonlyMap<string, string>;
}

/** Splits a FreeSWITCH byte stream into frames (outer headers, then Content-Length bytes of body). */
export function splitFrames(stream: Buffer): RawFrame[] {
  const frames: RawFrame[] = [];
  let at = 0;
  while (at < stream.length) {
    const end = stream.indexOf('\n\n', at);
    if (end < 0) throw new Error(`unterminated frame at byte ${at}`);
    const headers = new Map<string, string>();
    for (const line of stream.toString('utf8', at, end).split('\n')) {
      const colon = line.indexOf(': ');
      if (colon > 0) headers.set(line.slice(0, colon), line.slice(colon + 2));
    }
    const length = Number(headers.get('Content-Length') ?? '0');
    const next = end + 2 + length;
    frames.push({ bytes: stream.subarray(at, next), contentType: headers.get('Content-Type') ?? '', headers });
    at = next;
  }
  return frames;
}

export const isReply = (frame: RawFrame): boolean => frame.contentType === 'command/reply' || frame.contentType === 'api/response';

/** Commands in what a client wrote: each ends with a blank line (none of ours has a body). */
export function splitCommands(bytes: Buffer): string[] {
  const text = bytes.toString('utf8');
  const parts = text.split('\n\n');
  parts.pop();
  return parts;
}

export interface FakeCall {
  /** Every byte the server wrote, once the socket has closed. */
  readonly written: Promise<Buffer>;
  readonly socket: net.Socket;
}

/**
 * Connects to 127.0.0.1:port and plays `frames`: each reply waits for its
 * command (the n-th reply for the n-th command). Closes after the last frame.
 */
export function playFrames(port: number, frames: readonly RawFrame[]): FakeCall {
  const socket = net.connect({ host: '127.0.0.1', port });
  const chunks: Buffer[] = [];
  let next = 0;
  let repliesSent = 0;
  let ended = false;
  const pump = (): void => {
    if (ended) return;
    const commands = splitCommands(Buffer.concat(chunks)).length;
    while (next < frames.length) {
      const frame = frames[next]!;
      if (isReply(frame) && repliesSent >= commands) return;
      if (isReply(frame)) repliesSent++;
      socket.write(frame.bytes);
      next++;
    }
    // Everything was said: FreeSWITCH closes after its last notice.
    ended = true;
    socket.end();
  };
  socket.on('connect', pump);
  socket.on('data', (chunk: Buffer) => {
    chunks.push(chunk);
    pump();
  });
  const written = new Promise<Buffer>((resolve) => {
    socket.on('close', () => resolve(Buffer.concat(chunks)));
  });
  socket.on('error', () => undefined);
  return { written, socket };
}

/**
 * A scripted peer: `respond` returns the bytes to write for each command
 * (or undefined to stay silent); it closes after `exit`, as FreeSWITCH does.
 */
export function scriptedCall(port: number, respond: (command: string, index: number) => Buffer | string | undefined): FakeCall {
  const socket = net.connect({ host: '127.0.0.1', port });
  const chunks: Buffer[] = [];
  let handled = 0;
  socket.on('data', (chunk: Buffer) => {
    chunks.push(chunk);
    const commands = splitCommands(Buffer.concat(chunks));
    while (handled < commands.length) {
      const command = commands[handled]!;
      const out = respond(command, handled);
      handled++;
      if (out !== undefined) socket.write(out);
      // FreeSWITCH closes the socket once it has answered `exit`.
      if (command === 'exit') socket.end();
    }
  });
  const written = new Promise<Buffer>((resolve) => {
    socket.on('close', () => resolve(Buffer.concat(chunks)));
  });
  socket.on('error', () => undefined);
  return { written, socket };
}
