/**
 * The channel variables mod_sofia sets on a SIP leg at each step of a call
 * (sofia.c, sofia_glue.c, switch_core_media.c), as the sip-call recording
 * shows them: on the outgoing INVITE, on the 200 OK, on the incoming INVITE,
 * on early media and answer, on BYE, and the RTP statistics at the end.
 * Values are plausible for a call over 127.0.0.1; tags, ports and ids are
 * random per call.
 */
import { randomBytes, randomInt, randomUUID } from 'node:crypto';
import type { SimChannel } from '../channel.js';
import { causeQ850 } from '../hangup-causes.js';

export const USER_AGENT = 'FreeSWITCH-mod_sofia/1.11.1-release~64bit';
const ALLOW = 'INVITE, ACK, BYE, CANCEL, OPTIONS, MESSAGE, INFO, UPDATE, REGISTER, REFER, NOTIFY';

/** Where a SIP leg sends to and what it negotiates; shared by both legs of a call to ourselves. */
export interface SipDialog {
  readonly profile: string;
  readonly user: string;
  readonly host: string;
  readonly port: number;
  /** The caller's number, the From user (0000000000 when none). */
  readonly fromUser: string;
  readonly fromHost: string;
  readonly callId: string;
  readonly fromTag: string;
  readonly toTag: string;
  readonly cseq: number;
  readonly branch: string;
  readonly localMediaPort: number;
  readonly remoteMediaPort: number;
}

const tag = (): string => randomBytes(9).toString('base64url').replace(/[-_]/g, 'x').slice(0, 13);

export function newDialog(profile: string, user: string, host: string, port: number, fromUser: string): SipDialog {
  return {
    profile,
    user,
    host,
    port,
    fromUser,
    fromHost: '127.0.0.1',
    callId: randomUUID(),
    fromTag: tag(),
    toTag: tag(),
    cseq: randomInt(1, 2 ** 30),
    branch: `z9hG4bK${tag()}`,
    localMediaPort: 16384 + 2 * randomInt(0, 8000),
    remoteMediaPort: 16384 + 2 * randomInt(0, 8000),
  };
}

const hostPort = (d: SipDialog): string => `${d.host}:${d.port}`;

export function sdp(port: number, withPcma: boolean, sendrecv: boolean): string {
  const session = randomInt(1_000_000, 2_000_000_000);
  const payloads = withPcma ? '0 8 101' : '0 101';
  return [
    'v=0',
    `o=FreeSWITCH ${session} ${session + 1} IN IP4 127.0.0.1`,
    's=FreeSWITCH',
    'c=IN IP4 127.0.0.1',
    't=0 0',
    `m=audio ${port} RTP/AVP ${payloads}`,
    'a=rtpmap:0 PCMU/8000',
    ...(withPcma ? ['a=rtpmap:8 PCMA/8000'] : []),
    'a=rtpmap:101 telephone-event/8000',
    'a=fmtp:101 0-15',
    'a=ptime:20',
    ...(sendrecv ? ['a=sendrecv'] : []),
    '',
  ].join('\n');
}

type Vars = Array<[string, string]>;

function setAll(ch: SimChannel, vars: Vars): void {
  for (const [k, v] of vars) ch.setVar(k, v);
}

/** The outgoing INVITE (sofia_glue_do_invite); `originateVars` are the dial string's. */
export function outboundInviteVars(ch: SimChannel, d: SipDialog, originateVars: ReadonlyArray<readonly [string, string]>): void {
  const contact = `sip:mod_sofia@${d.fromHost}:5080`;
  setAll(ch, [
    ['direction', 'outbound'],
    ['is_outbound', 'true'],
    ['uuid', ch.uuid],
    ['call_uuid', ch.callUuid],
    ['session_id', String(ch.sessionId)],
    ['sip_local_network_addr', d.fromHost],
    ['sip_profile_name', d.profile],
    ['video_media_flow', 'disabled'],
    ['text_media_flow', 'disabled'],
    ['channel_name', ch.name],
    ['sip_destination_url', `sip:${d.user}@${hostPort(d)}`],
    ...originateVars.map(([k, v]) => [k, v] as [string, string]),
    ['originate_early_media', 'true'],
    ['originate_endpoint', 'sofia'],
    ['rtp_use_codec_string', 'PCMU,PCMA'],
    ['local_media_ip', d.fromHost],
    ['local_media_port', String(d.localMediaPort)],
    ['advertised_media_ip', d.fromHost],
    ['audio_media_flow', 'sendrecv'],
    ['rtp_local_sdp_str', sdp(d.localMediaPort, true, true)],
    ['sip_outgoing_contact_uri', `<${contact}>`],
    ['sip_req_uri', `${d.user}@${hostPort(d)}`],
    ['sip_to_host', hostPort(d)],
    ['sip_from_host', d.fromHost],
    ['sofia_profile_name', d.profile],
    ['recovery_profile_name', d.profile],
    ['sofia_profile_url', contact],
  ]);
}

/** The media negotiated (switch_core_media.c), for either side once the SDP is agreed. */
function mediaVars(localPort: number, remotePort: number, ssrc: number): Vars {
  return [
    ['rtp_use_codec_string', 'PCMU,PCMA'],
    ['remote_video_media_flow', 'inactive'],
    ['remote_text_media_flow', 'inactive'],
    ['remote_audio_media_flow', 'sendrecv'],
    ['audio_media_flow', 'sendrecv'],
    ['rtp_audio_recv_pt', '0'],
    ['rtp_use_codec_name', 'PCMU'],
    ['rtp_use_codec_rate', '8000'],
    ['rtp_use_codec_ptime', '20'],
    ['rtp_use_codec_channels', '1'],
    ['rtp_last_audio_codec_string', 'PCMU@8000h@20i@1c'],
    ['read_codec', 'PCMU'],
    ['original_read_codec', 'PCMU'],
    ['read_rate', '8000'],
    ['original_read_rate', '8000'],
    ['write_codec', 'PCMU'],
    ['write_rate', '8000'],
    ['dtmf_type', 'rfc2833'],
    ['local_media_ip', '127.0.0.1'],
    ['local_media_port', String(localPort)],
    ['advertised_media_ip', '127.0.0.1'],
    ['rtp_use_timer_name', 'soft'],
    ['rtp_use_pt', '0'],
    ['rtp_use_ssrc', String(ssrc)],
    ['rtp_2833_send_payload', '101'],
    ['rtp_2833_recv_payload', '101'],
    ['remote_media_ip', '127.0.0.1'],
    ['remote_media_port', String(remotePort)],
  ];
}

/** The 200 OK to our INVITE (sofia_handle_sip_i_state, answer). */
export function outbound200Vars(ch: SimChannel, d: SipDialog): void {
  const to = `<sip:${d.user}@${hostPort(d)}>;tag=${d.toTag}`;
  setAll(ch, [
    ['sip_local_network_addr', d.fromHost],
    ['sip_reply_host', d.host],
    ['sip_reply_port', String(d.port)],
    ['sip_network_ip', d.host],
    ['sip_network_port', String(d.port)],
    ['sip_user_agent', USER_AGENT],
    ['sip_allow', ALLOW],
    ['sip_recover_contact', `<sip:${d.user}@${hostPort(d)};transport=udp>`],
    ['sip_full_via', `SIP/2.0/UDP ${d.fromHost}:5080;rport=5080;branch=${d.branch}`],
    ['sip_recover_via', `SIP/2.0/UDP ${d.fromHost}:5080;rport=5080;branch=${d.branch}`],
    ['sip_full_from', `<sip:${d.fromUser}@${d.fromHost}>;tag=${d.fromTag}`],
    ['sip_full_to', to],
    ['sip_from_user', d.fromUser],
    ['sip_from_uri', `${d.fromUser}@${d.fromHost}`],
    ['sip_from_host', d.fromHost],
    ['sip_to_user', d.user],
    ['sip_to_port', String(d.port)],
    ['sip_to_uri', `${d.user}@${hostPort(d)}`],
    ['sip_to_host', d.host],
    ['sip_contact_params', 'transport=udp'],
    ['sip_contact_user', d.user],
    ['sip_contact_port', String(d.port)],
    ['sip_contact_uri', `${d.user}@${hostPort(d)}`],
    ['sip_contact_host', d.host],
    ['sip_to_tag', d.toTag],
    ['sip_from_tag', d.fromTag],
    ['sip_cseq', String(d.cseq)],
    ['sip_call_id', d.callId],
    ['switch_r_sdp', sdp(d.remoteMediaPort, false, true)],
    ['ep_codec_string', 'CORE_PCM_MODULE.PCMU@8000h@20i@64000b'],
    ...mediaVars(d.localMediaPort, d.remoteMediaPort, randomInt(1, 2 ** 31)),
  ]);
}

/** The incoming INVITE (sofia_handle_sip_i_invite); X- headers arrive as sip_h_ variables. */
export function inboundInviteVars(ch: SimChannel, d: SipDialog, xHeaders: Vars): void {
  const from = `<sip:${d.fromUser}@${d.fromHost}>;tag=${d.fromTag}`;
  setAll(ch, [
    ['direction', 'inbound'],
    ['uuid', ch.uuid],
    ['call_uuid', ch.callUuid],
    ['session_id', String(ch.sessionId)],
    ['sip_from_user', d.fromUser],
    ['sip_from_uri', `${d.fromUser}@${d.fromHost}`],
    ['sip_from_host', d.fromHost],
    ['video_media_flow', 'disabled'],
    ['audio_media_flow', 'disabled'],
    ['text_media_flow', 'disabled'],
    ['channel_name', ch.name],
    ['sip_call_id', d.callId],
    ['sip_local_network_addr', d.host],
    ['sip_network_ip', d.fromHost],
    ['sip_network_port', '5080'],
    ['sip_invite_stamp', String(ch.times.created)],
    ['sip_received_ip', d.fromHost],
    ['sip_received_port', '5080'],
    ['sip_via_protocol', 'udp'],
    ['sip_from_user_stripped', d.fromUser],
    ['sip_from_tag', d.fromTag],
    ['sofia_profile_name', d.profile],
    ['sofia_profile_url', `sip:mod_sofia@${hostPort(d)}`],
    ['recovery_profile_name', d.profile],
    ['sip_Remote-Party-ID', `<sip:${d.fromUser}@${d.fromHost}>;party=calling;screen=yes;privacy=off`],
    ['sip_cid_type', 'rpid'],
    ['sip_full_via', `SIP/2.0/UDP ${d.fromHost}:5080;rport=5080;branch=${d.branch}`],
    ['sip_full_from', from],
    ['sip_full_to', `<sip:${d.user}@${hostPort(d)}>`],
    ['sip_allow', ALLOW],
    ['sip_req_user', d.user],
    ['sip_req_port', String(d.port)],
    ['sip_req_uri', `${d.user}@${hostPort(d)}`],
    ['sip_req_host', d.host],
    ['sip_to_user', d.user],
    ['sip_to_port', String(d.port)],
    ['sip_to_uri', `${d.user}@${hostPort(d)}`],
    ['sip_to_host', d.host],
    ['sip_contact_user', 'mod_sofia'],
    ['sip_contact_port', '5080'],
    ['sip_contact_uri', `mod_sofia@${d.fromHost}:5080`],
    ['sip_contact_host', d.fromHost],
    ['rtp_use_codec_string', 'PCMU,PCMA'],
    ['sip_user_agent', USER_AGENT],
    ['sip_via_host', d.fromHost],
    ['sip_via_port', '5080'],
    ['sip_via_rport', '5080'],
    ['max_forwards', '70'],
    ...xHeaders,
    ['switch_r_sdp', sdp(d.localMediaPort, true, false)],
    ['ep_codec_string', 'CORE_PCM_MODULE.PCMU@8000h@20i@64000b,CORE_PCM_MODULE.PCMA@8000h@20i@64000b'],
    ['endpoint_disposition', 'DELAYED NEGOTIATION'],
  ]);
}

/** 183 with SDP from the inbound leg (pre-answer). */
export function inboundEarlyVars(ch: SimChannel, d: SipDialog): void {
  setAll(ch, [
    ...mediaVars(d.remoteMediaPort, d.localMediaPort, randomInt(1, 2 ** 31)),
    ['endpoint_disposition', 'EARLY MEDIA'],
  ]);
}

export function inboundAnswerVars(ch: SimChannel, d: SipDialog): void {
  setAll(ch, [
    ['rtp_local_sdp_str', sdp(d.remoteMediaPort, false, true)],
    ['endpoint_disposition', 'ANSWER'],
  ]);
}

/** The ACK to our 200 OK. */
export function inboundAckVars(ch: SimChannel, d: SipDialog): void {
  setAll(ch, [
    ['sip_to_tag', d.toTag],
    ['sip_cseq', String(d.cseq)],
    ['sip_full_via', `SIP/2.0/UDP ${d.fromHost}:5080;rport=5080;branch=${d.branch}`],
    ['sip_full_from', `<sip:${d.fromUser}@${d.fromHost}>;tag=${d.fromTag}`],
    ['sip_full_to', `<sip:${d.user}@${hostPort(d)}>;tag=${d.toTag}`],
  ]);
}

/** A BYE received: the variables set before CHANNEL_HANGUP. */
export function byeReceivedVars(ch: SimChannel, cause: string): void {
  const q850 = causeQ850(cause);
  setAll(ch, [
    ['sip_reason', `Q.850;cause=${q850};text="${cause}"`],
    ['sip_term_status', '200'],
    ['proto_specific_hangup_cause', 'sip:200'],
    ['sip_term_cause', String(q850)],
    ['sip_user_agent', USER_AGENT],
  ]);
}

/** The RTP statistics written at hangup (switch_core_media.c set_stats). */
export function rtpStatsVars(ch: SimChannel, dtmfPacketsIn: number, dtmfPacketsOut: number): Vars {
  const answeredMs = ch.answered ? Math.max(0, Math.floor((ch.times.hungup - ch.times.answered) / 1000)) : 0;
  const packets = Math.floor(answeredMs / 20);
  const bytes = packets * 172;
  return [
    ['rtp_audio_in_raw_bytes', String(bytes)],
    ['rtp_audio_in_media_bytes', String(bytes)],
    ['rtp_audio_in_packet_count', String(packets + dtmfPacketsIn)],
    ['rtp_audio_in_media_packet_count', String(packets)],
    ['rtp_audio_in_skip_packet_count', '0'],
    ['rtp_audio_in_jitter_packet_count', '0'],
    ['rtp_audio_in_dtmf_packet_count', String(dtmfPacketsIn)],
    ['rtp_audio_in_cng_packet_count', '0'],
    ['rtp_audio_in_flush_packet_count', '0'],
    ['rtp_audio_in_largest_jb_size', '0'],
    ['rtp_audio_in_jitter_min_variance', '0.00'],
    ['rtp_audio_in_jitter_max_variance', '0.00'],
    ['rtp_audio_in_jitter_loss_rate', '0.00'],
    ['rtp_audio_in_jitter_burst_rate', '0.00'],
    ['rtp_audio_in_mean_interval', packets > 0 ? '20.00' : '0.00'],
    ['rtp_audio_in_flaw_total', '0'],
    ['rtp_audio_in_quality_percentage', '100.00'],
    ['rtp_audio_in_mos', '4.50'],
    ['rtp_audio_out_raw_bytes', String(bytes)],
    ['rtp_audio_out_media_bytes', String(bytes)],
    ['rtp_audio_out_packet_count', String(packets)],
    ['rtp_audio_out_media_packet_count', String(packets)],
    ['rtp_audio_out_skip_packet_count', '0'],
    ['rtp_audio_out_dtmf_packet_count', String(dtmfPacketsOut)],
    ['rtp_audio_out_cng_packet_count', '0'],
    ['rtp_audio_rtcp_packet_count', '0'],
    ['rtp_audio_rtcp_octet_count', '0'],
  ];
}
