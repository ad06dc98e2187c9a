/*
 * "Logs are pino JSON with the run id and organization on every line": BullMQ's own reports about a job (a stalled
 * job given back, a job whose record Redis lost) name the job's run, so that ops can tell which run they concern.
 */
import { join } from 'node:path';
import { Worker, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { defaultConfig } from '@scheduler/core';
import { CHUNK_JOB_NAME, QUEUE_NAMES, REQUEST_JOB_NAMES } from '@scheduler/queue';
import { OrganizationDirectory, RunClient, SingleDatabase, startFleet, type Fleet } from '../src/index';
import { newWorld, openHandQueues, redisUrl, type HandQueues } from './support/fleet-world';
import { writeOrganization } from './support/organization-fixture';

const AS_OF = '2026-11-28';

interface LogLine {
  level: number;
  msg: string;
  runId?: string;
  organization?: string;
  jobId?: string;
  err?: { message: string };
}

describe("the fleet's lines about BullMQ's reports on its jobs", () => {
  let world: ReturnType<typeof newWorld>;
  let queues: HandQueues;
  let redis: Redis;
  let lines: LogLine[];
  let fleet: Fleet | undefined;

  // Chunks of 3,000 contacts: each is at work for a few hundred milliseconds, which the test's look every 5 ms catches.
  const CONFIG = { ...defaultConfig(), batch_size: 3_000 };
  const startLoggedFleet = (): Promise<Fleet> =>
    startFleet({
      redisUrl: redisUrl(),
      locator: new OrganizationDirectory(world.directory),
      config: CONFIG,
      threads: 1,
      logger: pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line) as LogLine) }),
      prefix: world.prefix,
    });

  beforeEach(async () => {
    world = newWorld();
    queues = await openHandQueues(world.prefix);
    redis = new Redis(redisUrl());
    lines = [];
    writeOrganization(join(world.directory, 'acme.sqlite'), { contacts: 6_000, today: AS_OF });
  });
  afterEach(async () => {
    await fleet?.close({ force: true });
    fleet = undefined;
    await queues.close();
    redis.disconnect();
    world.cleanup();
  });

  // A chunk names its run in its data; a reschedule request is named after its job (reschedule-requests.ts).
  it.each([
    {
      queue: QUEUE_NAMES.chunks,
      name: CHUNK_JOB_NAME,
      data: { runId: 'run-acme-stalled', organization: 'acme', chunkIndex: 0, fromId: 1, toId: 10 },
      runIdOf: () => 'run-acme-stalled',
    },
    {
      queue: QUEUE_NAMES.requests,
      name: REQUEST_JOB_NAMES.rescheduleContacts,
      data: { organization: 'acme', contactIds: [1] },
      runIdOf: (job: Job) => `reschedule-acme-${job.id}-${job.timestamp.toString(36)}`,
    },
  ])('a stalled $name job given back to the queue is reported with its run and organization', async ({ queue, name, data, runIdOf }) => {
    const added = await (queue === QUEUE_NAMES.chunks ? queues.chunks : queues.requests).add(name, data);
    // A worker that takes the job and dies with it: the job stays active, and its lock goes.
    const dyingConnection = redis.duplicate({ maxRetriesPerRequest: null });
    const dying = new Worker(queue, null, { connection: dyingConnection, prefix: world.prefix, autorun: false });
    const taken = await dying.getNextJob('dead-worker-token');
    expect(taken?.id).toBe(added.id);
    await dying.close(true);
    dyingConnection.disconnect();
    const key = (suffix: string): string => `${world.prefix}:${queue}:${suffix}`;
    await redis.del(key(`${added.id}:lock`));
    // What BullMQ's first stalled check (30 s earlier) would have marked: the next one gives the job back.
    await redis.sadd(key('stalled'), added.id!);
    await redis.del(key('stalled-check'));

    fleet = await startLoggedFleet();
    await vi.waitFor(() => expect(lines.find((line) => /^job stalled/.test(line.msg))).toBeDefined(), { timeout: 20_000, interval: 50 });
    expect(lines.find((line) => /^job stalled/.test(line.msg))).toMatchObject({ level: 40, jobId: added.id, runId: runIdOf(added), organization: 'acme' });
  }, 60_000);

  it("an error about a job whose record Redis lost while it was worked on names the job's run and organization", async () => {
    fleet = await startLoggedFleet();
    const client = await RunClient.connect({
      redisUrl: redisUrl(),
      locator: SingleDatabase.open(join(world.directory, 'acme.sqlite')),
      config: CONFIG,
      threads: 1,
      logger: pino({ level: 'silent' }),
      startLocalWorkers: false,
      prefix: world.prefix,
    });
    const lostJobError = (): LogLine | undefined => lines.find((line) => line.msg === 'worker error' && /for job/.test(line.err?.message ?? ''));
    try {
      void client.fullRun('acme', { asOf: AS_OF }).catch(() => undefined);
      // What Redis losing its data does to a chunk at work: its record goes, and the worker cannot record its end.
      const activeKey = `${world.prefix}:${QUEUE_NAMES.chunks}:active`;
      const lost = new Set<string>();
      await vi.waitFor(
        async () => {
          for (const jobId of await redis.lrange(activeKey, 0, -1)) {
            if (lost.has(jobId)) continue;
            lost.add(jobId);
            await redis.del(`${world.prefix}:${QUEUE_NAMES.chunks}:${jobId}`);
          }
          expect(lostJobError()).toBeDefined();
        },
        { timeout: 30_000, interval: 5 },
      );
      const line = lostJobError()!;
      expect(lost.has(line.jobId!)).toBe(true);
      expect(line).toMatchObject({ level: 50, runId: expect.stringMatching(/^run-acme-2026-11-28-/), organization: 'acme' });
    } finally {
      await client.close();
    }
  }, 60_000);
});
