import { describe, expect, it } from 'vitest';
import { Inbox } from '../../../src/connection/inbox.js';
import type { Frame } from '../../../src/protocol/frame.js';

const frame = (n: number): Frame => ({ contentType: 'text/event-plain', headers: { n: String(n) }, body: undefined });
const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('Inbox', () => {
  it('dispatches at once on flush() while handlers keep up', () => {
    const seen: number[] = [];
    const inbox = new Inbox({ dispatch: (f) => seen.push(Number(f.headers.n)), lagThreshold: 1e9, onLagging: () => {} });
    for (let i = 0; i < 3000; i++) inbox.push(frame(i)); // grows the ring past its first size
    expect(seen).toEqual([]); // push() never dispatches
    inbox.flush();
    expect(seen).toEqual(Array.from({ length: 3000 }, (_, i) => i));
    expect(inbox.backlog).toBe(0);
  });

  it('gives slow handlers one time slice per event-loop turn, in order', async () => {
    let clock = 0;
    const seen: number[] = [];
    const inbox = new Inbox({
      dispatch: (f) => {
        seen.push(Number(f.headers.n));
        clock += 1; // each handler call costs 1 ms
      },
      sliceMs: 10,
      batchSize: 1,
      lagThreshold: 1e9,
      onLagging: () => {},
      now: () => clock,
    });
    for (let i = 0; i < 35; i++) inbox.push(frame(i));
    inbox.flush();
    expect(seen.length).toBe(10);
    await turn();
    expect(seen.length).toBe(20);
    await turn();
    await turn();
    expect(seen).toEqual(Array.from({ length: 35 }, (_, i) => i));
  });

  it('shares one slice among the chunks read in a turn, so reading goes on while handlers are slow', async () => {
    let clock = 0;
    const seen: number[] = [];
    const inbox = new Inbox({
      dispatch: (f) => {
        seen.push(Number(f.headers.n));
        clock += 1;
      },
      sliceMs: 10,
      batchSize: 1,
      lagThreshold: 1e9,
      onLagging: () => {},
      now: () => clock,
    });
    const chunk = (from: number): void => {
      for (let i = from; i < from + 6; i++) inbox.push(frame(i));
      inbox.flush();
    };
    chunk(0); // 6 ms of the 10 ms slice
    expect(seen.length).toBe(6);
    chunk(6); // 4 more ms: the slice is spent
    expect(seen.length).toBe(10);
    chunk(12); // same turn: parsed and queued, not dispatched
    expect(seen.length).toBe(10);
    expect(inbox.backlog).toBe(8);
    await turn(); // a fresh slice at the check phase
    expect(seen).toEqual(Array.from({ length: 18 }, (_, i) => i));
  });

  it('keeps wire order when a handler re-enters flush()', () => {
    const seen: string[] = [];
    let pushed = false;
    const inbox = new Inbox({
      dispatch: (f) => {
        seen.push(f.headers.n!);
        if (!pushed) {
          pushed = true;
          inbox.push(frame(99));
          inbox.flush();
        }
      },
      lagThreshold: 1e9,
      onLagging: () => {},
    });
    inbox.push(frame(1));
    inbox.push(frame(2));
    inbox.flush();
    expect(seen).toEqual(['1', '2', '99']);
  });

  it('signals lagging once per crossing and re-arms below half the threshold', async () => {
    const lags: number[] = [];
    const inbox = new Inbox({ dispatch: () => {}, lagThreshold: 10, onLagging: (n) => lags.push(n) });
    for (let i = 0; i < 25; i++) inbox.push(frame(i));
    expect(lags).toEqual([10]);
    expect(inbox.peak).toBe(25);
    await new Promise<void>((resolve) => inbox.whenEmpty(resolve));
    for (let i = 0; i < 10; i++) inbox.push(frame(i));
    expect(lags).toEqual([10, 10]);
  });

  it('runs whenEmpty after the frames already in, and at once when empty', async () => {
    const order: string[] = [];
    const inbox = new Inbox({ dispatch: (f) => order.push(f.headers.n!), lagThreshold: 1e9, onLagging: () => {} });
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
    const inbox = new Inbox({ dispatch: (f) => seen.push(f.headers.n!), lagThreshold: 1e9, onLagging: () => {} });
    inbox.push(frame(1));
    inbox.close();
    inbox.push(frame(2));
    inbox.flush();
    await turn();
    expect(seen).toEqual([]);
    expect(inbox.backlog).toBe(0);
  });
});
