import { Job, Queue, QueueEvents, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { JobFailedError, waitUntilEnded } from '../src/job-waiting';
import { newWorld, redisUrl } from './support/fleet-world';

/**
 * A waiting client also reads the job's record every two seconds. A job that ends between the read of its record
 * and the read of its state must be reported with its end (its failure's reason, its return value), not with the
 * record as it was while it ran: under load the two reads are far apart, and the CLI said "job … failed: " with no
 * reason (seen in run-failed-for-good.test.ts).
 */
describe('a job that ends while a waiting client reads it', () => {
  const closing: (() => Promise<unknown>)[] = [];
  afterEach(async () => {
    vi.restoreAllMocks();
    for (const close of closing.reverse()) await close();
    closing.length = 0;
  });

  it('is reported failed with the reason it failed with', async () => {
    const { prefix } = newWorld();
    const redis = new Redis(redisUrl(), { maxRetriesPerRequest: null });
    closing.push(async () => redis.disconnect());
    const queue = new Queue('waited', { connection: redis, prefix });
    closing.push(() => queue.close());
    // Events of another queue: only the client's own reads of the record can tell it the job ended.
    const silent = new QueueEvents('silent', { connection: redis.duplicate(), prefix });
    closing.push(() => silent.close());
    await silent.waitUntilReady();

    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    // Released at the latest after 5 s, for a client that reads the state before the record.
    setTimeout(release, 5_000).unref();
    const worker = new Worker(
      'waited',
      async () => {
        await released;
        throw new Error('the disk said no');
      },
      { connection: redis.duplicate(), prefix },
    );
    closing.push(() => worker.close());
    const job = await queue.add('task', {});
    await vi.waitUntil(async () => (await queue.getJobState(job.id!)) === 'active', { timeout: 30_000, interval: 50 });

    // The record is read while the job runs; the job fails before the client reads its state.
    const fromId = Job.fromId.bind(Job);
    vi.spyOn(Job, 'fromId').mockImplementation(async (...args: Parameters<typeof Job.fromId>) => {
      const stored = await fromId(...args);
      if ((await queue.getJobState(job.id!)) === 'active') {
        release();
        await vi.waitUntil(async () => (await queue.getJobState(job.id!)) === 'failed', { timeout: 30_000, interval: 20 });
      }
      return stored;
    });

    const ended = waitUntilEnded(job, queue, silent);
    await expect(ended).rejects.toThrow(JobFailedError);
    await expect(ended).rejects.toThrow('the disk said no');
  }, 60_000);
});
