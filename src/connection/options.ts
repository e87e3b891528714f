/**
 * Option checks done once, in the constructor, so a bad option fails there with
 * an InvalidArgumentError instead of surfacing later as a timeout. The
 * credentials go through the same encoder that will send them; its messages
 * name the field, never the value.
 */

import { InvalidArgumentError } from '../errors.js';
import { encodeAuth, encodeUserAuth } from '../protocol/commands.js';
import type { ConnectionOptions } from './types.js';

export interface Timings {
  readonly connectTimeoutMs: number;
  readonly livenessTimeoutMs: number;
  readonly offlineQueueTimeoutMs: number;
  readonly closeTimeoutMs: number;
  readonly lagThreshold: number;
  readonly dispatchSliceMs: number;
}

export function checkOptions(options: ConnectionOptions): Timings {
  if (typeof options.host !== 'string' || options.host === '') throw new InvalidArgumentError('Connection: host must be a non-empty string');
  if (!Number.isInteger(options.port) || options.port < 1 || options.port > 65_535) {
    throw new InvalidArgumentError(`Connection: port must be an integer from 1 to 65535, got ${String(options.port)}`);
  }
  if (options.user === undefined) encodeAuth(options.password);
  else encodeUserAuth(options.user, options.password);
  return {
    connectTimeoutMs: positive('connectTimeoutMs', options.connectTimeoutMs, 10_000),
    livenessTimeoutMs: atLeastZero('livenessTimeoutMs', options.livenessTimeoutMs, 60_000),
    offlineQueueTimeoutMs: positive('offlineQueueTimeoutMs', options.offlineQueueTimeoutMs, 10_000),
    closeTimeoutMs: atLeastZero('closeTimeoutMs', options.closeTimeoutMs, 1000),
    lagThreshold: positive('lagThreshold', options.lagThreshold, 5000),
    dispatchSliceMs: positive('dispatchSliceMs', options.dispatchSliceMs, 10),
  };
}

function positive(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!(value > 0) || !Number.isFinite(value)) throw new InvalidArgumentError(`Connection: ${name} must be a finite number > 0, got ${value}`);
  return value;
}

function atLeastZero(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!(value >= 0) || !Number.isFinite(value)) throw new InvalidArgumentError(`Connection: ${name} must be a finite number >= 0, got ${value}`);
  return value;
}
