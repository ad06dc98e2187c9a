import { existsSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Job, type Queue, type QueueEvents } from 'bullmq';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openOrganizationDb, readRunCheckpoint } from '@scheduler/db';
import { REQUEST_JOB_NAMES } from '@scheduler/queue';
import { defaultConfig } from '@scheduler/core';
import { SingleDatabase, finalizeJobId, fullRunId } from '../src/index';
import { StagingStore } from '../src/staging/staging-store';
import { connectClient, newWorld, openHandQueues, until, type HandQueues } from './support/fleet-world';
import { runTask } from './support/thread-task-runs';
import { writeOrganization } from './support/organization-fixture';

const AS_OF = '2026-11-28';

/** A fault of the disk or the file system, made with a trigger: the write it names fails as the disk would fail it. */
const refuseIn = (path: string, trigger: string): void => {
  const sqlite = new Database(path);
  try {
    sqlite.exec(trigger);
  } finally {
    sqlite.close();
  }
};

describe('when the storage under a run fails', () => {
  let world: ReturnType<typeof newWorld>;
  let database: string;
  let stagingPath: string;
  let queues: HandQueues;
  let requests: Queue;
  let finalize: Queue;
  let events: QueueEvents;
  const runId = fullRunId('acme', AS_OF, defaultConfig());

  beforeEach(async () => {
    world = newWorld();
    database = join(world.directory, 'acme.sqlite');
    writeOrganization(database, { contacts: 1_500, today: AS_OF });
    stagingPath = SingleDatabase.open(database).stagingPath('acme');
    new StagingStore(stagingPath).close();
    queues = await openHandQueues(world.prefix);
    ({ requests, finalize, requestEvents: events } = queues);
  });
  afterEach(async () => {
    await queues.close();
    world.cleanup();
  });

  /** The run planned and its chunks computed, its finalizer held back. */
  const runUpToTheFinalizer = async (): Promise<void> => {
    await finalize.pause();
    const run = await requests.add(REQUEST_JOB_NAMES.fullRun, { organization: 'acme', asOf: AS_OF }, { jobId: runId });
    await run.waitUntilFinished(events);
    await until(async () => {
      const counts = await (await Job.fromId(finalize, finalizeJobId(runId)))?.getDependenciesCount();
      return counts !== undefined && (counts.unprocessed ?? 0) === 0;
    });
  };

  it('fails a run whose database was moved away, naming the file, and creates no empty database in its place', async () => {
    const client = await connectClient(database, world.prefix);
    try {
      await runUpToTheFinalizer();
      renameSync(database, `${database}.moved`);
      await finalize.resume();
      await until(async () => (await (await Job.fromId(finalize, finalizeJobId(runId)))?.getState()) === 'failed', 90_000);

      expect((await Job.fromId(finalize, finalizeJobId(runId)))?.failedReason).toContain(`opening ${database}: there is no such file`);
      expect(existsSync(database)).toBe(false);
    } finally {
      await finalize.resume();
      await client.close();
    }
  }, 120_000);

  it('lets a reschedule through once the fault is gone, when the run failed for good while its checkpoint could not say so', async () => {
    const client = await connectClient(database, world.prefix);
    try {
      refuseIn(
        database,
        `CREATE TRIGGER rows_refused BEFORE INSERT ON email_schedules BEGIN SELECT RAISE(ABORT, 'the disk went read-only'); END;
         CREATE TRIGGER failure_refused BEFORE UPDATE OF status ON scheduler_checkpoints WHEN NEW.status = 'failed'
           BEGIN SELECT RAISE(ABORT, 'the disk went read-only'); END;`,
      );
      await expect(client.fullRun('acme', { asOf: AS_OF })).rejects.toThrow(/the disk went read-only/);
      const reschedule = await requests.add(REQUEST_JOB_NAMES.rescheduleContacts, { organization: 'acme', contactIds: [42], asOf: AS_OF });
      // While the fault lasts, every attempt to record the failure fails too: the run looks in flight.
      await until(async () => (await requests.getJobLogs(reschedule.id ?? '')).logs.some((line) => line.includes('in flight')));
      const db = openOrganizationDb(database);
      expect(db.sqlite.prepare(`SELECT status FROM scheduler_checkpoints WHERE scheduler_run_id LIKE 'run-%'`).pluck().all()).toEqual(['started']);
      db.sqlite.exec('DROP TRIGGER rows_refused; DROP TRIGGER failure_refused;');
      db.close();

      await reschedule.waitUntilFinished(events);
      const after = openOrganizationDb(database, { readonly: true });
      const failed = after.sqlite.prepare(`SELECT status, error_message FROM scheduler_checkpoints WHERE scheduler_run_id LIKE 'run-%'`).get() as {
        status: string;
        error_message: string;
      };
      after.close();
      expect(failed.status).toBe('failed');
      expect(failed.error_message).toContain('the disk went read-only');
    } finally {
      await client.close();
    }
  }, 120_000);

  it('reports a committed run as committed when its summary cannot be kept in the staging file', async () => {
    refuseIn(
      stagingPath,
      `CREATE TRIGGER completion_refused BEFORE UPDATE OF status ON staged_runs WHEN NEW.status = 'completed'
         BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END;`,
    );
    const client = await connectClient(database, world.prefix);
    try {
      const summary = await client.fullRun('acme', { asOf: AS_OF });

      expect(summary.status).toBe('completed');
      const db = openOrganizationDb(database, { readonly: true });
      expect(readRunCheckpoint(db, summary.run_id)?.status).toBe('completed');
      db.close();
      expect((await Job.fromId(finalize, finalizeJobId(summary.run_id)))?.attemptsMade).toBe(1);

      // A reschedule that read the checkpoint before the commit finds the finalizer completed and asks for the run
      // to be recorded failed: the committed run stays completed, in the file and in the staging file.
      const files = { organization: 'acme', databasePath: database, stagingPath };
      expect(await runTask({ kind: 'fail-run', files, runId: summary.run_id, error: 'no commit seen' })).toEqual({ recorded: false });
      const staging = new StagingStore(stagingPath);
      expect(staging.run(summary.run_id)?.status).toBe('planned');
      staging.close();
      const after = openOrganizationDb(database, { readonly: true });
      expect(readRunCheckpoint(after, summary.run_id)?.status).toBe('completed');
      after.close();
    } finally {
      await client.close();
    }
  });

  it("names a chunk's own error, not only that a child failed, and keeps it as the run's error", async () => {
    refuseIn(
      stagingPath,
      `CREATE TRIGGER chunks_refused BEFORE INSERT ON staged_chunks BEGIN SELECT RAISE(ABORT, 'no space left for chunk results'); END;`,
    );
    const client = await connectClient(database, world.prefix);
    try {
      await expect(client.fullRun('acme', { asOf: AS_OF })).rejects.toThrow(/chunk.*no space left for chunk results/);
      await until(async () => {
        const db = openOrganizationDb(database, { readonly: true });
        const checkpoint = readRunCheckpoint(db, runId);
        db.close();
        return checkpoint?.status === 'failed' && (checkpoint.errorMessage ?? '').includes('no space left for chunk results');
      }, 10_000);
    } finally {
      await client.close();
    }
  });
});
