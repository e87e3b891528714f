/**
 * OutboundServer and OutboundSocket against a scripted peer standing in for
 * FreeSWITCH: what is sent in each mode, and how refusals, silence and
 * notices end up.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { CommandError, DisconnectedError, InvalidArgumentError, TimeoutError } from '../../../src/errors.js';
import type { Session } from '../../../src/models/session.js';
import { OutboundServer, type OutboundServerOptions } from '../../../src/outbound/server.js';
import type { OutboundSocket } from '../../../src/outbound/socket.js';
import { scriptedCall } from './fake-freeswitch.js';

const UUID = 'a1b2c3d4-0000-4000-8000-000000000001';

function connectReply(mode: { socket: 'async' | 'static'; control: 'full' | 'single-channel' }): string {
  return (
    `Event-Name: CHANNEL_DATA\nUnique-ID: ${UUID}\nChannel-Name: loopback/x-a\nAnswer-State: answered\n` +
    'Event-Date-Timestamp: 1700000000000000\nCaller-Caller-ID-Name: Caf%C3%A9\n' +
    `Content-Type: command/reply\nReply-Text: %2BOK%0A\nSocket-Mode: ${mode.socket}\nControl: ${mode.control}\n\n`
  );
}

const reply = (text: string): string => `Content-Type: command/reply\nReply-Text: ${text}\n\n`;

let server: OutboundServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function listen(options: OutboundServerOptions = {}): Promise<{ port: number; sessions: Promise<{ session: Session; socket: OutboundSocket }> }> {
  server = new OutboundServer({ port: 0, ...options });
  const sessions = new Promise<{ session: Session; socket: OutboundSocket }>((resolve) => {
    server!.on('session', (session, socket) => resolve({ session, socket }));
  });
  const { port } = await server.listen();
  return { port, sessions };
}

function nextError(): Promise<unknown> {
  return new Promise((resolve) => server!.once('sessionError', (error) => resolve(error)));
}

describe('OutboundServer handshake', () => {
  it('full mode: connect, then myevents and linger pipelined; the Session starts answered from CHANNEL_DATA', async () => {
    const { port, sessions } = await listen();
    const commands: string[] = [];
    scriptedCall(port, (command) => {
      commands.push(command);
      if (command === 'connect') return connectReply({ socket: 'async', control: 'full' });
      if (command === 'myevents') return reply('+OK Events Enabled');
      if (command === 'linger') return reply('+OK will linger');
      return reply('-ERR unexpected');
    });
    const { session, socket } = await sessions;
    expect(commands).toEqual(['connect', 'myevents', 'linger']);
    expect(session.uuid).toBe(UUID);
    expect(session.answered).toBe(true);
    expect(session.times.answered).toBe(1700000000000);
    expect(session.get('Caller-Caller-ID-Name')).toBe('Café');
    expect(socket.control).toBe('full');
  });

  it('linger seconds, divert_events and json events when asked', async () => {
    const { port, sessions } = await listen({ linger: 30, divertEvents: true, eventFormat: 'json' });
    const commands: string[] = [];
    scriptedCall(port, (command) => {
      commands.push(command);
      return command === 'connect' ? connectReply({ socket: 'async', control: 'full' }) : reply('+OK');
    });
    await sessions;
    expect(commands).toEqual(['connect', 'myevents json', 'linger 30', 'divert_events on']);
  });

  it('single-channel: no linger (FreeSWITCH refuses it); api verbs fail with a CommandError naming the mode; sendmsg goes without uuid', async () => {
    const { port, sessions } = await listen();
    const commands: string[] = [];
    scriptedCall(port, (command) => {
      commands.push(command);
      if (command === 'connect') return connectReply({ socket: 'static', control: 'single-channel' });
      if (command === 'myevents' || command.startsWith('sendmsg')) return reply('+OK');
      return reply('-ERR command not found');
    });
    const { session, socket } = await sessions;
    expect(socket.socketMode).toBe('static');
    const error = await session.hangup('USER_BUSY').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CommandError);
    expect((error as CommandError).command).toBe(`api uuid_kill ${UUID} USER_BUSY`);
    expect((error as CommandError).message).toBe(
      'api failed: -ERR command not found (api is refused on a single-channel outbound socket: use "socket host:port async full")',
    );
    await socket.sendmsg(UUID, { 'call-command': 'hangup', 'hangup-cause': 'USER_BUSY' });
    expect(commands).toEqual(['connect', 'myevents', `api uuid_kill ${UUID} USER_BUSY`, 'sendmsg\ncall-command: hangup\nhangup-cause: USER_BUSY']);
  });

  it('a connect refused with -ERR is a CommandError and the socket is closed', async () => {
    const { port } = await listen();
    const failed = nextError();
    const call = scriptedCall(port, () => reply('-ERR no session'));
    const error = await failed;
    expect(error).toBeInstanceOf(CommandError);
    expect((error as CommandError).reply).toBe('-ERR no session');
    expect((await call.written).toString()).toBe('connect\n\n');
  });

  it('a peer that never answers connect is dropped after the handshake timeout', async () => {
    const { port } = await listen({ handshakeTimeoutMs: 50 });
    const failed = nextError();
    const call = scriptedCall(port, () => undefined);
    const error = await failed;
    expect(error).toBeInstanceOf(TimeoutError);
    expect((error as TimeoutError).timeoutMs).toBe(50);
    await call.written;
    expect(server!.sockets.size).toBe(0);
  });

  it('a disconnect notice without linger closes the session and fails what is pending', async () => {
    const { port, sessions } = await listen({ linger: false });
    const call = scriptedCall(port, (command) => {
      if (command === 'connect') return connectReply({ socket: 'async', control: 'full' });
      if (command === 'myevents') return reply('+OK Events Enabled');
      // The channel hangs up while a command waits: FreeSWITCH says goodbye and closes.
      return 'Content-Type: text/disconnect-notice\nControlled-Session-UUID: x\nContent-Disposition: disconnect\nContent-Length: 12\n\nbye for now\n';
    });
    const { session, socket } = await sessions;
    const waiting = session.waitFor('CHANNEL_HANGUP_COMPLETE');
    const pending = socket.getvar('foo');
    const error = await pending.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DisconnectedError);
    expect((error as DisconnectedError).reason).toBe('notice');
    expect((error as Error).message).toBe('outbound socket 127.0.0.1:' + call.socket.localPort + ': bye for now');
    await expect(waiting).rejects.toThrow(DisconnectedError);
    expect((await socket.done).reason).toBe('notice');
    expect(session.closedReason).toBe('disconnected');
  });

  it('a peer that is not FreeSWITCH gets its connection dropped with a typed error, the server keeps serving', async () => {
    const { port } = await listen();
    const failed = nextError();
    const call = scriptedCall(port, () => 'HTTP/1.1 400 Bad Request\r\n\r\n');
    const error = await failed;
    expect(error).toBeInstanceOf(DisconnectedError);
    expect((error as DisconnectedError).reason).toBe('protocol');
    await call.written;
    expect(server!.sockets.size).toBe(0);
    expect(server!.address?.port).toBe(port);
  });

  it('with no session handler the socket is closed with exit', async () => {
    server = new OutboundServer({ port: 0 });
    const { port } = await server.listen();
    const call = scriptedCall(port, (command) => {
      if (command === 'connect') return connectReply({ socket: 'async', control: 'full' });
      if (command === 'exit') return `${reply('+OK bye')}Content-Type: text/disconnect-notice\nContent-Disposition: disconnect\nContent-Length: 3\n\nbye`;
      return reply('+OK');
    });
    const written = (await call.written).toString();
    expect(written).toBe('connect\n\nmyevents\n\nlinger\n\nexit\n\n');
  });

  it('refuses bad options up front', () => {
    expect(() => new OutboundServer({ port: 70000 })).toThrow(InvalidArgumentError);
    expect(() => new OutboundServer({ linger: -1 })).toThrow('linger must be true, false or whole seconds >= 0, got -1');
  });
});
