import { describe, expect, it } from 'vitest';
import { JobError } from '../../../src/errors.js';
import { Job, parseJobBody } from '../../../src/models/job.js';

function startJob(onSettle?: (job: { uuid: string; state: string }) => void) {
  return new Job({ uuid: 'j-1', command: 'originate loopback/x &park()', sessUuid: 's-1', ...(onSettle ? { onSettle } : {}) });
}

describe('Job', () => {
  it('is a Promise whose then() builds plain Promises', async () => {
    const job = startJob();
    expect(job).toBeInstanceOf(Promise);
    const derived = job.then((v) => v.length);
    expect(derived).not.toBeInstanceOf(Job);
    job.complete('+OK 7c1f\n');
    await expect(derived).resolves.toBe(4);
    expect(job.state).toBe('done');
    expect(job.sessUuid).toBe('s-1');
    expect(job.launchedAt).toBeLessThanOrEqual(Date.now());
  });

  it('settles once: onSettle runs once, later results are ignored', async () => {
    const settled: string[] = [];
    const job = startJob((j) => settled.push(`${j.uuid} ${j.state}`));
    job.complete('-ERR NO_ANSWER\n');
    job.complete('+OK late\n');
    job.abandon(new Error('later'));
    await expect(job).rejects.toThrow(JobError);
    expect(settled).toEqual(['j-1 failed']);
    expect(job.reply).toBe('-ERR NO_ANSWER\n');
  });

  it('a -USAGE body fails the job too', async () => {
    const job = startJob();
    job.complete('-USAGE: <call url> <exten>\n');
    await expect(job).rejects.toMatchObject({ reply: '-USAGE: <call url> <exten>\n' });
  });

  it('the failure stack starts at the code that created the job', async () => {
    function launchFromHere() {
      return startJob();
    }
    const job = launchFromHere();
    job.complete('-ERR USER_BUSY\n');
    const error = (await job.catch((e: unknown) => e)) as Error;
    const frames = error.stack!.split('\n');
    expect(frames[0]).toBe('JobError: job j-1 (originate) failed: -ERR USER_BUSY');
    expect(frames.slice(1).join('\n')).toContain('launchFromHere');
  });

  it('parseJobBody drops +OK and the trailing newline, keeps other text', () => {
    expect(parseJobBody('+OK 7c1f67c0\n')).toBe('7c1f67c0');
    expect(parseJobBody('+OK\n')).toBe('');
    expect(parseJobBody('UP 0 years\n5 session(s)\n')).toBe('UP 0 years\n5 session(s)');
  });
});
