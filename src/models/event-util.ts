/** Small readings of an EslEvent shared by the models and the listener. */

import type { EslEvent } from '../protocol/event.js';

/**
 * The name apps and waiters key events by: Event-Name, or for CUSTOM events
 * their Event-Subclass (`mod_bert::lost_sync`). Only CUSTOM events are asked
 * for a subclass: a header lookup that misses costs a full header index.
 */
export function eventKey(event: EslEvent): string {
  return event.name === 'CUSTOM' ? (event.subclass ?? 'CUSTOM') : event.name;
}

/** Event-Date-Timestamp (microseconds, switch_event.c) in milliseconds; now when absent. */
export function eventTimeMs(event: EslEvent): number {
  const ts = Number(event.get('Event-Date-Timestamp'));
  return Number.isFinite(ts) && ts > 0 ? ts / 1000 : Date.now();
}
