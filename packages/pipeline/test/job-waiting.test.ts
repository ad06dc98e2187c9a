import { Queue, QueueEvents, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { JobFailedError, waitUntilEnded } from '../src/job-waiting';
import { newWorld, redisUrl, until } from './support/fleet-world';
import { RedisLink } from './support/redis-link';

/**
 * A waiting client also reads the job from Redis every two seconds. A job that ends between two of those reads
 * must be reported with its end (its failure's reason, its return value), not with its record as it was while it
 * ran: under load the reads are far apart, and the CLI said "job … failed: " with no reason.
 */
describe('a job that ends while a waiting client reads it', () => {
  const closing: (() => Promise<unknown>)[] = [];
  afterEach(async () => {
    for (const close of closing.reverse()) await close();
    closing.length = 0;
  });

  it('is reported failed with the reason it failed with', async () => {
    const { prefix } = newWorld();
    let release = (): void => undefined;
    const released = new Promise<void>((resolve) => (release = resolve));
    let armed = false;
    // The client's reads go through a slow link; the job fails as the client receives its first reply once armed,
    // before its next command reaches Redis.
    const link = await RedisLink.start(redisUrl(), {
      latencyOf: () => 200,
      onReply: () => {
        if (!armed) return;
        armed = false;
        release();
      },
    });
    closing.push(() => link.close());
    const clientConnection = new Redis(link.url, { maxRetriesPerRequest: null });
    closing.push(async () => clientConnection.disconnect());
    const waited = new Queue('waited', { connection: clientConnection, prefix });
    closing.push(() => waited.close());
    const direct = new Queue('waited', { connection: { url: redisUrl() }, prefix });
    closing.push(() => direct.close());
    // Events of another queue: only the client's own reads can tell it the job ended.
    const silent = new QueueEvents('silent', { connection: { url: redisUrl() }, prefix });
    closing.push(() => silent.close());
    await Promise.all([waited.waitUntilReady(), silent.waitUntilReady()]);

    const worker = new Worker(
      'waited',
      async () => {
        await released;
        throw new Error('the disk said no');
      },
      { connection: { url: redisUrl() }, prefix },
    );
    closing.push(() => worker.close());
    const job = await direct.add('task', {});
    await until(async () => (await direct.getJobState(job.id!)) === 'active', 30_000);
    // Released at the latest after 10 s, should the client send nothing.
    setTimeout(release, 10_000).unref();

    // Armed as the client starts a look at the job: the first reply it then receives is that look's first read.
    const ended = waitUntilEnded(job, waited, silent, async () => {
      armed = true;
    });
    await expect(ended).rejects.toThrow(JobFailedError);
    await expect(ended).rejects.toThrow('the disk said no');
  }, 60_000);
});
