/**
 * Hangup causes as switch_channel.c names them (CAUSE_CHART), their Q.850
 * numbers (switch_channel_cause_q850: internal causes above 127 report 16),
 * and the SIP status mod_sofia answers with for a few of them
 * (sofia_glue.c hangup_cause_to_sip).
 */

const CAUSES: Readonly<Record<string, number>> = {
  UNSPECIFIED: 0,
  UNALLOCATED_NUMBER: 1,
  NO_ROUTE_TRANSIT_NET: 2,
  NO_ROUTE_DESTINATION: 3,
  CHANNEL_UNACCEPTABLE: 6,
  CALL_AWARDED_DELIVERED: 7,
  NORMAL_CLEARING: 16,
  USER_BUSY: 17,
  NO_USER_RESPONSE: 18,
  NO_ANSWER: 19,
  SUBSCRIBER_ABSENT: 20,
  CALL_REJECTED: 21,
  NUMBER_CHANGED: 22,
  REDIRECTION_TO_NEW_DESTINATION: 23,
  EXCHANGE_ROUTING_ERROR: 25,
  DESTINATION_OUT_OF_ORDER: 27,
  INVALID_NUMBER_FORMAT: 28,
  FACILITY_REJECTED: 29,
  RESPONSE_TO_STATUS_ENQUIRY: 30,
  NORMAL_UNSPECIFIED: 31,
  NORMAL_CIRCUIT_CONGESTION: 34,
  NETWORK_OUT_OF_ORDER: 38,
  NORMAL_TEMPORARY_FAILURE: 41,
  SWITCH_CONGESTION: 42,
  ACCESS_INFO_DISCARDED: 43,
  REQUESTED_CHAN_UNAVAIL: 44,
  PRE_EMPTED: 45,
  FACILITY_NOT_SUBSCRIBED: 50,
  OUTGOING_CALL_BARRED: 52,
  INCOMING_CALL_BARRED: 54,
  BEARERCAPABILITY_NOTAUTH: 57,
  BEARERCAPABILITY_NOTAVAIL: 58,
  SERVICE_UNAVAILABLE: 63,
  BEARERCAPABILITY_NOTIMPL: 65,
  CHAN_NOT_IMPLEMENTED: 66,
  FACILITY_NOT_IMPLEMENTED: 69,
  SERVICE_NOT_IMPLEMENTED: 79,
  INVALID_CALL_REFERENCE: 81,
  INCOMPATIBLE_DESTINATION: 88,
  INVALID_MSG_UNSPECIFIED: 95,
  MANDATORY_IE_MISSING: 96,
  MESSAGE_TYPE_NONEXIST: 97,
  WRONG_MESSAGE: 98,
  IE_NONEXIST: 99,
  INVALID_IE_CONTENTS: 100,
  WRONG_CALL_STATE: 101,
  RECOVERY_ON_TIMER_EXPIRE: 102,
  MANDATORY_IE_LENGTH_ERROR: 103,
  PROTOCOL_ERROR: 111,
  INTERWORKING: 127,
  SUCCESS: 142,
  ORIGINATOR_CANCEL: 487,
  CRASH: 700,
  SYSTEM_SHUTDOWN: 701,
  LOSE_RACE: 502,
  MANAGER_REQUEST: 503,
  BLIND_TRANSFER: 600,
  ATTENDED_TRANSFER: 601,
  ALLOTTED_TIMEOUT: 602,
  USER_CHALLENGE: 603,
  MEDIA_TIMEOUT: 604,
  PICKED_OFF: 605,
  USER_NOT_REGISTERED: 606,
  PROGRESS_TIMEOUT: 607,
  INVALID_GATEWAY: 608,
  GATEWAY_DOWN: 609,
  INVALID_URL: 610,
  INVALID_PROFILE: 611,
  NO_PICKUP: 612,
  SRTP_READ_ERROR: 613,
};

const BY_NUMBER = new Map<number, string>(Object.entries(CAUSES).map(([name, n]) => [n, name]));

/** switch_channel_str2cause: a name (any case) or a number; undefined when unknown. */
export function parseCause(text: string): string | undefined {
  const t = text.trim();
  if (t === '') return undefined;
  if (/^\d+$/.test(t)) return BY_NUMBER.get(Number(t));
  const upper = t.toUpperCase();
  return upper in CAUSES ? upper : undefined;
}

export function isCause(name: string): boolean {
  return name in CAUSES;
}

/** switch_channel_cause_q850. */
export function causeQ850(name: string): number {
  const n = CAUSES[name] ?? 16;
  return n <= 127 ? n : 16;
}

/** The SIP final response a UAS sends for a cause (sofia_glue.c hangup_cause_to_sip). */
export function causeToSip(name: string): number {
  switch (name) {
    case 'UNALLOCATED_NUMBER':
    case 'NO_ROUTE_TRANSIT_NET':
    case 'NO_ROUTE_DESTINATION':
      return 404;
    case 'USER_BUSY':
      return 486;
    case 'NO_USER_RESPONSE':
      return 408;
    case 'NO_ANSWER':
    case 'SUBSCRIBER_ABSENT':
      return 480;
    case 'CALL_REJECTED':
      return 603;
    case 'NORMAL_TEMPORARY_FAILURE':
    case 'SWITCH_CONGESTION':
      return 503;
    case 'ORIGINATOR_CANCEL':
      return 487;
    default:
      return 480;
  }
}

/** The cause a SIP UAC reports for a final response (sofia_glue.c sofia_glue_sip_cause_to_freeswitch). */
export function sipToCause(status: number): string {
  switch (status) {
    case 404:
      return 'UNALLOCATED_NUMBER';
    case 486:
    case 600:
      return 'USER_BUSY';
    case 408:
      return 'RECOVERY_ON_TIMER_EXPIRE';
    case 480:
      return 'NO_USER_RESPONSE';
    case 487:
      return 'ORIGINATOR_CANCEL';
    case 503:
      return 'NORMAL_TEMPORARY_FAILURE';
    case 603:
      return 'CALL_REJECTED';
    default:
      return 'NORMAL_UNSPECIFIED';
  }
}
