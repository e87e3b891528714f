/**
 * `show channels|calls [count] [as json|as xml|as delim X]` (mod_commands.c
 * show_function over the core db's `channels` table and `basic_calls` view,
 * switch_core_sqldb.c). JSON is cJSON_PrintUnformatted of
 * {"row_count":N,"rows":[...]}; with no rows FreeSWITCH prints
 * `{"row_count": 0}`. Text output is comma-delimited with a header line and a
 * `N total.` footer.
 */
import type { SimChannel } from '../channel.js';
import { formatLocal } from '../clock.js';
import type { SimRuntime } from '../runtime.js';
import type { ApiHandler } from './registry.js';

type Row = Array<[string, string]>;

function channelRow(sim: SimRuntime, ch: SimChannel): Row {
  const p = ch.profile;
  const app = ch.appStack[0];
  const codec = (c: SimChannel['readCodec'], f: 'name' | 'rate' | 'bitRate'): string => (c ? String(c[f]) : '');
  return [
    ['uuid', ch.uuid],
    ['direction', ch.direction],
    ['created', formatLocal(ch.times.created)],
    ['created_epoch', String(Math.floor(ch.times.created / 1_000_000))],
    ['name', ch.name],
    ['state', ch.runningState],
    ['cid_name', p?.callerIdName ?? ''],
    ['cid_num', p?.callerIdNumber ?? ''],
    ['ip_addr', p?.networkAddr ?? ''],
    ['dest', p?.destinationNumber ?? ''],
    ['application', app?.name ?? ''],
    ['application_data', app?.arg ?? ''],
    ['dialplan', p?.dialplan ?? ''],
    ['context', p?.context ?? ''],
    ['read_codec', codec(ch.readCodec, 'name')],
    ['read_rate', codec(ch.readCodec, 'rate')],
    ['read_bit_rate', codec(ch.readCodec, 'bitRate')],
    ['write_codec', codec(ch.writeCodec, 'name')],
    ['write_rate', codec(ch.writeCodec, 'rate')],
    ['write_bit_rate', codec(ch.writeCodec, 'bitRate')],
    ['secure', ''],
    ['hostname', sim.core.identity.hostname],
    ['presence_id', ''],
    ['presence_data', ''],
    ['accountcode', ''],
    ['callstate', ch.callState],
    ['callee_name', p?.calleeIdName ?? ''],
    ['callee_num', p?.calleeIdNumber ?? ''],
    ['callee_direction', ''],
    ['call_uuid', ch.callUuid],
    ['sent_callee_name', ''],
    ['sent_callee_num', ''],
    ['initial_cid_name', p?.origCallerIdName ?? ''],
    ['initial_cid_num', p?.origCallerIdNumber ?? ''],
    ['initial_ip_addr', p?.networkAddr ?? ''],
    ['initial_dest', p?.destinationNumber ?? ''],
    ['initial_dialplan', p?.dialplan ?? ''],
    ['initial_context', p?.context ?? ''],
  ];
}

/** A call is a bridged pair; unbridged channels are calls of one leg (basic_calls). */
function callRows(sim: SimRuntime): Row[] {
  const rows: Row[] = [];
  const seen = new Set<string>();
  for (const ch of sim.core.channels.values()) {
    if (seen.has(ch.uuid) || ch.destroyed) continue;
    seen.add(ch.uuid);
    const row = channelRow(sim, ch).filter(([k]) => !k.startsWith('initial_') && !k.startsWith('read_') && !k.startsWith('write_'));
    const b = ch.bridgedTo;
    const bRow = b ? channelRow(sim, b) : [];
    if (b) seen.add(b.uuid);
    for (const key of ['uuid', 'direction', 'created', 'created_epoch', 'name', 'state', 'cid_name', 'cid_num', 'ip_addr', 'dest']) {
      row.push([`b_${key}`, bRow.find(([k]) => k === key)?.[1] ?? '']);
    }
    row.push(['call_created_epoch', b ? String(Math.floor(ch.times.bridged / 1_000_000)) : '']);
    rows.push(row);
  }
  return rows;
}

function render(rows: Row[], format: string, delim: string): string {
  if (format === 'json') {
    if (rows.length === 0) return '{"row_count": 0}\n';
    // cJSON_PrintUnformatted written as is: no newline after it (only the empty case has one).
    const objects = rows.map((r) => Object.fromEntries(r));
    return JSON.stringify({ row_count: rows.length, rows: objects });
  }
  if (format === 'xml') {
    if (rows.length === 0) return '<result row_count="0"/>\n';
    const body = rows
      .map((r, i) => `  <row row_id="${i + 1}">\n${r.map(([k, v]) => `    <${k}>${xmlEscape(v)}</${k}>\n`).join('')}  </row>\n`)
      .join('');
    return `<result row_count="${rows.length}">\n${body}</result>\n`;
  }
  if (format !== 'delim' && format !== 'csv' && format !== 'text') return `-ERR Cannot find format ${format}\n`;
  if (rows.length === 0) return '\n0 total.\n';
  const header = rows[0]!.map(([k]) => k).join(delim);
  const lines = rows.map((r) => r.map(([, v]) => v).join(delim));
  return `${header}\n${lines.join('\n')}\n\n${rows.length} total.\n`;
}

/**
 * `show calls|channels count [as json|xml]`: the callbacks only count, so
 * JSON has an empty `rows` array and XML an empty `<result>` (show_function,
 * show_as_json_callback / show_as_xml_callback with justcount).
 */
function renderCount(n: number, format: string): string {
  if (format === 'json') return n === 0 ? '{"row_count": 0}\n' : JSON.stringify({ row_count: n, rows: [] });
  if (format === 'xml') return n === 0 ? '<result row_count="0"/>\n' : `<result row_count="${n}"/>\n`;
  if (format !== 'delim' && format !== 'csv' && format !== 'text') return `-ERR Cannot find format ${format}\n`;
  return `\n${n} total.\n`;
}

function xmlEscape(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export const showApi: ApiHandler = (sim, { args }) => {
  const words = args.trim().split(/\s+/).filter(Boolean);
  const what = (words[0] ?? '').toLowerCase();
  let format = 'text';
  let delim = ',';
  const as = words.findIndex((w) => w.toLowerCase() === 'as');
  if (as >= 0) {
    format = (words[as + 1] ?? '').toLowerCase();
    if (format === 'delim') delim = words[as + 2] ?? ',';
  }
  const count = words[1]?.toLowerCase() === 'count';
  let rows: Row[];
  if (what === 'channels') {
    rows = [...sim.core.channels.values()].filter((c) => !c.destroyed).map((c) => channelRow(sim, c));
  } else if (what === 'calls') {
    rows = callRows(sim);
  } else {
    return '-USAGE: codec|endpoint|application|api|dialplan|file|timer|calls [count]|channels [count|like <match string>]|calls|detailed_calls|bridged_calls|detailed_bridged_calls|aliases|complete|chat|management|modules|nat_map|say|interfaces|interface_types|tasks|limits|status\n';
  }
  if (count) return renderCount(rows.length, format);
  return render(rows, format, delim);
};
