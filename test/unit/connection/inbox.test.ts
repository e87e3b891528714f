import { describe, expect, it } from 'vitest';
import { Inbox } from '../../../src/connection/inbox.js';
import type { Frame } from '../../../src/protocol/frame.js';

const frame = (n: number): Frame => ({ contentType: 'text/event-plain', headers: { n: String(n) }, body: undefined });

describe('Inbox', () => {
  it('dispatches in order, in bounded batches, letting the event loop turn between them', async () => {
    const seen: number[] = [];
    const turns: number[] = [];
    let turn = 0;
    const inbox = new Inbox({ dispatch: (f) => seen.push(Number(f.headers.n)), batchSize: 100, lagThreshold: 1e9, onLagging: () => {} });
    for (let i = 0; i < 5000; i++) inbox.push(frame(i)); // grows the ring past its first size
    expect(seen).toEqual([]); // nothing runs inside push()
    // count how many setImmediate turns the dispatch takes
    await new Promise<void>((resolve) => {
      const tick = (): void => {
        turn++;
        turns.push(seen.length);
        if (inbox.backlog === 0) resolve();
        else setImmediate(tick);
      };
      setImmediate(tick);
    });
    expect(seen).toEqual(Array.from({ length: 5000 }, (_, i) => i));
    expect(turn).toBeGreaterThanOrEqual(50);
    expect(turns[0]).toBe(100);
  });

  it('signals lagging once per crossing and re-arms below half the threshold', async () => {
    const lags: number[] = [];
    const inbox = new Inbox({ dispatch: () => {}, batchSize: 1000, lagThreshold: 10, onLagging: (n) => lags.push(n) });
    for (let i = 0; i < 25; i++) inbox.push(frame(i));
    expect(lags).toEqual([10]);
    expect(inbox.peak).toBe(25);
    await new Promise<void>((resolve) => inbox.whenEmpty(resolve));
    for (let i = 0; i < 10; i++) inbox.push(frame(i));
    expect(lags).toEqual([10, 10]);
  });

  it('runs whenEmpty after the frames already in, and at once when empty', async () => {
    const order: string[] = [];
    const inbox = new Inbox({ dispatch: (f) => order.push(f.headers.n!), batchSize: 2, lagThreshold: 1e9, onLagging: () => {} });
    inbox.whenEmpty(() => order.push('empty-now'));
    inbox.push(frame(1));
    inbox.push(frame(2));
    inbox.push(frame(3));
    await new Promise<void>((resolve) =>
      inbox.whenEmpty(() => {
        order.push('drained');
        resolve();
      }),
    );
    expect(order).toEqual(['empty-now', '1', '2', '3', 'drained']);
  });

  it('drops what is left on close() and accepts nothing more', async () => {
    const seen: string[] = [];
    const inbox = new Inbox({ dispatch: (f) => seen.push(f.headers.n!), batchSize: 10, lagThreshold: 1e9, onLagging: () => {} });
    inbox.push(frame(1));
    inbox.close();
    inbox.push(frame(2));
    await new Promise((resolve) => setImmediate(resolve));
    expect(seen).toEqual([]);
    expect(inbox.backlog).toBe(0);
  });
});
