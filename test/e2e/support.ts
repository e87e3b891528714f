/**
 * What every e2e suite shares: where FreeSWITCH is (from the environment),
 * a describe that skips when it is not given, and waits on events with a
 * deadline, registered before the action that causes them so none is missed.
 */
import { randomUUID } from 'node:crypto';
import type { Connection, EslEvent } from 'switchyard';
import { describe } from 'vitest';

const host = process.env.SWITCHYARD_E2E_HOST ?? '';

export const target = {
  host,
  port: Number(process.env.SWITCHYARD_E2E_PORT ?? 8021),
  password: process.env.SWITCHYARD_E2E_PASSWORD ?? process.env.ESL_PASSWORD ?? 'ClueCon',
} as const;

/** A describe that runs only when SWITCHYARD_E2E_HOST names a FreeSWITCH (global-setup.ts says so once). */
export const describeE2E = describe.skipIf(host === '');

/** The first event on `conn` that `match` accepts, or a rejection naming `what` after `timeoutMs`. */
export function nextEvent(
  conn: Connection,
  match: (event: EslEvent) => boolean,
  what: string,
  timeoutMs = 15_000,
): Promise<EslEvent> {
  return new Promise((resolve, reject) => {
    const onEvent = (event: EslEvent) => {
      if (!match(event)) return;
      clearTimeout(timer);
      conn.off('event', onEvent);
      resolve(event);
    };
    const timer = setTimeout(() => {
      conn.off('event', onEvent);
      reject(new Error(`no ${what} within ${timeoutMs} ms`));
    }, timeoutMs);
    conn.on('event', onEvent);
  });
}

/**
 * Resolves once `check` holds, asking again after each `intervalMs`. For state
 * FreeSWITCH updates asynchronously with no event to wait on (its channel
 * table is written by a background SQL thread), with a hard deadline.
 */
export async function until(
  check: () => Promise<boolean>,
  what: string,
  { timeoutMs = 15_000, intervalMs = 200 }: { timeoutMs?: number; intervalMs?: number } = {},
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`${what} did not happen within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/** Rows in `show channels as json` (FreeSWITCH answers `{"row_count":0}` when empty). */
export async function channelCount(conn: { api(command: string): Promise<string> }): Promise<number> {
  const body = await conn.api('show channels as json');
  return (JSON.parse(body) as { row_count: number }).row_count;
}

export function uuid(): string {
  return randomUUID();
}
