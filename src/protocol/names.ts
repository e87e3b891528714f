/**
 * Names as FreeSWITCH spells them on the wire (switch_event.c, mod_event_socket.c).
 * Use these rather than string literals scattered through the code.
 */

export const ContentType = {
  AuthRequest: 'auth/request',
  CommandReply: 'command/reply',
  ApiResponse: 'api/response',
  EventPlain: 'text/event-plain',
  EventJson: 'text/event-json',
  EventXml: 'text/event-xml',
  LogData: 'log/data',
  DisconnectNotice: 'text/disconnect-notice',
  RudeRejection: 'text/rude-rejection',
} as const;
export type ContentType = (typeof ContentType)[keyof typeof ContentType];

export type EventFormat = 'plain' | 'json' | 'xml';

export const Header = {
  ContentType: 'Content-Type',
  ContentLength: 'Content-Length',
  ContentDisposition: 'Content-Disposition',
  ReplyText: 'Reply-Text',
  JobUuid: 'Job-UUID',
  EventName: 'Event-Name',
  EventSubclass: 'Event-Subclass',
  EventDateTimestamp: 'Event-Date-Timestamp',
  EventSequence: 'Event-Sequence',
  CoreUuid: 'Core-UUID',
  UniqueId: 'Unique-ID',
  OtherLegUniqueId: 'Other-Leg-Unique-ID',
  ChannelState: 'Channel-State',
  ChannelCallState: 'Channel-Call-State',
  AnswerState: 'Answer-State',
  CallDirection: 'Call-Direction',
  HangupCause: 'Hangup-Cause',
  CallerCallerIdName: 'Caller-Caller-ID-Name',
  CallerCallerIdNumber: 'Caller-Caller-ID-Number',
  CallerDestinationNumber: 'Caller-Destination-Number',
  Application: 'Application',
  ApplicationData: 'Application-Data',
  ApplicationResponse: 'Application-Response',
  ApplicationUuid: 'Application-UUID',
  DtmfDigit: 'DTMF-Digit',
  DtmfDuration: 'DTMF-Duration',
  JobCommand: 'Job-Command',
  JobCommandArg: 'Job-Command-Arg',
} as const;
export type HeaderName = (typeof Header)[keyof typeof Header];

export const EventName = {
  ALL: 'ALL',
  CUSTOM: 'CUSTOM',
  CHANNEL_CREATE: 'CHANNEL_CREATE',
  CHANNEL_DESTROY: 'CHANNEL_DESTROY',
  CHANNEL_STATE: 'CHANNEL_STATE',
  CHANNEL_CALLSTATE: 'CHANNEL_CALLSTATE',
  CHANNEL_ANSWER: 'CHANNEL_ANSWER',
  CHANNEL_HANGUP: 'CHANNEL_HANGUP',
  CHANNEL_HANGUP_COMPLETE: 'CHANNEL_HANGUP_COMPLETE',
  CHANNEL_EXECUTE: 'CHANNEL_EXECUTE',
  CHANNEL_EXECUTE_COMPLETE: 'CHANNEL_EXECUTE_COMPLETE',
  CHANNEL_BRIDGE: 'CHANNEL_BRIDGE',
  CHANNEL_UNBRIDGE: 'CHANNEL_UNBRIDGE',
  CHANNEL_PROGRESS: 'CHANNEL_PROGRESS',
  CHANNEL_PROGRESS_MEDIA: 'CHANNEL_PROGRESS_MEDIA',
  CHANNEL_OUTGOING: 'CHANNEL_OUTGOING',
  CHANNEL_PARK: 'CHANNEL_PARK',
  CHANNEL_UNPARK: 'CHANNEL_UNPARK',
  CHANNEL_ORIGINATE: 'CHANNEL_ORIGINATE',
  CHANNEL_UUID: 'CHANNEL_UUID',
  CHANNEL_DATA: 'CHANNEL_DATA',
  CALL_UPDATE: 'CALL_UPDATE',
  CODEC: 'CODEC',
  DTMF: 'DTMF',
  API: 'API',
  BACKGROUND_JOB: 'BACKGROUND_JOB',
  HEARTBEAT: 'HEARTBEAT',
  RE_SCHEDULE: 'RE_SCHEDULE',
  PLAYBACK_START: 'PLAYBACK_START',
  PLAYBACK_STOP: 'PLAYBACK_STOP',
  RECORD_START: 'RECORD_START',
  RECORD_STOP: 'RECORD_STOP',
  PRIVATE_COMMAND: 'PRIVATE_COMMAND',
  COMMAND: 'COMMAND',
  SHUTDOWN: 'SHUTDOWN',
} as const;
export type EventName = (typeof EventName)[keyof typeof EventName];
