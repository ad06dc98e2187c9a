import { Queue, QueueEvents, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { JobFailedError, JobRemovedError, JobVanishedError, waitUntilEnded, whyGone } from '../src/job-waiting';
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

/**
 * A job removed by hand while a client waits for it is called off; one Redis lost (its data gone, the event stream
 * with it, or only the newest writes, restored from a snapshot) is asked for again. An earlier job of the same id
 * removed by hand says nothing of this one.
 */
describe('a job that is gone while a client waits for it', () => {
  const closing: (() => Promise<unknown>)[] = [];
  afterEach(async () => {
    for (const close of closing.reverse()) await close();
    closing.length = 0;
  });

  const waitingOn = async (jobId: string, before?: (queue: Queue) => Promise<void>) => {
    const { prefix } = newWorld();
    const connection = new Redis(redisUrl(), { maxRetriesPerRequest: null });
    closing.push(async () => connection.disconnect());
    const queue = new Queue('waited', { connection, prefix });
    closing.push(() => queue.close());
    const events = new QueueEvents('waited', { connection: { url: redisUrl() }, prefix });
    closing.push(() => events.close());
    await events.waitUntilReady();
    await before?.(queue);
    const job = await queue.add('task', {}, { jobId });
    const ended = waitUntilEnded(job, queue, events);
    ended.catch(() => undefined);
    return { queue, job, ended, connection };
  };

  it('is called off when it was removed by hand', async () => {
    const { job, ended } = await waitingOn('by-hand');
    await job.remove();
    await expect(ended).rejects.toThrow(JobRemovedError);
    await expect(ended).rejects.toThrow(/waited job by-hand was removed from the queue/);
  }, 30_000);

  it('vanished when its keys went without a removal, though an earlier job of its id was removed by hand', async () => {
    const { queue, ended, connection } = await waitingOn('reused', async (queue) => {
      const earlier = await queue.add('task', {}, { jobId: 'reused' });
      await earlier.remove();
      // Stream ids have milliseconds: the next job is added in a later one.
      await new Promise((resolve) => setTimeout(resolve, 5));
    });
    // What a restore from an older snapshot does to the newest job: its keys go, the stream's older events stay.
    await connection.del(queue.toKey('reused'));
    await connection.lrem(queue.toKey('wait'), 0, 'reused');
    await expect(ended).rejects.toThrow(JobVanishedError);
  }, 30_000);

  it('found gone before the client looked for it: called off when removed since the client asked, vanished when removed before', async () => {
    // A run's finalizer, which a client looks for only once the run's request has completed.
    const { queue } = await waitingOn('request');
    const removedBefore = await queue.add('task', {}, { jobId: 'finalizer-removed-before' });
    await removedBefore.remove();
    await new Promise((resolve) => setTimeout(resolve, 5));
    const askedAtMs = Date.now();
    const removedSince = await queue.add('task', {}, { jobId: 'finalizer-removed-since' });
    await removedSince.remove();
    expect(await whyGone(queue, 'finalizer-removed-since', askedAtMs)).toBeInstanceOf(JobRemovedError);
    expect(await whyGone(queue, 'finalizer-removed-before', askedAtMs)).toBeInstanceOf(JobVanishedError);
  }, 30_000);
});
