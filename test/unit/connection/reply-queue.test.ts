import { describe, expect, it } from 'vitest';
import { type PendingCommand, ReplyQueue } from '../../../src/connection/reply-queue.js';
import type { Frame } from '../../../src/protocol/frame.js';

interface Tracked extends PendingCommand {
  readonly name: string;
  outcome?: string;
}

function command(name: string): Tracked {
  const c: Tracked = {
    name,
    bytes: Buffer.from(`${name}\n\n`),
    internal: false,
    resolve: (f: Frame) => {
      c.outcome = `ok:${f.headers['Reply-Text']}`;
    },
    reject: (e: Error) => {
      c.outcome = `err:${e.message}`;
    },
  };
  return c;
}

const reply = (text: string): Frame => ({ contentType: 'command/reply', headers: { 'Reply-Text': text }, body: undefined });

describe('ReplyQueue', () => {
  it('writes queued commands in order and settles replies first in, first out', () => {
    const q = new ReplyQueue();
    const cs = ['a', 'b', 'c'].map(command);
    for (const c of cs) q.push(c);
    expect([q.inFlight, q.queued]).toEqual([0, 3]);
    const written: string[] = [];
    q.flush((b) => written.push(b.toString()));
    expect(written).toEqual(['a\n\n', 'b\n\n', 'c\n\n']);
    expect([q.inFlight, q.queued]).toEqual([3, 0]);
    for (const r of ['1', '2', '3']) q.shift()!.resolve(reply(r));
    expect(cs.map((c) => c.outcome)).toEqual(['ok:1', 'ok:2', 'ok:3']);
    expect(q.shift()).toBeUndefined();
  });

  it('never hands a reply to a command not yet written', () => {
    const q = new ReplyQueue();
    q.push(command('a'));
    expect(q.shift()).toBeUndefined();
    expect(q.queued).toBe(1);
  });

  it('puts restore commands after written ones and before queued ones', () => {
    const q = new ReplyQueue();
    q.push(command('written'));
    q.flush(() => undefined);
    q.push(command('queued'));
    q.insertBeforeQueued([command('restore1'), command('restore2')]);
    const written: string[] = [];
    q.flush((b) => written.push(b.toString().trim()));
    expect(written).toEqual(['restore1', 'restore2', 'queued']);
    expect(['written', 'restore1', 'restore2', 'queued'].map(() => (q.shift() as Tracked).name)).toEqual([
      'written',
      'restore1',
      'restore2',
      'queued',
    ]);
  });

  it('on a lost link rejects only the written commands and keeps the queued ones', () => {
    const q = new ReplyQueue();
    const a = command('a');
    const b = command('b');
    q.push(a);
    q.flush(() => undefined);
    q.push(b);
    q.rejectWritten(new Error('gone'));
    expect(a.outcome).toBe('err:gone');
    expect(b.outcome).toBeUndefined();
    expect([q.inFlight, q.queued]).toEqual([0, 1]);
    q.rejectAll(new Error('closed'));
    expect(b.outcome).toBe('err:closed');
    expect(q.size).toBe(0);
  });

  it('removes a queued command that gave up waiting, and only a queued one', () => {
    const q = new ReplyQueue();
    const a = command('a');
    const b = command('b');
    q.push(a);
    q.flush(() => undefined);
    q.push(b);
    expect(q.removeQueued(a)).toBe(false);
    expect(q.removeQueued(b)).toBe(true);
    expect(q.size).toBe(1);
  });

  it('stays correct across compaction with many interleaved pushes and replies', () => {
    const q = new ReplyQueue();
    const all: Tracked[] = [];
    let replied = 0;
    for (let i = 0; i < 5000; i++) {
      const c = command(`c${i}`);
      all.push(c);
      q.push(c);
      q.flush(() => undefined);
      if (i % 3 !== 0) q.shift()!.resolve(reply(`r${replied++}`));
    }
    while (q.inFlight > 0) q.shift()!.resolve(reply(`r${replied++}`));
    expect(all.every((c, i) => c.outcome === `ok:r${i}`)).toBe(true);
  });
});
