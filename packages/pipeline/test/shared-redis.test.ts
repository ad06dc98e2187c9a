import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Job, Queue } from 'bullmq';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { defaultConfig } from '@scheduler/core';
import { openOrganizationDb } from '@scheduler/db';
import { REQUEST_JOB_NAMES } from '@scheduler/queue';
import { registerSchedules, type Fleet } from '../src/index';
import { CHANGE_POLL_SCHEDULER_ID } from '../src/nightly-schedule';
import { committedRows, referenceRows } from './support/committed-schedule';
import { connectClient, newWorld, openHandQueues, redisUrl, startDirectoryFleet, until, type HandQueues } from './support/fleet-world';
import { writeOrganization } from './support/organization-fixture';

const AS_OF = '2026-11-28';

// Each case starts fleets or runs' own workers and waits for several full runs: 45-60 s each on a loaded 2-core
// machine, where the default 60 s timed the first case out.
describe('when runs of several database files share one Redis', { timeout: 180_000 }, () => {
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

  it("a run's workers leave the nightly and poll jobs to the fleet, whose nightly then reaches all its organizations", async () => {
    const database = join(world.directory, 'north.sqlite');
    writeOrganization(database, { contacts: 1_500, today: AS_OF });
    // Due while the fleet is down (a deploy): the next command's own workers would take them for their one file.
    const nightly = await requests.add(REQUEST_JOB_NAMES.nightly, {});
    const poll = await requests.add(REQUEST_JOB_NAMES.pollChanges, {});
    const client = await connectClient(database, world.prefix);
    try {
      await client.fullRun('north', { asOf: AS_OF });
      expect([await nightly.getState(), await poll.getState()]).toEqual([expect.stringMatching(/^(waiting|delayed)$/), expect.stringMatching(/^(waiting|delayed)$/)]);
    } finally {
      await client.close();
    }
    const fleet = await fleetOver('fleet', ['acme', 'globex']);
    try {
      const { organizations } = (await nightly.waitUntilFinished(queues.requestEvents)) as { organizations: string[] };
      expect(organizations).toEqual(['acme', 'globex']);
      await poll.waitUntilFinished(queues.requestEvents);
    } finally {
      await fleet.close();
    }
  });

  /** A run of a file outside the directory of a fleet serving 'acme', its client on `clientRedisUrl`: completed and scheduled. */
  const runBesideAFleet = async (contacts: number, clientRedisUrl?: string): Promise<void> => {
    const fleet = await fleetOver('fleet', ['acme']);
    const database = join(world.directory, 'big.sqlite');
    writeOrganization(database, { contacts, today: AS_OF });
    try {
      const client = await connectClient(database, world.prefix, clientRedisUrl === undefined ? {} : { redisUrl: clientRedisUrl });
      try {
        expect((await client.fullRun('big', { asOf: AS_OF })).status).toBe('completed');
      } finally {
        await client.close();
      }
    } finally {
      await fleet.close();
    }
    expectScheduled(database);
  };

  it('a run of a file outside a running fleet\'s directory starts workers of its own, and the fleet leaves its jobs to them', async () => {
    await runBesideAFleet(3_000);
  });

  it("a run on another database of the same Redis server (REDIS_URL's path) starts workers of its own beside a fleet on this one", async () => {
    const otherDatabase = new URL(redisUrl());
    otherDatabase.pathname = `/${(Number(otherDatabase.pathname.slice(1) || 0) + 1) % 16}`;
    await runBesideAFleet(1_000, otherDatabase.href);
  });

  // RULES.md §10: "A reschedule requested while a full run is in flight is reflected after both finish".
  it("a reschedule asked for while another run of the file is in flight completes after that run's workers have left", async () => {
    const database = join(world.directory, 'acme.sqlite');
    writeOrganization(database, { contacts: 3_000, today: AS_OF });
    const running = await connectClient(database, world.prefix);
    let runningOpen = true;
    const run = running.fullRun('acme', { asOf: AS_OF });
    const checkpointStarted = async (): Promise<boolean> => {
      const db = openOrganizationDb(database, { readonly: true });
      try {
        return db.sqlite.prepare("SELECT count(*) FROM scheduler_checkpoints WHERE status = 'started'").pluck().get() === 1;
      } finally {
        db.close();
      }
    };
    await until(checkpointStarted, 60_000);
    // The second client finds the first one's workers and starts none of its own; its reschedule waits for the run.
    const asking = await connectClient(database, world.prefix);
    try {
      const reschedule = asking.rescheduleContacts('acme', [1, 2, 3], AS_OF);
      expect((await run).status).toBe('completed');
      runningOpen = false;
      await running.close();
      expect((await reschedule).status).toBe('completed');
    } finally {
      if (runningOpen) await running.close();
      await asking.close();
    }
    const db = openOrganizationDb(database, { readonly: true });
    try {
      expect(db.sqlite.prepare("SELECT scheduler_run_id FROM scheduler_checkpoints WHERE status = 'completed' ORDER BY id").pluck().all()).toEqual([
        expect.stringMatching(/^run-acme-/),
        expect.stringMatching(/^reschedule-acme-/),
      ]);
    } finally {
      db.close();
    }
  }, 120_000);

  it('fleets over directories of their own (several machines) leave each other\'s organizations alone, and the nightly and poll jobs reach all of them', async () => {
    const fleets = [await fleetOver('east', ['acme']), await fleetOver('west', ['globex'])];
    const databases = { acme: join(world.directory, 'east', 'acme.sqlite'), globex: join(world.directory, 'west', 'globex.sqlite') };
    const sql = <T>(database: string, work: (db: ReturnType<typeof openOrganizationDb>) => T): T => {
      const db = openOrganizationDb(database);
      try {
        return work(db);
      } finally {
        db.close();
      }
    };
    try {
      // Requests of both organizations, more than either fleet would take alone: each must reach its own fleet.
      const jobs = await requests.addBulk(
        (['acme', 'globex', 'acme', 'globex', 'acme', 'globex'] as const).map((organization) => ({
          name: REQUEST_JOB_NAMES.fullRun,
          data: { organization, asOf: AS_OF },
        })),
      );
      const outcomes = (await Promise.all(jobs.map((job) => job.waitUntilFinished(queues.requestEvents)))) as { runId: string }[];
      for (const runId of new Set(outcomes.map((outcome) => outcome.runId))) {
        await (await Job.fromId(queues.finalize, `${runId}-finalize`))!.waitUntilFinished(queues.finalizeEvents);
      }
      for (const database of Object.values(databases)) expectScheduled(database);

      // A campaign change in each organization, for the poll; then the nightly job of the next day.
      for (const database of Object.values(databases)) {
        sql(database, (db) =>
          db.sqlite.exec(`INSERT INTO campaign_change_log (campaign_instance_id, field_changed, old_value, new_value, changed_at, changed_by, requires_rescheduling)
                          SELECT min(id), 'email_template', 'a', 'b', '2026-11-28 12:00:00', 'ops', 1 FROM campaign_instances`),
        );
      }
      const count = (database: string, query: string, ...parameters: string[]): number =>
        sql(database, (db) => db.sqlite.prepare(query).pluck().get(...parameters) as number);
      // The poll as `scheduler nightly` registers it, every second here.
      await registerSchedules(redisUrl(), defaultConfig(), { prefix: world.prefix, changePollEveryMs: 1_000 });
      await until(
        async () => Object.values(databases).every((database) => count(database, 'SELECT count(*) FROM campaign_change_log WHERE processed_at IS NULL') === 0),
        60_000,
      );
      // Polls completed (only they marked those rows), yet none is kept: one a minute would push the runs' records
      // out of the kept completions. Nor is one a fleet asked of another for the organization that one serves.
      const kept = await requests.getCompleted();
      const keptPolls = kept.filter((job) => job.name === REQUEST_JOB_NAMES.pollChanges && (job.repeatJobKey === CHANGE_POLL_SCHEDULER_ID || job.id?.startsWith('poll-')));
      expect(keptPolls.map((job) => job.id)).toEqual([]);
      expect(kept.filter((job) => job.name === REQUEST_JOB_NAMES.fullRun).length).toBeGreaterThanOrEqual(6);
      // The nightly job runs as of the day it is processed: today, a day after AS_OF.
      const nightly = await requests.add(REQUEST_JOB_NAMES.nightly, {});
      const { asOf: nightlyDay } = (await nightly.waitUntilFinished(queues.requestEvents)) as { asOf: string };
      expect(nightlyDay > AS_OF).toBe(true);
      const nightlyRuns = (database: string): number =>
        count(database, "SELECT count(*) FROM scheduler_checkpoints WHERE status = 'completed' AND scheduler_run_id LIKE ?", `run-%-${nightlyDay}-%`);
      await until(async () => Object.values(databases).every((database) => nightlyRuns(database) === 1), 90_000);
      const failed = [...(await requests.getFailed()), ...(await queues.finalize.getFailed())];
      expect(failed.map((job) => `${job.name} ${job.id}: ${job.failedReason}`)).toEqual([]);
    } finally {
      await Promise.all(fleets.map((fleet) => fleet.close()));
    }
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
