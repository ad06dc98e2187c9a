import { join } from 'node:path';
import { Job } from 'bullmq';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { defaultConfig } from '@scheduler/core';
import { openOrganizationDb, readRunCheckpoint } from '@scheduler/db';
import { REQUEST_JOB_NAMES } from '@scheduler/queue';
import { SingleDatabase, finalizeJobId, fullRunId, type RunClient } from '../src/index';
import { StagingStore } from '../src/staging/staging-store';
import { committedRows, referenceRows } from './support/committed-schedule';
import { connectClient, newWorld, openHandQueues, type HandQueues } from './support/fleet-world';
import { writeOrganization } from './support/organization-fixture';

const AS_OF = '2026-11-28';
const RUN_ID = fullRunId('acme', AS_OF, defaultConfig());
const FAILURE = 'the disk said no';

const execute = (database: string, statement: string): void => {
  const db = openOrganizationDb(database);
  try {
    db.sqlite.exec(statement);
  } finally {
    db.close();
  }
};

const until = async (condition: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> => {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
};

/** The worker records a run's failure for good just after its job failed: the tests start once it has. */
const recordedAsFailed = async (database: string, runId: string): Promise<void> => {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const staging = new StagingStore(SingleDatabase.open(database).stagingPath('acme'));
    try {
      if (staging.run(runId)?.status === 'failed') return;
    } finally {
      staging.close();
    }
    if (Date.now() > deadline) throw new Error(`run ${runId} was not recorded as failed`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
};

const checkpointOf = (database: string, runId: string) => {
  const db = openOrganizationDb(database, { readonly: true });
  try {
    return readRunCheckpoint(db, runId);
  } finally {
    db.close();
  }
};

/**
 * Ops retry and rerun jobs in Bull Board (`job.retry(state)`), and other services enqueue full runs by hand:
 * a run that failed for good must still be completed by asking for it again, and must not be left half-planned.
 */
describe('a full run that failed for good, asked for again', () => {
  let world: ReturnType<typeof newWorld>;
  let database: string;
  let queues: HandQueues;
  let client: RunClient;

  beforeEach(async () => {
    world = newWorld();
    database = join(world.directory, 'acme.sqlite');
    writeOrganization(database, { contacts: 1_500, today: AS_OF });
    queues = await openHandQueues(world.prefix);
    client = await connectClient(database, world.prefix);
    // The commit cannot complete the checkpoint: the run fails for good, and commits nothing.
    execute(
      database,
      `CREATE TRIGGER refuse_completion BEFORE UPDATE OF status ON scheduler_checkpoints
       WHEN NEW.status = 'completed' BEGIN SELECT RAISE(ABORT, '${FAILURE}'); END`,
    );
    await expect(client.fullRun('acme', { asOf: AS_OF })).rejects.toThrow(FAILURE);
    await recordedAsFailed(database, RUN_ID);
    execute(database, 'DROP TRIGGER refuse_completion');
    // What the run read changes after it failed: a contact moves and has another birthday, another leaves.
    execute(database, "UPDATE contacts SET birth_date = '1950-12-05', zip_code = '10001', state = NULL WHERE id = 5");
    execute(database, 'DELETE FROM contacts WHERE id = 6');
  }, 120_000);
  afterEach(async () => {
    await client.close();
    await queues.close();
    world.cleanup();
  });

  it('runs again when its request is rerun, commits what the rules give now, and holds no reschedule back', async () => {
    expect(committedRows(database)).toEqual([]);
    const request = await Job.fromId(queues.requests, RUN_ID);
    expect(await request?.getState()).toBe('completed');

    await request!.retry('completed');
    const outcome = (await request!.waitUntilFinished(queues.requestEvents)) as { runId: string; status: string };
    expect(outcome).toMatchObject({ runId: `${RUN_ID}-retry2`, status: 'planned' });
    const attempt = await Job.fromId(queues.finalize, finalizeJobId(outcome.runId));
    await attempt!.waitUntilFinished(queues.finalizeEvents);

    expect(committedRows(database)).toEqual(referenceRows(database, defaultConfig(), AS_OF));
    expect(checkpointOf(database, outcome.runId)?.status).toBe('completed');
    expect(checkpointOf(database, RUN_ID)).toMatchObject({ status: 'failed', errorMessage: expect.stringContaining(FAILURE) });
    // No checkpoint is left saying started, so a reschedule does not wait for a run that will never come.
    const reschedule = await client.rescheduleContacts('acme', [7], AS_OF);
    expect(reschedule.status).toBe('completed');
  }, 120_000);

  it('answers another request for it with the attempt that completed, and runs it once', async () => {
    const first = await queues.requests.add(REQUEST_JOB_NAMES.fullRun, { organization: 'acme', asOf: AS_OF });
    const planned = (await first.waitUntilFinished(queues.requestEvents)) as { runId: string; status: string };
    expect(planned).toMatchObject({ runId: `${RUN_ID}-retry2`, status: 'planned' });
    await (await Job.fromId(queues.finalize, finalizeJobId(planned.runId)))!.waitUntilFinished(queues.finalizeEvents);

    const second = await queues.requests.add(REQUEST_JOB_NAMES.fullRun, { organization: 'acme', asOf: AS_OF });
    const answered = (await second.waitUntilFinished(queues.requestEvents)) as { runId: string; status: string };
    expect(answered).toMatchObject({ runId: planned.runId, status: 'already-completed' });
    expect(committedRows(database)).toEqual(referenceRows(database, defaultConfig(), AS_OF));
  }, 120_000);

  it('fails a retry of its finalizer at once, saying to ask for the run again, and keeps why the run failed', async () => {
    const finalizer = await Job.fromId(queues.finalize, finalizeJobId(RUN_ID));
    expect(await finalizer?.getState()).toBe('failed');
    const attemptsBefore = finalizer!.attemptsMade;

    await finalizer!.retry('failed');
    await expect(finalizer!.waitUntilFinished(queues.finalizeEvents)).rejects.toThrow(/ask for the run again/);

    expect((await Job.fromId(queues.finalize, finalizeJobId(RUN_ID)))?.attemptsMade).toBe(attemptsBefore + 1);
    expect(committedRows(database)).toEqual([]);
    expect(checkpointOf(database, RUN_ID)).toMatchObject({ status: 'failed', errorMessage: expect.stringContaining(FAILURE) });
  }, 120_000);
});

describe('a nightly whose run failed for good, rerun', () => {
  it('asks for the run again, and the run commits', async () => {
    const world = newWorld();
    const database = join(world.directory, 'acme.sqlite');
    writeOrganization(database, { contacts: 1_500, today: AS_OF });
    const queues = await openHandQueues(world.prefix);
    const client = await connectClient(database, world.prefix);
    try {
      execute(
        database,
        `CREATE TRIGGER refuse_completion BEFORE UPDATE OF status ON scheduler_checkpoints
         WHEN NEW.status = 'completed' BEGIN SELECT RAISE(ABORT, '${FAILURE}'); END`,
      );
      const nightly = await queues.requests.add(REQUEST_JOB_NAMES.nightly, {});
      const { asOf } = (await nightly.waitUntilFinished(queues.requestEvents)) as { asOf: string };
      const runId = fullRunId('acme', asOf, defaultConfig());
      const finalizer = async (id: string) => Job.fromId(queues.finalize, finalizeJobId(id));
      await until(async () => (await (await finalizer(runId))?.getState()) === 'failed');
      await recordedAsFailed(database, runId);
      execute(database, 'DROP TRIGGER refuse_completion');

      await nightly.retry('completed');
      await nightly.waitUntilFinished(queues.requestEvents);
      await until(async () => (await (await finalizer(`${runId}-retry2`))?.getState()) === 'completed');

      expect(checkpointOf(database, `${runId}-retry2`)?.status).toBe('completed');
      expect(committedRows(database)).toEqual(referenceRows(database, defaultConfig(), asOf));
    } finally {
      await client.close();
      await queues.close();
      world.cleanup();
    }
  }, 120_000);
});
