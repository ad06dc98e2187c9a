import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FlowProducer, Job, Queue, QueueEvents, UnrecoverableError, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { defaultConfig } from '@scheduler/core';
import { openOrganizationDb, readRunCheckpoint } from '@scheduler/db';
import { QUEUE_NAMES, REQUEST_JOB_NAMES } from '@scheduler/queue';
import { SingleDatabase, finalizeJobId, fullRunId, type RunClient } from '../src/index';
import { addRunFlow } from '../src/run-flow';
import { StagingStore } from '../src/staging/staging-store';
import { committedRows, referenceRows } from './support/committed-schedule';
import { configWith, connectClient, newWorld, openHandQueues, redisUrl, startDirectoryFleet, until, type HandQueues } from './support/fleet-world';
import { writeOrganization } from './support/organization-fixture';
import { runTask, silentLog } from './support/thread-task-runs';

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

  it('answers a request after its completed attempt and a rerun with the rerun, and runs nothing again', async () => {
    const first = await queues.requests.add(REQUEST_JOB_NAMES.fullRun, { organization: 'acme', asOf: AS_OF });
    const planned = (await first.waitUntilFinished(queues.requestEvents)) as { runId: string };
    await (await Job.fromId(queues.finalize, finalizeJobId(planned.runId)))!.waitUntilFinished(queues.finalizeEvents);
    // The rerun's commit moves the file's inputs on: the attempt's rows are no longer the ones in force.
    const rerun = await client.fullRun('acme', { asOf: AS_OF, rerun: true });

    for (const round of [1, 2]) {
      const again = await queues.requests.add(REQUEST_JOB_NAMES.fullRun, { organization: 'acme', asOf: AS_OF });
      const answered = (await again.waitUntilFinished(queues.requestEvents)) as { status: string; summary: { run_id: string } };
      expect({ round, ...answered }).toMatchObject({ round, status: 'already-completed', summary: { run_id: rerun.run_id } });
    }
    expect(await queues.finalize.getJobCounts('completed')).toEqual({ completed: 2 });
  }, 120_000);

  it('answers the command asked again after a rerun completed with that rerun, and runs nothing again', async () => {
    const rerun = await client.fullRun('acme', { asOf: AS_OF, rerun: true });

    for (const round of [1, 2]) {
      const again = await client.fullRun('acme', { asOf: AS_OF });
      expect({ round, runId: again.run_id, alreadyCompleted: again.already_completed }).toEqual({ round, runId: rerun.run_id, alreadyCompleted: true });
    }
    expect(await queues.finalize.getJobCounts('completed')).toEqual({ completed: 1 });
    expect(checkpointOf(database, RUN_ID)).toMatchObject({ status: 'failed', errorMessage: expect.stringContaining(FAILURE) });
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
    // The nightly job is a fleet's: it asks for every organization the fleets serve.
    const fleet = await startDirectoryFleet(world.directory, world.prefix);
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
      await fleet.close();
      await queues.close();
      world.cleanup();
    }
  }, 120_000);
});

describe('jobs of a run, removed or retried by hand', () => {
  let world: ReturnType<typeof newWorld>;
  let database: string;
  let queues: HandQueues;

  beforeEach(async () => {
    world = newWorld();
    database = join(world.directory, 'acme.sqlite');
    writeOrganization(database, { contacts: 1_500, today: AS_OF });
    queues = await openHandQueues(world.prefix);
  });
  afterEach(async () => {
    await queues.close();
    world.cleanup();
  });

  /** A full run of three chunks whose last chunk's range is shortened while the chunks wait, as ops can in Bull Board: it fails for good. */
  const failByEditedChunk = async (client: RunClient, runId: string): Promise<void> => {
    const { chunks } = queues;
    await chunks.pause();
    const running = client.fullRun('acme', { asOf: AS_OF });
    await until(async () => (await chunks.getWaitingCount()) === 3);
    const lastChunk = (await Job.fromId(chunks, `${runId}-chunk-2`))!;
    await lastChunk.updateData({ ...lastChunk.data, toId: lastChunk.data.fromId + 10 });
    await chunks.resume();
    await expect(running).rejects.toThrow(/chunk 2 of run .* asks for contacts .*, but the run planned contacts .* for it/);
  };

  it('fails the finalizer of a run missing a chunk job at once, saying to ask for the run again', async () => {
    const config = configWith({ batch_size: 500 });
    const client = await connectClient(database, world.prefix, { config });
    const { chunks } = queues;
    try {
      await chunks.pause();
      const running = client.fullRun('acme', { asOf: AS_OF });
      const runId = fullRunId('acme', AS_OF, config);
      await until(async () => (await chunks.getWaitingCount()) === 3);
      await (await Job.fromId(chunks, `${runId}-chunk-1`))!.remove();
      await chunks.resume();

      await expect(running).rejects.toThrow(/2 of its 3 chunk results.*ask for the run again/);
      const finalizer = await Job.fromId(queues.finalize, finalizeJobId(runId));
      expect(finalizer?.stacktrace).toHaveLength(1);
      expect(committedRows(database)).toEqual([]);
    } finally {
      await client.close();
    }
  }, 120_000);

  it("fails a chunk whose range was edited by hand, and a finalizer whose chunk count was, rather than commit without some contacts", async () => {
    const config = configWith({ batch_size: 500 });
    const client = await connectClient(database, world.prefix, { config });
    const { chunks } = queues;
    const runId = fullRunId('acme', AS_OF, config);
    try {
      await failByEditedChunk(client, runId);
      expect(committedRows(database)).toEqual([]);

      // The finalizer told of one chunk fewer, and that chunk gone.
      await chunks.pause();
      const running = client.fullRun('acme', { asOf: AS_OF });
      await until(async () => (await chunks.getWaitingCount()) === 3);
      const [finalizer] = await queues.finalize.getWaitingChildren();
      await finalizer!.updateData({ ...finalizer!.data, chunkCount: 2 });
      await (await Job.fromId(chunks, `${finalizer!.data.runId}-chunk-2`))!.remove();
      await chunks.resume();
      await expect(running).rejects.toThrow(/2 of its 3 chunk results/);
      expect(committedRows(database)).toEqual([]);
    } finally {
      await client.close();
    }
  }, 120_000);

  it('is planned anew only once a chunk job of an earlier plan of it has ended (its failed finalizer cleaned while the chunk ran), and commits what it read itself', async () => {
    const config = configWith({ batch_size: 500 });
    const runId = fullRunId('acme', AS_OF, config);
    const files = { organization: 'acme', databasePath: database, stagingPath: SingleDatabase.open(database).stagingPath('acme') };
    const connection = new Redis(redisUrl(), { maxRetriesPerRequest: null });
    const flows = new FlowProducer({ connection, prefix: world.prefix });
    const backups = new Queue(QUEUE_NAMES.backups, { connection, prefix: world.prefix });
    // The earlier plan's chunk workers, held here before any worker of the fleet could take a chunk; their locks
    // outlast the test, so that no stalled-job check hands a chunk to the fleet.
    const holder = new Worker(QUEUE_NAMES.chunks, null, { connection: connection.duplicate(), prefix: world.prefix, autorun: false, lockDuration: 300_000 });
    const token = 'earlier-plan';
    let client: RunClient | undefined;
    try {
      const log = silentLog(files, runId);
      const planned = await runTask({ kind: 'plan-run', files, runId, stableRunId: runId, asOf: AS_OF, configJson: JSON.stringify(config), rerun: false, log });
      if (planned.status !== 'planned') throw new Error(`the earlier plan was not made: ${planned.status}`);
      expect(planned.chunks).toHaveLength(3);
      await addRunFlow(flows, backups, queues.chunks, { runId, organization: 'acme', chunks: planned.chunks });
      const computing = (await holder.getNextJob(token))!;
      const failing = (await holder.getNextJob(token))!;

      // One chunk of the earlier plan reads its contacts and computes; what it read changes before its worker saves.
      const range = { chunkIndex: computing.data.chunkIndex, fromId: computing.data.fromId, toId: computing.data.toId };
      await runTask({ kind: 'compute-chunk', files, runId, chunk: range, log });
      const staging = new StagingStore(files.stagingPath);
      const earlierResult = [...staging.chunks(runId)].find((chunk) => chunk.chunkIndex === range.chunkIndex)!;
      staging.close();
      const changed = referenceRows(database, config, AS_OF).find((row) => row.contactId >= range.fromId && row.contactId <= range.toId)!.contactId;
      execute(database, `UPDATE contacts SET email = 'not an email' WHERE id = ${changed}`);

      // Another chunk fails for good: the finalizer fails at once, and ops clean the failed finalizers in Bull Board.
      await failing.moveToFailed(new UnrecoverableError(FAILURE), token, false);
      client = await connectClient(database, world.prefix, { config });
      await recordedAsFailed(database, runId);
      expect(await queues.finalize.clean(0, Number.MAX_SAFE_INTEGER, 'failed')).toEqual([finalizeJobId(runId)]);
      expect(await computing.getState()).toBe('active');

      const run = client.fullRun('acme', { asOf: AS_OF });
      const waitsForTheChunk = async () => (await queues.requests.getJobLogs(runId)).logs.some((line) => line.includes('a chunk job of an earlier plan'));
      await until(async () => (await waitsForTheChunk()) || (await queues.finalize.getJob(finalizeJobId(runId))) !== undefined, 30_000);
      const plannedWhileTheChunkRan = (await queues.finalize.getJob(finalizeJobId(runId))) !== undefined;
      // The earlier plan's worker saves what it computed, and its chunk job completes.
      const saving = new StagingStore(files.stagingPath);
      saving.saveChunk(runId, range.chunkIndex, earlierResult.stats, earlierResult.table);
      saving.close();
      await computing.moveToCompleted({ chunkIndex: range.chunkIndex }, token, false);

      expect((await run).status).toBe('completed');
      expect(committedRows(database).filter((row) => row.contactId === changed)).toEqual([]);
      expect(committedRows(database)).toEqual(referenceRows(database, config, AS_OF));
      expect(plannedWhileTheChunkRan).toBe(false);
    } finally {
      await client?.close();
      await holder.close();
      await Promise.all([flows.close(), backups.close()]);
      connection.disconnect();
    }
  }, 120_000);

  it('lets reschedules through once the finalizer of a run was removed by hand; asked for again, the run takes a backup of its own', async () => {
    const client = await connectClient(database, world.prefix);
    const { chunks } = queues;
    const stagingPath = SingleDatabase.open(database).stagingPath('acme');
    try {
      await chunks.pause();
      await queues.requests.add(REQUEST_JOB_NAMES.fullRun, { organization: 'acme', asOf: AS_OF }, { jobId: RUN_ID });
      const firstBackup = async () => {
        const staging = new StagingStore(stagingPath);
        try {
          return staging.backup(RUN_ID);
        } finally {
          staging.close();
        }
      };
      await until(async () => (await firstBackup())?.status === 'verified');
      const checksumBefore = ((await firstBackup()) as { contactsChecksum: string }).contactsChecksum;
      // As ops can in Bull Board (its chunks go with it), a while after the run was planned.
      await (await Job.fromId(queues.finalize, finalizeJobId(RUN_ID)))!.remove();
      await chunks.resume();
      execute(database, `UPDATE scheduler_checkpoints SET run_timestamp = datetime('now', '-5 minutes') WHERE scheduler_run_id = '${RUN_ID}'`);

      const reschedule = await queues.requests.add(REQUEST_JOB_NAMES.rescheduleContacts, { organization: 'acme', contactIds: [42], asOf: AS_OF });
      expect(await reschedule.waitUntilFinished(queues.requestEvents, 30_000)).toMatchObject({ status: 'completed' });
      expect(checkpointOf(database, RUN_ID)).toMatchObject({ status: 'failed', errorMessage: expect.stringMatching(/no finalizer in the queue.*ask for the run again/) });

      // What the run reads changes before it is asked for again: its backup and checksums are of the file as it is then.
      execute(database, "UPDATE contacts SET birth_date = '1963-09-06' WHERE id = 43");
      expect((await client.fullRun('acme', { asOf: AS_OF })).status).toBe('completed');
      const checkpoint = checkpointOf(database, RUN_ID);
      expect(checkpoint?.status).toBe('completed');
      expect(checkpoint?.contactsChecksum).not.toBe(checksumBefore);
      expect(committedRows(database)).toEqual(referenceRows(database, defaultConfig(), AS_OF));
    } finally {
      await client.close();
    }
  }, 120_000);

  it('ends the waiting client, saying so, when the finalizer it waits for is removed by hand, instead of planning the run again', async () => {
    const client = await connectClient(database, world.prefix);
    const { chunks } = queues;
    try {
      await chunks.pause();
      const running = client.fullRun('acme', { asOf: AS_OF });
      running.catch(() => undefined);
      await until(async () => (await queues.finalize.getJobState(finalizeJobId(RUN_ID))) === 'waiting-children');
      // As ops can in Bull Board: the run is called off (its chunks go with it).
      await (await Job.fromId(queues.finalize, finalizeJobId(RUN_ID)))!.remove();
      await expect(running).rejects.toThrow(/job run-acme-.*-finalize was removed from the queue .* before it ended: this command does not ask for it again/);
      await chunks.resume();
      expect(await queues.requests.getJobCounts()).toMatchObject({ completed: 1, waiting: 0, active: 0, delayed: 0 });
      expect(await queues.finalize.getJobCounts()).toMatchObject({ 'waiting-children': 0, waiting: 0, active: 0 });
      expect(committedRows(database)).toEqual([]);
      // The next reschedule finds the run over at once (its finalizer's removal is in the queue's events), rather
      // than wait out the 30 s a finalizer may take to be added after its run's checkpoint starts.
      const started = Date.now();
      const reschedule = await queues.requests.add(REQUEST_JOB_NAMES.rescheduleContacts, { organization: 'acme', contactIds: [42], asOf: AS_OF });
      expect(await reschedule.waitUntilFinished(queues.requestEvents, 60_000)).toMatchObject({ status: 'completed' });
      expect(Date.now() - started).toBeLessThan(15_000);
      expect(checkpointOf(database, RUN_ID)).toMatchObject({ status: 'failed', errorMessage: expect.stringMatching(/no finalizer in the queue/) });
    } finally {
      await client.close();
    }
  }, 120_000);

  it('completes a chunk of a committed run retried by hand without computing it, so that its finalizer, retried too, still answers with the summary', async () => {
    const client = await connectClient(database, world.prefix);
    const { chunks } = queues;
    const chunkEvents = new QueueEvents(QUEUE_NAMES.chunks, { connection: new Redis(redisUrl(), { maxRetriesPerRequest: null }), prefix: world.prefix });
    try {
      await chunkEvents.waitUntilReady();
      const summary = await client.fullRun('acme', { asOf: AS_OF });
      const rows = committedRows(database);

      const chunk = (await Job.fromId(chunks, `${RUN_ID}-chunk-0`))!;
      await chunk.retry('completed');
      expect(await chunk.waitUntilFinished(chunkEvents)).toEqual({ chunkIndex: 0, notComputed: 'the run has completed' });
      const finalizer = (await Job.fromId(queues.finalize, finalizeJobId(RUN_ID)))!;
      await finalizer.retry('completed');
      expect(await finalizer.waitUntilFinished(queues.finalizeEvents)).toEqual(summary);
      expect(checkpointOf(database, RUN_ID)?.status).toBe('completed');
      expect(committedRows(database)).toEqual(rows);
    } finally {
      await chunkEvents.close();
      await client.close();
    }
  }, 120_000);

  it('plans a run afresh when its failed finalizer and chunk were cleaned away in Bull Board, its completed chunks left behind', async () => {
    const config = configWith({ batch_size: 500 });
    // One thread takes the chunks in order: 0 and 1 complete before 2 fails (with two, 1 could start after 2
    // failed the run, and fail too).
    const client = await connectClient(database, world.prefix, { config, threads: 1 });
    const { chunks } = queues;
    const runId = fullRunId('acme', AS_OF, config);
    try {
      await failByEditedChunk(client, runId);
      // As "clean failed" does in Bull Board: chunks 0 and 1 stay, completed, under the run's job ids.
      await until(async () => (await chunks.getActiveCount()) === 0);
      for (const queue of [chunks, queues.finalize]) await queue.clean(0, 1000, 'failed');
      expect(await chunks.getCompletedCount()).toBe(2);

      expect((await client.fullRun('acme', { asOf: AS_OF })).run_id).toBe(runId);
      expect(checkpointOf(database, runId)?.status).toBe('completed');
      expect(committedRows(database)).toEqual(referenceRows(database, config, AS_OF));
    } finally {
      await client.close();
    }
  }, 120_000);

  it('fails a backup retried after its run failed for good at once, saying to ask for the run again', async () => {
    const client = await connectClient(database, world.prefix);
    const redis = new Redis(redisUrl(), { maxRetriesPerRequest: null });
    const backups = new Queue(QUEUE_NAMES.backups, { connection: redis, prefix: world.prefix });
    const backupEvents = new QueueEvents(QUEUE_NAMES.backups, { connection: redis.duplicate(), prefix: world.prefix });
    try {
      await backupEvents.waitUntilReady();
      // Where the copies go, a plain file: the backup fails for good, and so does the run.
      writeFileSync(join(world.directory, 'backups'), 'not a directory');
      await expect(client.fullRun('acme', { asOf: AS_OF })).rejects.toThrow(/backup/);
      await recordedAsFailed(database, RUN_ID);
      rmSync(join(world.directory, 'backups'));

      const backup = await Job.fromId(backups, `${RUN_ID}-backup`);
      expect(await backup?.getState()).toBe('failed');
      await backup!.retry('failed');
      await expect(backup!.waitUntilFinished(backupEvents)).rejects.toThrow(/ask for the run again/);
      expect(checkpointOf(database, RUN_ID)).toMatchObject({ status: 'failed', errorMessage: expect.stringMatching(/backup/) });
    } finally {
      await backupEvents.close();
      await backups.close();
      redis.disconnect();
      await client.close();
    }
  }, 120_000);
});
