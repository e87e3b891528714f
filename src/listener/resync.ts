/**
 * Reconciling the session map with FreeSWITCH after events were missed (a
 * reconnect, or connecting while calls are up), from `show channels as json`
 * (mod_commands.c show_function over the core db's `channels` table):
 * `{"row_count":N,"rows":[{"uuid":...,"direction":...,"callstate":...}]}`,
 * or just `{"row_count":0}` when there are none.
 */

import { ProtocolError } from '../errors.js';
import { EslEvent } from '../protocol/event.js';

export interface ChannelRow {
  readonly uuid: string;
  readonly [column: string]: string | undefined;
}

export function parseChannels(body: string): ChannelRow[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch (error) {
    throw new ProtocolError(`show channels as json: not JSON: ${body.slice(0, 80)}`, { cause: error });
  }
  if (typeof parsed !== 'object' || parsed === null || !('row_count' in parsed)) {
    throw new ProtocolError(`show channels as json: unexpected reply: ${body.slice(0, 80)}`);
  }
  const rows = (parsed as { rows?: unknown }).rows;
  if (rows === undefined) return [];
  if (!Array.isArray(rows)) throw new ProtocolError('show channels as json: rows is not an array');
  const out: ChannelRow[] = [];
  for (const row of rows) {
    if (typeof row !== 'object' || row === null || typeof (row as { uuid?: unknown }).uuid !== 'string') continue;
    const strings: Record<string, string> = {};
    for (const [k, v] of Object.entries(row as Record<string, unknown>)) {
      if (v !== null && v !== undefined) strings[k] = String(v);
    }
    out.push(strings as ChannelRow);
  }
  return out;
}

/** A channel row answered? (`callstate` is ACTIVE/HELD once answered; `answer_state` on some builds). */
export function rowAnswered(row: ChannelRow): boolean {
  const callstate = row.callstate;
  return callstate === 'ACTIVE' || callstate === 'HELD' || row.answer_state === 'answered';
}

/**
 * A stand-in event for a channel known only from its row, with the headers a
 * CHANNEL_DATA event would carry for those columns. `trackingHeader` gets the
 * row's call_uuid so the session joins the right call.
 */
export function rowEvent(row: ChannelRow, trackingHeader: string): EslEvent {
  const headers: Record<string, string> = {
    'Event-Name': 'CHANNEL_DATA',
    'Unique-ID': row.uuid,
    'Channel-Call-UUID': row.call_uuid || row.uuid,
  };
  const copy = (header: string, column: string): void => {
    const value = row[column];
    if (value !== undefined && value !== '') headers[header] = value;
  };
  copy('Call-Direction', 'direction');
  copy('Channel-Name', 'name');
  copy('Channel-State', 'state');
  copy('Channel-Call-State', 'callstate');
  copy('Caller-Caller-ID-Name', 'cid_name');
  copy('Caller-Caller-ID-Number', 'cid_num');
  copy('Caller-Destination-Number', 'dest');
  copy('Caller-Context', 'context');
  copy('variable_current_application', 'application');
  copy('variable_call_uuid', 'call_uuid');
  if (row.call_uuid) headers[trackingHeader] ??= row.call_uuid;
  const created = Number(row.created_epoch);
  if (Number.isFinite(created) && created > 0) headers['Event-Date-Timestamp'] = String(created * 1_000_000);
  if (rowAnswered(row)) headers['Answer-State'] = 'answered';
  return EslEvent.fromHeaders(headers);
}
