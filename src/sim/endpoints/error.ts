/**
 * `error/<CAUSE>` (mod_dptools.c error_outgoing_channel): no channel at all,
 * the originate fails at once with the cause named (USER_BUSY when it names
 * none FreeSWITCH knows).
 */
import { parseCause } from '../hangup-causes.js';
import type { OutboundRequest, SimRuntime } from '../runtime.js';

export function errorEndpoint(_sim: SimRuntime, req: OutboundRequest): string {
  return parseCause(req.data) ?? 'USER_BUSY';
}
