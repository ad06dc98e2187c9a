import { join } from 'node:path';
import { Queue } from 'bullmq';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { defaultConfig } from '@scheduler/core';
import { openOrganizationDb, readRunCheckpoint } from '@scheduler/db';
import { REQUEST_JOB_NAMES } from '@scheduler/queue';
import { NIGHTLY_CRON, fullRunId, registerSchedules } from '../src/index';
import { newWorld, openHandQueues, redisUrl, startDirectoryFleet, type HandQueues } from './support/fleet-world';
import { writeOrganization } from './support/organization-fixture';

describe('when the nightly job scheduler fires', () => {
  let world: ReturnType<typeof newWorld>;
  let queues: HandQueues;
  let requests: Queue;

  beforeEach(async () => {
    world = newWorld();
    queues = await openHandQueues(world.prefix);
    requests = queues.requests;
  });
  afterEach(async () => {
    await queues.close();
    world.cleanup();
  });

  it('is registered at 02:00 in the configured time zone, once however often it is registered', async () => {
    const config = defaultConfig();
    await registerSchedules(redisUrl(), config, { prefix: world.prefix });
    await registerSchedules(redisUrl(), config, { prefix: world.prefix });
    const schedulers = await requests.getJobSchedulers();
    const nightly = schedulers.filter((scheduler) => scheduler.name === REQUEST_JOB_NAMES.nightly);
    expect(nightly).toHaveLength(1);
    expect(nightly[0]).toMatchObject({ pattern: NIGHTLY_CRON, tz: 'America/Chicago' });
  });

  it('runs every organization database of the directory', async () => {
    for (const organization of ['acme', 'globex']) {
      writeOrganization(join(world.directory, `${organization}.sqlite`), { contacts: 300, today: '2026-11-28' });
    }
    const config = defaultConfig();
    const fleet = await startDirectoryFleet(world.directory, world.prefix, 2);
    try {
      // As the job scheduler would add it, at 02:00 Chicago on 2026-11-28: the runs are as of that day.
      await requests.add(REQUEST_JOB_NAMES.nightly, {}, { timestamp: Date.parse('2026-11-28T08:00:00Z') });
      const completed = (organization: string): boolean => {
        const db = openOrganizationDb(join(world.directory, `${organization}.sqlite`), { readonly: true });
        try {
          return readRunCheckpoint(db, fullRunId(organization, '2026-11-28', config))?.status === 'completed';
        } finally {
          db.close();
        }
      };
      const deadline = Date.now() + 90_000;
      while (!(completed('acme') && completed('globex'))) {
        if (Date.now() > deadline) throw new Error('the nightly runs did not complete');
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    } finally {
      await fleet.close();
    }
  });
});
