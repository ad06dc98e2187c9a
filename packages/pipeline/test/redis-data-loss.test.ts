/*
 * CONTRACT.md: `run` "waits for the commit". A Redis restarted without persistence loses every job of a run in
 * flight, and no event will ever say how they ended: the client notices that its jobs are gone and asks for
 * the run again, which is planned from what the files hold (RULES.md §10: "a retry completes the run").
 */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Redis } from 'ioredis';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { defaultConfig } from '@scheduler/core';
import { fullRunId } from '../src/index';
import { committedRows, referenceRows } from './support/committed-schedule';
import { WriteLockProbe } from './support/crash-harness';
import { connectClient, newWorld, openHandQueues, redisUrl, until, type HandQueues } from './support/fleet-world';
import { writeOrganization } from './support/organization-fixture';
import { RedisLink } from './support/redis-link';

const AS_OF = '2026-11-28';

const checkpointStatus = (database: string, runId: string): string | undefined => {
  const db = new Database(database, { readonly: true, fileMustExist: true });
  try {
    return db.prepare('SELECT status FROM scheduler_checkpoints WHERE scheduler_run_id = ?').pluck().get(runId) as string | undefined;
  } finally {
    db.close();
  }
};

/** How long the link refuses connections: long enough for a 30,000-contact commit to end in it. */
const RESTART_MS = 15_000;

describe('when Redis loses every job of a run in flight', () => {
  let world: ReturnType<typeof newWorld>;
  let queues: HandQueues;
  let redis: Redis;

  beforeEach(async () => {
    world = newWorld();
    queues = await openHandQueues(world.prefix);
    redis = new Redis(redisUrl());
  });
  afterEach(async () => {
    await queues.close();
    redis.disconnect();
    world.cleanup();
  });

  it('the client asks for the run again and returns once it is committed, with the rows the rules give', async () => {
    const database = join(world.directory, 'acme.sqlite');
    writeOrganization(database, { contacts: 3_000, today: AS_OF });
    const client = await connectClient(database, world.prefix, { config: { ...defaultConfig(), batch_size: 200 } });
    try {
      const run = client.fullRun('acme', { asOf: AS_OF });
      const finalizer = `${fullRunId('acme', AS_OF, { ...defaultConfig(), batch_size: 200 })}-finalize`;
      await until(async () => (await queues.finalize.getJobState(finalizer)) === 'waiting-children', 60_000);
      // What a restart without persistence leaves of this run's queues: nothing.
      const keys = await redis.keys(`${world.prefix}:*`);
      await redis.del(...keys);
      const summary = await run;
      expect(summary.status).toBe('completed');
    } finally {
      await client.close();
    }
    expect(committedRows(database).map((row) => row.line)).toEqual(
      referenceRows(database, { ...defaultConfig(), batch_size: 200 }, AS_OF).map((row) => row.line),
    );
  }, 120_000);

  it('does not call a run it committed itself "already completed" when the loss came between the commit and the job\'s end', async () => {
    const database = join(world.directory, 'acme.sqlite');
    // Enough contacts that the finalizer stays active for many of the test's looks at it (one each 10 ms).
    writeOrganization(database, { contacts: 30_000, today: AS_OF });
    const config = { ...defaultConfig(), batch_size: 2_000 };
    const runId = fullRunId('acme', AS_OF, config);
    const link = await RedisLink.start(redisUrl());
    // The client and its workers reach Redis through the link; this test's own connections do not.
    const client = await connectClient(database, world.prefix, { config, redisUrl: link.url });
    try {
      const run = client.fullRun('acme', { asOf: AS_OF });
      await until(async () => (await queues.finalize.getJobState(`${runId}-finalize`)) === 'active', 60_000, 10);
      // Inside its commit (its write lock held), the finalizer needs Redis no more until its job ends; its job is
      // active a little before that, while it still talks to Redis (its backup's job).
      const lock = new WriteLockProbe(database);
      try {
        await until(async () => lock.held(), 60_000, 10);
      } finally {
        lock.close();
      }
      // A restart of Redis as the client and its workers see it: every connection reset, none accepted for a while,
      // in which the finalizer commits (the file needs no Redis) but cannot tell the queue.
      link.dropAll(RESTART_MS);
      await until(async () => checkpointStatus(database, runId) === 'completed', RESTART_MS);
      // What the restart, without persistence, leaves of this run's queues: nothing.
      await redis.del(...(await redis.keys(`${world.prefix}:*`)));
      const summary = await run;
      expect(summary.status).toBe('completed');
      expect(summary.run_id).toBe(runId);
      expect(summary.already_completed).toBeUndefined();
    } finally {
      await client.close();
      await link.close();
    }
  }, 120_000);
});
