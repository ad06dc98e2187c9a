import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Job, Queue } from 'bullmq';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { defaultConfig } from '@scheduler/core';
import { openOrganizationDb } from '@scheduler/db';
import { REQUEST_JOB_NAMES } from '@scheduler/queue';
import type { Fleet } from '../src/index';
import { committedRows, referenceRows } from './support/committed-schedule';
import { connectClient, newWorld, openHandQueues, startDirectoryFleet, type HandQueues } from './support/fleet-world';
import { writeOrganization } from './support/organization-fixture';

const AS_OF = '2026-11-28';

describe('when runs of several database files share one Redis', () => {
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

  /** A fleet over a directory of its own, holding the organizations named. */
  const fleetOver = async (name: string, organizations: readonly string[]): Promise<Fleet> => {
    const directory = join(world.directory, name);
    mkdirSync(directory);
    for (const organization of organizations) writeOrganization(join(directory, `${organization}.sqlite`), { contacts: 300, today: AS_OF });
    return startDirectoryFleet(directory, world.prefix);
  };

  const expectScheduled = (database: string): void =>
    expect(committedRows(database).map((row) => row.line)).toEqual(referenceRows(database, defaultConfig(), AS_OF).map((row) => row.line));

  it('each run starts workers of its own and commits to its own file, though their jobs meet in the same queues', async () => {
    const organizations = ['north', 'south', 'east'];
    const databases = organizations.map((organization, index) => {
      const database = join(world.directory, `${organization}.sqlite`);
      writeOrganization(database, { contacts: 1_500, seed: index + 1, today: AS_OF });
      return database;
    });
    // One after the other, so that each finds the others' workers serving the queues before it starts.
    const clients = [];
    for (const database of databases) clients.push(await connectClient(database, world.prefix));
    try {
      const summaries = await Promise.all(clients.map((client, index) => client.fullRun(organizations[index]!, { asOf: AS_OF })));
      expect(summaries.map((summary) => [summary.organization, summary.status])).toEqual(
        organizations.map((organization) => [organization, 'completed']),
      );
    } finally {
      await Promise.all(clients.map((client) => client.close()));
    }
    for (const database of databases) expectScheduled(database);
  });

  it("a run's workers leave a job of another organization waiting, not failed, when nothing serves that organization", async () => {
    const database = join(world.directory, 'north.sqlite');
    writeOrganization(database, { contacts: 3_000, today: AS_OF });
    const client = await connectClient(database, world.prefix);
    let job: Job;
    try {
      // Another service asks for a reschedule of an organization whose fleet is not running.
      job = await requests.add(REQUEST_JOB_NAMES.rescheduleContacts, { organization: 'acme', contactIds: [1], asOf: AS_OF });
      await client.fullRun('north', { asOf: AS_OF });
      expect(await job.getState()).toMatch(/^(waiting|delayed)$/);
    } finally {
      await client.close();
    }
    expectScheduled(database);
    const fleet = await fleetOver('fleet', ['acme']);
    try {
      const deadline = Date.now() + 30_000;
      while ((await job.getState()) !== 'completed') {
        if (Date.now() > deadline) throw new Error(`the reschedule ended ${await job.getState()}: ${(await Job.fromId(requests, job.id!))?.failedReason}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    } finally {
      await fleet.close();
    }
  });

  it('a run of a file outside a running fleet\'s directory starts workers of its own, and the fleet leaves its jobs to them', async () => {
    const fleet = await fleetOver('fleet', ['acme']);
    const database = join(world.directory, 'big.sqlite');
    writeOrganization(database, { contacts: 3_000, today: AS_OF });
    try {
      const client = await connectClient(database, world.prefix);
      try {
        expect((await client.fullRun('big', { asOf: AS_OF })).status).toBe('completed');
      } finally {
        await client.close();
      }
    } finally {
      await fleet.close();
    }
    expectScheduled(database);
  });

  it('several services asking at once for one run, served by two fleets, get it planned and committed once', async () => {
    const fleets = [await fleetOver('fleet', ['acme']), await startDirectoryFleet(join(world.directory, 'fleet'), world.prefix)];
    try {
      const database = join(world.directory, 'fleet', 'acme.sqlite');
      const jobs = await requests.addBulk(
        Array.from({ length: 6 }, () => ({ name: REQUEST_JOB_NAMES.fullRun, data: { organization: 'acme', asOf: AS_OF } })),
      );
      const outcomes = (await Promise.all(jobs.map((job) => job.waitUntilFinished(queues.requestEvents)))) as { runId: string }[];
      const runIds = new Set(outcomes.map((outcome) => outcome.runId));
      expect(runIds.size).toBe(1);
      const [runId] = runIds;
      await (await Job.fromId(queues.finalize, `${runId}-finalize`))!.waitUntilFinished(queues.finalizeEvents);
      // No attempt of the finalizer failed (a second plan of the run would have dropped chunk results).
      expect((await Job.fromId(queues.finalize, `${runId}-finalize`))?.stacktrace).toEqual([]);
      const db = openOrganizationDb(database, { readonly: true });
      try {
        expect(db.sqlite.prepare('SELECT status FROM scheduler_checkpoints').pluck().all()).toEqual(['completed']);
      } finally {
        db.close();
      }
      expectScheduled(database);
    } finally {
      await Promise.all(fleets.map((fleet) => fleet.close()));
    }
  });
});
