/*
 * README: "SIGTERM finishes jobs in flight, a second one stops at once" — also while Redis is unreachable,
 * when closing the fleet's connections would wait for it to come back.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { openOrganizationDb, seedOrganization } from '@scheduler/db';
import { startPrivateRedis, type PrivateRedis } from '../../dashboard/test/support/private-redis';
import { RedisLink } from '../../../packages/pipeline/test/support/redis-link';
import { bullmq, redisUrl, startScheduler, type RunningCli } from './support/scheduler-cli';

describe('when a worker is told to stop while Redis is gone', () => {
  let redis: PrivateRedis;
  let directory: string;
  let worker: RunningCli | undefined;

  beforeEach(async () => {
    redis = await startPrivateRedis();
    directory = mkdtempSync(join(tmpdir(), 'scheduler-worker-stop-'));
  });
  afterEach(async () => {
    worker?.child.kill('SIGKILL');
    await redis.kill();
    rmSync(directory, { recursive: true, force: true });
  });

  /** A worker whose Redis went away once it was ready, told to stop: its exit status, or 'still running' after `waitMs`. */
  const stopWithRedisGone = async (signalAgain: boolean, waitMs: number): Promise<number | null | 'still running'> => {
    const started = startScheduler(['worker', '--threads', '1'], { REDIS_URL: redis.url, SCHEDULER_ORGS_DIR: directory, LOG_LEVEL: 'info' });
    worker = started;
    // Starting the fleet took over 40 s on a loaded 2-core machine (when the CLI still loaded through tsx).
    await started.waitFor(/fleet worker ready/, 90_000);
    const exited = new Promise<number | null>((resolve) => started.child.once('close', (status) => resolve(status)));
    await redis.kill();
    started.child.kill('SIGTERM');
    await started.waitFor(/finishing jobs in flight/);
    if (signalAgain) {
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      started.child.kill('SIGTERM');
      await started.waitFor(/forced stop/);
    }
    return Promise.race([exited, new Promise<'still running'>((resolve) => setTimeout(() => resolve('still running'), waitMs))]);
  };

  it('exits within seconds of the second signal, with the status of a process SIGTERM ended', { timeout: 150_000 }, async () => {
    expect(await stopWithRedisGone(true, 20_000)).toBe(143);
  });

  it('stops, having no job in hand, and exits 0 without waiting for Redis', { timeout: 150_000 }, async () => {
    expect(await stopWithRedisGone(false, 45_000)).toBe(0);
    expect(worker!.stdout).toMatch(/"msg":"stopped"/);
  });
});

/** A full-run request for the organization, as another service enqueues it, on the test's Redis and prefix. */
const enqueueFullRun = async (prefix: string, organization: string): Promise<void> => {
  const { Queue } = bullmq();
  const { hostname, port } = new URL(redisUrl());
  const requests = new Queue('scheduler-requests', { connection: { host: hostname, port: Number(port || 6379) }, prefix });
  try {
    await requests.add('full-run', { organization, asOf: '2026-11-28' });
  } finally {
    await requests.close();
  }
};

describe('when a worker is told to stop while it starts, a run already in its hands', () => {
  let directory: string;
  let link: RedisLink;

  beforeAll(async () => {
    directory = mkdtempSync(join(tmpdir(), 'scheduler-worker-stop-'));
    // Each connection opens later than the one before: the requests worker, among the first, takes a job while
    // the last workers are still getting ready.
    link = await RedisLink.start(redisUrl(), { openDelayOf: (connection) => connection * 500 });
  });
  afterAll(async () => {
    await link.close();
    rmSync(directory, { recursive: true, force: true });
  });

  it('stops at once on a second signal while a run is in its hands, and exits with the status of a process SIGTERM ended', { timeout: 120_000 }, async () => {
    const database = join(directory, 'busy.sqlite');
    seedOrganization(database, { contacts: 400_000, seed: 5, asOf: '2026-11-28' });
    const prefix = `worker-forced-stop-${randomUUID()}`;
    const worker = startScheduler(['worker', '--threads', '1'], { REDIS_URL: redisUrl(), SCHEDULER_ORGS_DIR: directory, SCHEDULER_QUEUE_PREFIX: prefix, LOG_LEVEL: 'info' });
    try {
      await worker.waitFor(/fleet worker ready/, 90_000);
      await enqueueFullRun(prefix, 'busy');
      await worker.waitFor(/run planned/, 60_000);
      const exited = new Promise<number | null>((resolve) => worker.child.once('close', (code) => resolve(code)));
      worker.child.kill('SIGTERM');
      await worker.waitFor(/finishing jobs in flight/);
      // A second or more after the first: an earlier one would be the same stop delivered twice.
      await new Promise((resolve) => setTimeout(resolve, 1_100));
      worker.child.kill('SIGTERM');
      expect(await exited, worker.stdout).toBe(143);
      expect(worker.stdout).toMatch(/"msg":"forced stop"/);
      expect(worker.stdout).not.toMatch(/"msg":"run committed"/);
    } finally {
      worker.child.kill('SIGKILL');
    }
  });

  it('stops as gracefully as once started: it finishes what it had taken, then exits 0', { timeout: 120_000 }, async () => {
    const database = join(directory, 'acme.sqlite');
    seedOrganization(database, { contacts: 500, seed: 3, asOf: '2026-11-28' });
    const prefix = `worker-stop-${randomUUID()}`;
    await enqueueFullRun(prefix, 'acme');
    const { hostname, port } = new URL(redisUrl());
    const worker = startScheduler(['worker', '--threads', '1'], { REDIS_URL: link.url, SCHEDULER_ORGS_DIR: directory, SCHEDULER_QUEUE_PREFIX: prefix, LOG_LEVEL: 'info' });
    try {
      await worker.waitFor(/run planned/, 60_000);
      const readyBeforeTheStop = /fleet worker ready/.test(worker.stdout);
      worker.child.kill('SIGTERM');
      const status = await new Promise<number | null>((resolve) => worker.child.once('close', (code) => resolve(code)));
      expect(readyBeforeTheStop, 'the stop came before the worker was ready').toBe(false);
      expect(status, worker.stderr).toBe(0);
      expect(worker.stdout).toMatch(/"msg":"stopped"/);
    } finally {
      worker.child.kill('SIGKILL');
    }
    // Nothing left mid-way for the stalled-job check to find: what it had taken, it finished.
    const { Queue: QueueOf } = bullmq();
    for (const name of ['scheduler-requests', 'scheduler-chunks', 'scheduler-finalize', 'scheduler-backups']) {
      const queue = new QueueOf(name, { connection: { host: hostname, port: Number(port || 6379) }, prefix });
      try {
        expect(await queue.getActiveCount(), name).toBe(0);
      } finally {
        await queue.close();
      }
    }
    const db = openOrganizationDb(database, { readonly: true });
    try {
      expect(db.sqlite.prepare('SELECT status FROM scheduler_checkpoints').pluck().all()).not.toContain('failed');
    } finally {
      db.close();
    }
  });
});
