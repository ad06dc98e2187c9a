import { copyFileSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Job, Queue, QueueEvents, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { eq } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openOrganizationDb, readRunCheckpoint, schema, type OrganizationDb } from '@scheduler/db';
import { QUEUE_NAMES, REQUEST_JOB_NAMES } from '@scheduler/queue';
import { defaultConfig } from '@scheduler/core';
import { SingleDatabase, finalizeJobId, fullRunId } from '../src/index';
import { committedRows } from './support/committed-schedule';
import { configWith, connectClient, newWorld, openHandQueues, redisUrl, startDirectoryFleet, until, type HandQueues } from './support/fleet-world';
import { writeOrganization } from './support/organization-fixture';

const AS_OF = '2026-11-28';

/** Contact 42 moves to Texas and has another birthday: its birthday email becomes one of 2027-03-10. */
const moveContact42 = (db: OrganizationDb): void => {
  db.orm.update(schema.contacts).set({ birthDate: '1951-03-10', zipCode: '75001' }).where(eq(schema.contacts.id, 42)).run();
};

describe('when other services enqueue requests', () => {
  let world: ReturnType<typeof newWorld>;
  let database: string;
  let queues: HandQueues;
  let requests: Queue;
  let finalize: Queue;
  let events: QueueEvents;

  beforeEach(async () => {
    world = newWorld();
    database = join(world.directory, 'acme.sqlite');
    writeOrganization(database, { contacts: 1_500, today: AS_OF });
    queues = await openHandQueues(world.prefix);
    ({ requests, finalize, requestEvents: events } = queues);
  });
  afterEach(async () => {
    await queues.close();
    world.cleanup();
  });

  it('fails a malformed job once, without retrying, naming the bad field', async () => {
    const client = await connectClient(database, world.prefix);
    try {
      const job = await requests.add(
        REQUEST_JOB_NAMES.rescheduleContacts,
        { organization: 'acme', contactIds: 'all of them' },
        { attempts: 5, backoff: { type: 'fixed', delay: 10 } },
      );
      await expect(job.waitUntilFinished(events)).rejects.toThrow(/contactIds/);
      const failed = await Job.fromId(requests, job.id!);
      expect(failed?.attemptsMade).toBe(1);
      expect(await failed?.getState()).toBe('failed');
    } finally {
      await client.close();
    }
  });

  it('fails a full run whose configuration is bad once, naming the key', async () => {
    const client = await connectClient(database, world.prefix);
    try {
      const job = await requests.add(
        REQUEST_JOB_NAMES.fullRun,
        { organization: 'acme', config: { timing: { birthday_email_days_before: -1 } } },
        { attempts: 5 },
      );
      await expect(job.waitUntilFinished(events)).rejects.toThrow(/timing\.birthday_email_days_before/);
      expect((await Job.fromId(requests, job.id!))?.attemptsMade).toBe(1);
    } finally {
      await client.close();
    }
  });

  it('fails a job naming a path at once', async () => {
    const client = await connectClient(database, world.prefix);
    try {
      const job = await requests.add(REQUEST_JOB_NAMES.rescheduleContacts, { organization: '../acme', contactIds: [1] }, { attempts: 5 });
      await expect(job.waitUntilFinished(events)).rejects.toThrow(/organization/);
      expect((await Job.fromId(requests, job.id!))?.attemptsMade).toBe(1);
    } finally {
      await client.close();
    }
  });

  // A run's own workers leave such a job waiting for its fleet (shared-redis.test.ts); a fleet without it is the authority.
  it('fails a job naming an organization without a database in the fleet directory at once', async () => {
    const fleet = await startDirectoryFleet(world.directory, world.prefix);
    try {
      const job = await requests.add(REQUEST_JOB_NAMES.rescheduleContacts, { organization: 'globex', contactIds: [1] }, { attempts: 5 });
      await expect(job.waitUntilFinished(events)).rejects.toThrow(/no database for organization globex in .*, and no other live fleet on this Redis lists it/);
      expect((await Job.fromId(requests, job.id!))?.attemptsMade).toBe(1);
    } finally {
      await fleet.close();
    }
  });

  it('reschedules a contact on request, leaving every other contact as it was', async () => {
    const client = await connectClient(database, world.prefix);
    try {
      await client.fullRun('acme', { asOf: AS_OF });
      const before = committedRows(database);
      const db = openOrganizationDb(database);
      moveContact42(db);
      db.close();
      const summary = await client.rescheduleContacts('acme', [42], AS_OF);
      expect(summary.kind).toBe('contacts');
      const after = committedRows(database);
      expect(after.filter((row) => row.contactId !== 42)).toEqual(before.filter((row) => row.contactId !== 42));
      expect(after.some((row) => row.contactId === 42 && row.line.includes('|birthday|2027|3|10|'))).toBe(true);
    } finally {
      await client.close();
    }
  });

  it('gives every reschedule a checkpoint of its own, even when job numbers start again under another prefix', async () => {
    const first = await connectClient(database, world.prefix);
    let runIds: string[];
    try {
      await first.fullRun('acme', { asOf: AS_OF });
      runIds = [(await first.rescheduleContacts('acme', [42], AS_OF)).run_id];
    } finally {
      await first.close();
    }
    // Another prefix: its job numbers start again at 1, and reach the first prefix's.
    const second = await connectClient(database, `${world.prefix}-again`);
    try {
      for (let i = 0; i < 2; i++) runIds.push((await second.rescheduleContacts('acme', [42], AS_OF)).run_id);
    } finally {
      await second.close();
    }
    expect(new Set(runIds).size).toBe(3);
    const db = openOrganizationDb(database, { readonly: true });
    try {
      const stored = db.orm.select({ runId: schema.schedulerCheckpoints.schedulerRunId }).from(schema.schedulerCheckpoints).all();
      expect(stored.map((row) => row.runId)).toEqual(expect.arrayContaining(runIds));
    } finally {
      db.close();
    }
  });

  it("reschedules with the configuration the request carries, not the serving workers' own", async () => {
    const fleet = await connectClient(database, world.prefix);
    try {
      await fleet.fullRun('acme', { asOf: AS_OF });
      const db = openOrganizationDb(database);
      moveContact42(db);
      db.close();
      // A client with a configuration of its own: the fleet's workers serve it, none start here.
      const client = await connectClient(database, world.prefix, { config: configWith({ templates: { birthday: { email: 'spring_birthday' } } }) });
      try {
        await client.rescheduleContacts('acme', [42], AS_OF);
      } finally {
        await client.close();
      }
      const birthday = committedRows(database).filter((row) => row.contactId === 42 && row.line.includes('|birthday|'));
      expect(birthday).toHaveLength(1);
      expect(birthday[0]!.line).toContain('|spring_birthday|');
      // The sender finds the configuration a row was written under in config_versions: this one is in force now.
      const after = openOrganizationDb(database, { readonly: true });
      try {
        const inForce = after.sqlite.prepare(`SELECT config_data FROM config_versions WHERE valid_to IS NULL`).pluck().all() as string[];
        expect(inForce.map((data) => JSON.parse(data).templates.birthday.email)).toEqual(['spring_birthday']);
      } finally {
        after.close();
      }
    } finally {
      await fleet.close();
    }
  });

  it('applies a reschedule enqueued without options while another writer holds the database past the busy timeout', async () => {
    const client = await connectClient(database, world.prefix);
    const holder = openOrganizationDb(database);
    try {
      await client.fullRun('acme', { asOf: AS_OF });
      holder.sqlite.exec('BEGIN IMMEDIATE');
      moveContact42(holder);
      // As the README's example enqueues it: one attempt.
      const reschedule = await requests.add(REQUEST_JOB_NAMES.rescheduleContacts, { organization: 'acme', contactIds: [42], asOf: AS_OF });
      // Held until the reschedule has given up waiting for the lock (10 s busy timeout), not for a fixed 12 s: a
      // reschedule that starts waiting more than 2 s after the hold began would get the lock without ever giving up.
      await until(async () => (await requests.getJobLogs(reschedule.id ?? '')).logs.some((line) => /locked by another writer/.test(line)), 60_000);
      holder.sqlite.exec('COMMIT');

      await reschedule.waitUntilFinished(events);
      const rows = committedRows(database).filter((row) => row.contactId === 42);
      expect(rows.some((row) => row.line.includes('|birthday|2027|3|10|'))).toBe(true);
      // Why it waited is in the job's log, which Bull Board and the dashboard show.
      const { logs } = await requests.getJobLogs(reschedule.id ?? '');
      expect(logs.at(-1)).toMatch(/waits \d+ ms: the organization's database is locked by another writer/);
    } finally {
      if (holder.sqlite.inTransaction) holder.sqlite.exec('ROLLBACK');
      holder.close();
      await client.close();
    }
  }, 120_000);

  it('commits none of a reschedule whose checkpoint cannot say completed', async () => {
    const client = await connectClient(database, world.prefix);
    try {
      await client.fullRun('acme', { asOf: AS_OF });
      const before = committedRows(database);
      const db = openOrganizationDb(database);
      moveContact42(db);
      db.sqlite.exec(`CREATE TRIGGER refuse_completion BEFORE UPDATE OF status ON scheduler_checkpoints
        WHEN NEW.status = 'completed' AND NEW.scheduler_run_id LIKE 'reschedule-%' BEGIN SELECT RAISE(ABORT, 'refused'); END`);
      db.close();

      const reschedule = await requests.add(REQUEST_JOB_NAMES.rescheduleContacts, { organization: 'acme', contactIds: [42], asOf: AS_OF });
      await expect(reschedule.waitUntilFinished(events)).rejects.toThrow(/refused/);

      expect(committedRows(database)).toEqual(before);
    } finally {
      await client.close();
    }
  });

  it('names, and does not claim to enqueue again, a campaign-change reschedule that failed for good', async () => {
    // The poll job is a fleet's: it asks for every organization the fleets serve.
    const fleet = await startDirectoryFleet(world.directory, world.prefix);
    try {
      const db = openOrganizationDb(database);
      db.sqlite.exec(`CREATE TRIGGER refuse_completion BEFORE UPDATE OF status ON scheduler_checkpoints
        WHEN NEW.status = 'completed' AND NEW.scheduler_run_id LIKE 'reschedule-%' BEGIN SELECT RAISE(ABORT, 'refused'); END`);
      db.close();
      const poll = async () =>
        (await (await requests.add(REQUEST_JOB_NAMES.pollChanges, {})).waitUntilFinished(events)) as { enqueued: string[]; failedForGood: string[] };

      const first = await poll();
      expect(first.enqueued).toHaveLength(1);
      const [jobId] = first.enqueued;
      await until(async () => (await (await Job.fromId(requests, jobId!))?.getState()) === 'failed');

      expect(await poll()).toEqual({ enqueued: [], failedForGood: [jobId] });
    } finally {
      await fleet.close();
    }
  });

  // RULES.md §10: pending rows "trigger a reschedule of the instance's targets and are then marked processed",
  // whatever ids SQLite gives them: a log without AUTOINCREMENT gives a pruned row's id out again.
  it('asks again for change-log rows pending under the id of a reschedule that completed, and names rows that name no instance', async () => {
    // The poll job is a fleet's: it asks for every organization the fleets serve.
    const fleet = await startDirectoryFleet(world.directory, world.prefix);
    try {
      type PollOutcome = { enqueued: string[]; failedForGood: string[]; withoutInstance?: string[] };
      const poll = async () => (await (await requests.add(REQUEST_JOB_NAMES.pollChanges, {})).waitUntilFinished(events)) as PollOutcome;
      const pendingIds = (): number[] => {
        const db = openOrganizationDb(database, { readonly: true });
        try {
          return db.sqlite.prepare('SELECT id FROM campaign_change_log WHERE processed_at IS NULL AND requires_rescheduling = 1 ORDER BY id').pluck().all() as number[];
        } finally {
          db.close();
        }
      };
      const [changeId] = pendingIds();
      expect(changeId).toBeDefined();
      const first = await poll();
      expect(first.enqueued).toHaveLength(1);
      await (await Job.fromId(requests, first.enqueued[0]!))!.waitUntilFinished(events);
      expect(pendingIds()).not.toContain(changeId);

      // The row is pending again under the same id, as a row logged after its id was pruned would be.
      const db = openOrganizationDb(database);
      db.sqlite.prepare('UPDATE campaign_change_log SET processed_at = NULL WHERE id = ?').run(changeId);
      const unnamed = Number(
        db.sqlite
          .prepare("INSERT INTO campaign_change_log (campaign_instance_id, field_changed, changed_at, requires_rescheduling) VALUES ('abc', 'x', '2026-11-28 09:00:00', 1)")
          .run().lastInsertRowid,
      );
      db.close();
      const second = await poll();
      expect(second.enqueued).toEqual([expect.stringMatching(new RegExp(`^${first.enqueued[0]}-after-\\d+$`))]);
      expect(second.withoutInstance).toEqual([`acme:${unnamed}`]);
      await (await Job.fromId(requests, second.enqueued[0]!))!.waitUntilFinished(events);
      expect(pendingIds()).toEqual([unnamed]);
      // Asked for already: the next poll asks for nothing more.
      expect((await poll()).enqueued).toEqual([]);
    } finally {
      await fleet.close();
    }
  });

  // A run may be in flight for hours (its backups queue paused, its chunks waiting for a fleet): however long, a
  // reschedule waits while the run's finalizer is in the queue.
  it.each([
    ['started just now', 0],
    ['started seven hours ago', 7],
  ])('applies a reschedule that arrives during a full run %s after the run, so the run does not overwrite it', async (_, startedHoursAgo) => {
    const client = await connectClient(database, world.prefix);
    try {
      const runId = fullRunId('acme', AS_OF, defaultConfig());
      // Hold the finalizer back: the run is in flight, its chunks computed from the old contact.
      await finalize.pause();
      const run = await requests.add(REQUEST_JOB_NAMES.fullRun, { organization: 'acme', asOf: AS_OF }, { jobId: runId });
      await run.waitUntilFinished(events);
      await until(async () => {
        const parent = await Job.fromId(finalize, finalizeJobId(runId));
        const counts = await parent?.getDependenciesCount();
        return counts !== undefined && (counts.unprocessed ?? 0) === 0;
      });

      const db = openOrganizationDb(database);
      moveContact42(db);
      db.sqlite
        .prepare(`UPDATE scheduler_checkpoints SET run_timestamp = datetime(run_timestamp, ?) WHERE scheduler_run_id = ?`)
        .run(`-${startedHoursAgo} hours`, runId);
      db.close();
      const reschedule = await requests.add(REQUEST_JOB_NAMES.rescheduleContacts, { organization: 'acme', contactIds: [42], asOf: AS_OF });
      await until(async () => (await reschedule.getState()) === 'delayed');
      const { logs } = await requests.getJobLogs(reschedule.id ?? '');
      expect(logs.at(-1)).toContain(`a full run of this organization is in flight (${runId})`);

      await finalize.resume();
      await reschedule.waitUntilFinished(events);
      const rows = committedRows(database).filter((row) => row.contactId === 42);
      expect(rows.some((row) => row.line.includes('|birthday|2027|3|10|'))).toBe(true);
    } finally {
      await finalize.resume();
      await client.close();
    }
  });

  /** A reschedule completes without waiting for the run, which is now recorded failed: it can no longer commit. */
  const expectRescheduledPast = async (runId: string): Promise<void> => {
    const reschedule = await requests.add(REQUEST_JOB_NAMES.rescheduleContacts, { organization: 'acme', contactIds: [42], asOf: AS_OF });
    expect(await reschedule.waitUntilFinished(events, 30_000)).toMatchObject({ status: 'completed' });
    const after = openOrganizationDb(database, { readonly: true });
    try {
      expect(readRunCheckpoint(after, runId)).toMatchObject({ status: 'failed', errorMessage: expect.stringMatching(/completed finalizer but no completed commit/) });
    } finally {
      after.close();
    }
  };

  // Nothing of such a run can commit any more: reschedules must not wait for it, however long.
  it('records failed, and does not wait for, a full run whose checkpoint says started but whose finalizer completed', async () => {
    const runId = fullRunId('acme', AS_OF, defaultConfig());
    const connection = new Redis(redisUrl(), { maxRetriesPerRequest: null });
    const holder = new Worker(QUEUE_NAMES.finalize, null, { connection, prefix: world.prefix, autorun: false });
    await finalize.add('finalize-run', { runId, organization: 'acme' }, { jobId: finalizeJobId(runId) });
    const held = (await holder.getNextJob('test'))!;
    await held.moveToCompleted({}, 'test', false);
    await holder.close();
    connection.disconnect();
    const db = openOrganizationDb(database);
    db.sqlite
      .prepare(`INSERT INTO scheduler_checkpoints (run_timestamp, scheduler_run_id, contacts_checksum, status) VALUES (datetime('now'), ?, 'x', 'started')`)
      .run(runId);
    db.close();
    const client = await connectClient(database, world.prefix);
    try {
      await expectRescheduledPast(runId);
    } finally {
      await client.close();
    }
  });

  // The copy is taken while the run is in flight: it holds the run's checkpoint as started, the run's staging file
  // says completed, and its finalizer is completed. Nothing of that run can commit into the restored file.
  it('does not wait for a full run whose checkpoint says started in a file restored from that run\'s own backup', async () => {
    const runId = fullRunId('acme', AS_OF, defaultConfig());
    const client = await connectClient(database, world.prefix);
    try {
      await client.fullRun('acme', { asOf: AS_OF });
      const [copy, ...others] = readdirSync(join(world.directory, 'backups')).filter((name) => name.endsWith('.sqlite'));
      expect(others).toEqual([]);
      for (const suffix of ['-wal', '-shm']) rmSync(`${database}${suffix}`, { force: true });
      copyFileSync(join(world.directory, 'backups', copy!), database);
      const restored = openOrganizationDb(database, { readonly: true });
      expect(readRunCheckpoint(restored, runId)?.status).toBe('started');
      restored.close();

      await expectRescheduledPast(runId);
    } finally {
      await client.close();
    }
  });

  it('applies a reschedule that arrives while the full run waits to retry its commit after the run, too', async () => {
    const client = await connectClient(database, world.prefix);
    const runId = fullRunId('acme', AS_OF, defaultConfig());
    const stagedChangeIds = (idsJson: string): void => {
      const staging = new Database(SingleDatabase.open(database).stagingPath('acme'));
      try {
        staging.prepare('UPDATE staged_change_log_ids SET ids_json = ? WHERE run_id = ?').run(idsJson, runId);
      } finally {
        staging.close();
      }
    };
    try {
      await finalize.pause();
      const run = await requests.add(REQUEST_JOB_NAMES.fullRun, { organization: 'acme', asOf: AS_OF }, { jobId: runId });
      await run.waitUntilFinished(events);
      await until(async () => (await (await Job.fromId(finalize, finalizeJobId(runId)))?.getState()) === 'waiting');
      // A fault a retry may get past, inside the commit: the staged change-log ids the commit marks cannot be read.
      stagedChangeIds('not json');
      await finalize.resume();
      await until(async () => (await (await Job.fromId(finalize, finalizeJobId(runId)))?.getState()) === 'delayed', 30_000);

      // While the run waits for its next attempt, the contact changes and a reschedule of it is asked for.
      stagedChangeIds('[]');
      const db = openOrganizationDb(database);
      moveContact42(db);
      db.close();
      const reschedule = await requests.add(REQUEST_JOB_NAMES.rescheduleContacts, { organization: 'acme', contactIds: [42], asOf: AS_OF });
      await reschedule.waitUntilFinished(events);

      expect(await (await Job.fromId(finalize, finalizeJobId(runId)))?.getState()).toBe('completed');
      const rows = committedRows(database).filter((row) => row.contactId === 42);
      expect(rows.some((row) => row.line.includes('|birthday|2027|3|10|'))).toBe(true);
    } finally {
      await finalize.resume();
      await client.close();
    }
  }, 90_000);
});
