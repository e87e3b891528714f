/**
 * The reply to `connect` on an outbound socket. mod_event_socket.c
 * parse_command() builds a CHANNEL_DATA event (the caller profile as
 * `Channel-*`, then switch_channel_event_set_data()), adds `Content-Type:
 * command/reply`, `Reply-Text: +OK\n`, `Socket-Mode` and `Control`, and
 * writes it with switch_event_serialize(): every header is one outer header
 * of the reply frame, percent-encoded, and there is no body.
 */

import { CommandError, ProtocolError } from '../errors.js';
import { EslEvent } from '../protocol/event.js';
import type { Frame } from '../protocol/frame.js';
import { ContentType, Header } from '../protocol/names.js';
import { decodeHeaderValue } from '../protocol/parser.js';

/** `async`: sendmsg is queued and answered at once; `static`: each sendmsg runs before its reply. */
export type SocketMode = 'async' | 'static';
/** `full`: every ESL command; `single-channel`: only connect, myevents, getvar, resume, filter, divert_events, sendmsg. */
export type ControlMode = 'full' | 'single-channel';

export interface ChannelData {
  readonly uuid: string;
  /** The CHANNEL_DATA event the reply carries (values decoded). */
  readonly event: EslEvent;
  readonly socketMode: SocketMode;
  readonly control: ControlMode;
}

/** What `myevents` subscribes (parse_command, "myevents"): the channel's own events only. */
export const MYEVENTS: ReadonlySet<string> = new Set(
  (
    'CHANNEL_ANSWER CHANNEL_APPLICATION CHANNEL_BRIDGE CHANNEL_CREATE CHANNEL_DATA CHANNEL_DESTROY CHANNEL_EXECUTE ' +
    'CHANNEL_EXECUTE_COMPLETE CHANNEL_HANGUP CHANNEL_HANGUP_COMPLETE CHANNEL_ORIGINATE CHANNEL_UUID CHANNEL_OUTGOING ' +
    'CHANNEL_PARK CHANNEL_PROGRESS CHANNEL_PROGRESS_MEDIA CHANNEL_STATE CHANNEL_UNBRIDGE CHANNEL_UNPARK DETECTED_SPEECH DTMF NOTALK TALK'
  ).split(' '),
);

/** The reply's own headers, not the channel's. */
const FRAME_HEADERS: ReadonlySet<string> = new Set(['content-type', 'content-length', 'reply-text']);

export function parseConnectReply(frame: Frame): ChannelData {
  if (frame.contentType !== ContentType.CommandReply) {
    throw new ProtocolError(`connect was answered with ${JSON.stringify(frame.contentType)}, not command/reply`);
  }
  const reply = decodeHeaderValue(frame.headers[Header.ReplyText] ?? '').trim();
  if (!reply.startsWith('+OK')) throw new CommandError('connect', reply);
  const headers: Record<string, string> = {};
  for (const [name, raw] of Object.entries(frame.headers)) {
    if (FRAME_HEADERS.has(name.toLowerCase())) continue;
    headers[name] = decodeHeaderValue(raw);
  }
  const uuid = headers[Header.UniqueId] ?? headers['Channel-Unique-ID'];
  if (uuid === undefined || uuid === '') throw new ProtocolError('the connect reply names no channel (no Unique-ID)');
  headers[Header.EventName] ??= 'CHANNEL_DATA';
  return {
    uuid,
    event: EslEvent.fromHeaders(headers),
    socketMode: headers['Socket-Mode'] === 'async' ? 'async' : 'static',
    control: headers.Control === 'full' ? 'full' : 'single-channel',
  };
}
