/**
 * A simulated FreeSWITCH event: an ordered list of headers (duplicates allowed,
 * as switch_event.c allows them when a fired event is duplicated and re-typed,
 * e.g. a COMMAND turned PRIVATE_COMMAND), an optional body, and the bytes of
 * each wire format, encoded once however many listeners receive it.
 */
import type { EventFormat } from '../protocol/names.js';
import { serializeEvent } from '../protocol/serialize.js';
import { encodePlainEvent } from './plain-encoder.js';

export type HeaderList = Array<[string, string]>;

/** Where FreeSWITCH's code created the event (`Event-Calling-*`). */
export interface EventOrigin {
  readonly file: string;
  readonly func: string;
  readonly line: number;
}

export class SimEvent {
  readonly name: string;
  readonly subclass: string | undefined;
  readonly headers: HeaderList;
  body: string | undefined;
  readonly #encoded: Partial<Record<EventFormat, Buffer>> = {};

  constructor(name: string, headers: HeaderList, subclass?: string, body?: string) {
    this.name = name;
    this.subclass = subclass;
    this.headers = headers;
    this.body = body;
  }

  /** First value of a header, matched case-insensitively (switch_event_get_header). */
  get(name: string): string | undefined {
    for (const [k, v] of this.headers) {
      if (k === name) return v;
    }
    const lower = name.toLowerCase();
    for (const [k, v] of this.headers) {
      if (k.toLowerCase() === lower) return v;
    }
    return undefined;
  }

  add(name: string, value: string): this {
    this.headers.push([name, value]);
    return this;
  }

  /** The whole event frame for a listener in `format` (cached: events fan out). */
  encode(format: EventFormat): Buffer {
    let out = this.#encoded[format];
    if (out === undefined) {
      out = this.serialize(format);
      this.#encoded[format] = out;
    }
    return out;
  }

  protected serialize(format: EventFormat): Buffer {
    // Plain is what nearly every listener asks for: the simulator's fast path, same bytes.
    if (format === 'plain') return encodePlainEvent(this.headers, this.body);
    return serializeEvent(format, this.headers, this.body);
  }
}

/** Every event name switch_name_event() knows (switch_event.c EVENT_NAMES). */
export const KNOWN_EVENT_NAMES: ReadonlySet<string> = new Set(
  [
    'CUSTOM CLONE CHANNEL_CREATE CHANNEL_DESTROY CHANNEL_STATE CHANNEL_CALLSTATE CHANNEL_ANSWER',
    'CHANNEL_HANGUP CHANNEL_HANGUP_COMPLETE CHANNEL_EXECUTE CHANNEL_EXECUTE_COMPLETE CHANNEL_HOLD',
    'CHANNEL_UNHOLD CHANNEL_BRIDGE CHANNEL_UNBRIDGE CHANNEL_PROGRESS CHANNEL_PROGRESS_MEDIA',
    'CHANNEL_OUTGOING CHANNEL_PARK CHANNEL_UNPARK CHANNEL_APPLICATION CHANNEL_ORIGINATE CHANNEL_UUID',
    'API LOG INBOUND_CHAN OUTBOUND_CHAN STARTUP SHUTDOWN PUBLISH UNPUBLISH TALK NOTALK SESSION_CRASH',
    'MODULE_LOAD MODULE_UNLOAD DTMF MESSAGE PRESENCE_IN NOTIFY_IN PRESENCE_OUT PRESENCE_PROBE',
    'MESSAGE_WAITING MESSAGE_QUERY ROSTER CODEC BACKGROUND_JOB DETECTED_SPEECH DETECTED_TONE',
    'PRIVATE_COMMAND HEARTBEAT TRAP ADD_SCHEDULE DEL_SCHEDULE EXE_SCHEDULE RE_SCHEDULE RELOADXML',
    'NOTIFY PHONE_FEATURE PHONE_FEATURE_SUBSCRIBE SEND_MESSAGE RECV_MESSAGE REQUEST_PARAMS',
    'CHANNEL_DATA GENERAL COMMAND SESSION_HEARTBEAT CLIENT_DISCONNECTED SERVER_DISCONNECTED',
    'SEND_INFO RECV_INFO RECV_RTCP_MESSAGE SEND_RTCP_MESSAGE CALL_SECURE NAT RECORD_START',
    'RECORD_STOP PLAYBACK_START PLAYBACK_STOP CALL_UPDATE FAILURE SOCKET_DATA MEDIA_BUG_START',
    'MEDIA_BUG_STOP CONFERENCE_DATA_QUERY CONFERENCE_DATA CALL_SETUP_REQ CALL_SETUP_RESULT',
    'CALL_DETAIL DEVICE_STATE TEXT SHUTDOWN_REQUESTED ALL',
  ]
    .join(' ')
    .split(' '),
);

/**
 * switch_name_event(): the canonical name for a token, case-insensitively and
 * with an optional `SWITCH_EVENT_` prefix, or undefined when unknown.
 */
export function canonicalEventName(token: string): string | undefined {
  let upper = token.toUpperCase();
  if (upper.startsWith('SWITCH_EVENT_')) upper = upper.slice('SWITCH_EVENT_'.length);
  return KNOWN_EVENT_NAMES.has(upper) ? upper : undefined;
}
