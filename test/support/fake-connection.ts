/**
 * An in-memory stand-in for Connection: the EventSource an EventListener reads
 * and the CommandSender a Client writes to, with every command recorded and
 * the replies scripted by the test. Events are fed with `emitEvent`.
 */

import { EventEmitter } from 'eventemitter3';
import type { CommandSender } from '../../src/client/client.js';
import type { DisconnectInfo, ReconnectedInfo } from '../../src/connection/types.js';
import { CommandError } from '../../src/errors.js';
import type { EventSource, EventSourceEvents } from '../../src/listener/types.js';
import { EslEvent } from '../../src/protocol/event.js';
import type { EventFormat } from '../../src/protocol/names.js';

export interface SentCommand {
  readonly kind: 'api' | 'bgapi' | 'sendmsg' | 'subscribe' | 'unsubscribe';
  readonly command: string;
  readonly jobUuid?: string;
  readonly uuid?: string | undefined;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string | undefined;
}

type Reply = string | Promise<string>;

export class FakeConnection extends EventEmitter<EventSourceEvents> implements EventSource, CommandSender {
  readonly sent: SentCommand[] = [];
  connected = false;
  closed = false;
  /** Scripted `api` replies; default `+OK\n`. */
  onApi: (command: string) => Reply = () => '+OK\n';
  /** Scripted `bgapi` replies (the Reply-Text); default `+OK Job-UUID: <uuid>`. */
  onBgapi: (command: string, jobUuid: string) => Reply = (_c, jobUuid) => `+OK Job-UUID: ${jobUuid}`;
  /** Scripted `sendmsg` replies; default `+OK`. */
  onSendmsg: (uuid: string | undefined, headers: Readonly<Record<string, string>>) => Reply = () => '+OK';
  /** Scripted `event`/`nixevent` replies; default `+OK event listener enabled plain`. */
  onSubscribe: (events: readonly string[]) => Reply = () => '+OK event listener enabled plain';

  async connect(): Promise<void> {
    this.connected = true;
  }

  async close(): Promise<void> {
    this.closed = true;
    this.connected = false;
  }

  async api(command: string): Promise<string> {
    this.sent.push({ kind: 'api', command });
    return this.onApi(command);
  }

  async bgapi(command: string, options: { readonly jobUuid?: string }): Promise<{ jobUuid: string; reply: string }> {
    const jobUuid = options.jobUuid ?? 'no-job-uuid';
    this.sent.push({ kind: 'bgapi', command, jobUuid });
    const reply = await this.onBgapi(command, jobUuid);
    if (!reply.startsWith('+OK')) throw new CommandError(`bgapi ${command}`, reply);
    return { jobUuid, reply };
  }

  async sendmsg(uuid: string | undefined, headers: Readonly<Record<string, string>>, body?: string): Promise<string> {
    this.sent.push({ kind: 'sendmsg', command: `sendmsg ${uuid ?? ''}`.trim(), uuid, headers, body });
    const reply = await this.onSendmsg(uuid, headers);
    if (reply.startsWith('-ERR')) throw new CommandError(`sendmsg ${uuid ?? ''}`, reply);
    return reply;
  }

  async subscribe(events: readonly string[], format: EventFormat = 'plain'): Promise<string> {
    this.sent.push({ kind: 'subscribe', command: `event ${format} ${events.join(' ')}` });
    const reply = await this.onSubscribe(events);
    if (reply.startsWith('-ERR')) throw new CommandError(`event ${format}`, reply);
    return reply;
  }

  async unsubscribe(events: readonly string[]): Promise<string> {
    this.sent.push({ kind: 'unsubscribe', command: `nixevent ${events.join(' ')}` });
    return '+OK no longer listening';
  }

  /** Feeds one event to the listener. */
  emitEvent(event: EslEvent | Record<string, string>, body?: string): EslEvent {
    const ev = event instanceof EslEvent ? event : EslEvent.fromHeaders(event, body);
    this.emit('event', ev);
    return ev;
  }

  drop(info: DisconnectInfo = { reason: 'socket' }): void {
    this.emit('disconnected', info);
  }

  restore(info: ReconnectedInfo = { gapMs: 1200, attempts: 1 }): void {
    this.emit('reconnected', info);
  }

  /** Commands of one kind, in order. */
  commands(kind: SentCommand['kind']): string[] {
    return this.sent.filter((c) => c.kind === kind).map((c) => c.command);
  }
}

let seq = 0;

/**
 * A channel event with the headers FreeSWITCH always sends for one
 * (switch_channel_event_set_basic_data), plus `extra`.
 */
export function channelEvent(name: string, uuid: string, extra: Record<string, string> = {}): Record<string, string> {
  seq++;
  return {
    'Event-Name': name,
    'Core-UUID': 'ec1f942b-6fa2-4521-9203-6994b0040e35',
    'Event-Date-Timestamp': String(1_795_472_610_000_000 + seq * 1000),
    'Event-Sequence': String(seq),
    'Unique-ID': uuid,
    'Call-Direction': 'outbound',
    'Channel-Name': `loopback/${uuid.slice(0, 8)}`,
    variable_uuid: uuid,
    variable_call_uuid: uuid,
    ...extra,
  };
}

/** The BACKGROUND_JOB event api_exec() fires (body = the command's output). */
export function backgroundJob(jobUuid: string, body: string, command = 'originate'): EslEvent {
  return EslEvent.fromHeaders(
    { 'Event-Name': 'BACKGROUND_JOB', 'Job-UUID': jobUuid, 'Job-Command': command, 'Content-Length': String(body.length) },
    body,
  );
}
