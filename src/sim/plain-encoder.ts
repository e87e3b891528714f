/**
 * A faster text/event-plain encoder for the simulator's own events, byte for
 * byte what src/protocol/serialize.ts serializeEvent('plain', ...) writes
 * (switch_event.c switch_event_serialize, values through switch_url_encode,
 * mod_event_socket.c's outer Content-Length / Content-Type).
 *
 * Why: a channel event carries a hundred or more headers whose values are
 * almost all plain ASCII that switch_url_encode leaves alone. One regular
 * expression test per value skips the byte-by-byte encoder for them, and a
 * header name is checked once, not once per event. The firehose benchmark
 * and load tests spend most of the simulator's time here.
 */
import { InvalidArgumentError } from '../errors.js';
import { fsUrlEncode } from '../protocol/percent.js';

/** Every character switch_url_encode copies as is: printable ASCII outside SWITCH_URL_UNSAFE. */
const UNCHANGED = /^[!$'()*,\-./0-9A-Z_a-z~]*$/;
/** Header names already found valid (non-empty, no ':', CR or LF); bounded, names repeat. */
const validNames = new Set<string>();
const MAX_REMEMBERED_NAMES = 20_000;

function checkName(name: string): void {
  if (validNames.has(name)) return;
  if (name === '' || /[\r\n:]/.test(name)) {
    throw new InvalidArgumentError(`header name ${JSON.stringify(name)} must be non-empty without ':', CR or LF`);
  }
  if (validNames.size >= MAX_REMEMBERED_NAMES) validNames.clear();
  validNames.add(name);
}

function encodeValue(value: string): string {
  if (value === '') return '_undef_';
  if (UNCHANGED.test(value)) return value;
  const encoded = fsUrlEncode(value);
  return encoded === '' ? '_undef_' : encoded;
}

/** The whole event frame, as serializeEvent('plain', headers, body) returns it. */
export function encodePlainEvent(headers: ReadonlyArray<readonly [string, string]>, body: string | undefined): Buffer {
  let inner = '';
  for (const [name, value] of headers) {
    checkName(name);
    inner += `${name}: ${encodeValue(value)}\n`;
  }
  const bodyLength = body === undefined ? 0 : Buffer.byteLength(body, 'utf8');
  inner += bodyLength > 0 ? `Content-Length: ${bodyLength}\n\n${body}` : '\n';
  const innerLength = Buffer.byteLength(inner, 'utf8');
  return Buffer.from(`Content-Length: ${innerLength}\nContent-Type: text/event-plain\n\n${inner}`, 'utf8');
}
