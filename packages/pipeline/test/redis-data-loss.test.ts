/*
 * CONTRACT.md: `run` "waits for the commit". A Redis restarted without persistence loses every job of a run in
 * flight, and no event will ever say how they ended: the client notices that its jobs are gone and asks for
 * the run again, which is planned from what the files hold (RULES.md §10: "a retry completes the run").
 */
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { defaultConfig } from '@scheduler/core';
import { fullRunId } from '../src/index';
import { committedRows, referenceRows } from './support/committed-schedule';
import { connectClient, newWorld, openHandQueues, redisUrl, until, type HandQueues } from './support/fleet-world';
import { writeOrganization } from './support/organization-fixture';

const AS_OF = '2026-11-28';

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
});
