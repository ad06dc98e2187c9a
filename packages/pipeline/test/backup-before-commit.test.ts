import { readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { FlowProducer, Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { defaultConfig } from '@scheduler/core';
import { contactsChecksum, openOrganizationDb, readRunCheckpoint } from '@scheduler/db';
import { BACKUP_JOB_NAME, CHUNK_JOB_NAME, QUEUE_NAMES } from '@scheduler/queue';
import { finalizeJobId, fullRunId } from '../src/index';
import { addBackupJob, addRunFlow } from '../src/run-flow';
import { committedRows } from './support/committed-schedule';
import { connectClient, newWorld, redisUrl, until } from './support/fleet-world';
import { writeOrganization } from './support/organization-fixture';

const AS_OF = '2026-11-28';
const MONTH_LATER = '2026-12-28';

describe("a full run's backup, taken beside the run and verified before its commit", () => {
  let world: ReturnType<typeof newWorld>;
  let database: string;

  beforeEach(() => {
    world = newWorld();
    database = join(world.directory, 'acme.sqlite');
    writeOrganization(database, { contacts: 2_000, today: AS_OF });
  });
  afterEach(() => world.cleanup());

  it('leaves one verified copy per run, and the checkpoint the checksums of the state before the run', async () => {
    const rowsOf = (path: string): number => {
      const db = openOrganizationDb(path, { readonly: true });
      try {
        return db.sqlite.prepare('SELECT count(*) FROM email_schedules').pluck().get() as number;
      } finally {
        db.close();
      }
    };
    const rowsBefore = rowsOf(database);
    const client = await connectClient(database, world.prefix);
    try {
      await client.fullRun('acme', { asOf: AS_OF });
    } finally {
      await client.close();
    }
    expect(rowsOf(database)).toBeGreaterThan(rowsBefore);
    const copies = readdirSync(join(world.directory, 'backups')).filter((name) => name.endsWith('.sqlite'));
    expect(copies).toHaveLength(1);
    const db = openOrganizationDb(database, { readonly: true });
    try {
      const checkpoint = readRunCheckpoint(db, fullRunId('acme', AS_OF, defaultConfig()));
      expect(checkpoint?.status).toBe('completed');
      // The backup job computed it; the finalizer wrote it in its commit: the same bytes as the db's own.
      expect(checkpoint?.contactsChecksum).toBe(contactsChecksum(db));
      expect(checkpoint?.schedulesBeforeChecksum).toMatch(/^[0-9a-f]{64}$/);
    } finally {
      db.close();
    }
    // The copy is the state before the run: the sender's rows, none of the run's.
    expect(rowsOf(join(world.directory, 'backups', copies[0]!))).toBe(rowsBefore);
  });

  it('does not commit when the backup fails for good: the previous schedule stays and the checkpoint says failed', async () => {
    const client = await connectClient(database, world.prefix);
    try {
      await client.fullRun('acme', { asOf: AS_OF });
      const before = committedRows(database);
      // Where the copies go, a plain file: no copy can be taken (every attempt fails).
      rmSync(join(world.directory, 'backups'), { recursive: true, force: true });
      writeFileSync(join(world.directory, 'backups'), 'not a directory');
      await expect(client.fullRun('acme', { asOf: MONTH_LATER })).rejects.toThrow(/backup/);
      expect(committedRows(database)).toEqual(before);
      const db = openOrganizationDb(database, { readonly: true });
      try {
        const checkpoint = readRunCheckpoint(db, fullRunId('acme', MONTH_LATER, defaultConfig()));
        expect(checkpoint?.status).toBe('failed');
        expect(checkpoint?.errorMessage).toMatch(/backup/);
        // The backup never computed them: the failure did, from the organization as it stood.
        expect(checkpoint?.contactsChecksum).toBe(contactsChecksum(db));
        expect(checkpoint?.schedulesBeforeChecksum).toMatch(/^[0-9a-f]{64}$/);
      } finally {
        db.close();
      }
      // With a place for copies again, a run of that day commits, and its schedule differs.
      rmSync(join(world.directory, 'backups'), { force: true });
      const again = await client.fullRun('acme', { asOf: MONTH_LATER, rerun: true });
      expect(again.status).toBe('completed');
      expect(committedRows(database)).not.toEqual(before);
    } finally {
      await client.close();
    }
  }, 150_000);

  it('holds no write lock while its backup has not started (the backups queue paused in Bull Board), and commits once it has', async () => {
    const backups = new Queue(QUEUE_NAMES.backups, { connection: new Redis(redisUrl(), { maxRetriesPerRequest: null }), prefix: world.prefix });
    const finalize = new Queue(QUEUE_NAMES.finalize, { connection: new Redis(redisUrl(), { maxRetriesPerRequest: null }), prefix: world.prefix });
    const client = await connectClient(database, world.prefix);
    try {
      await backups.pause();
      const run = client.fullRun('acme', { asOf: AS_OF });
      const finalizer = `${fullRunId('acme', AS_OF, defaultConfig())}-finalize`;
      // The chunks are done and the finalizer has been taken at least once.
      await until(async () => ((await finalize.getJob(finalizer))?.attemptsStarted ?? 0) > 0, 60_000);
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      // What the main application does meanwhile, with a busy timeout shorter than the wait.
      const app = new Database(database, { timeout: 2_000 });
      try {
        app.prepare("INSERT INTO contact_events (contact_id, event_type, created_at) VALUES (1, 'page_view', '2026-11-28 10:00:00')").run();
      } finally {
        app.close();
      }
      await backups.resume();
      expect((await run).status).toBe('completed');
      expect(readdirSync(join(world.directory, 'backups')).filter((name) => name.endsWith('.sqlite'))).toHaveLength(1);
    } finally {
      await backups.resume();
      await client.close();
      await Promise.all([backups.close(), finalize.close()]);
    }
  }, 120_000);

  it('is planned anew only once a backup job of an earlier plan of it has ended, and then takes a backup of its own', async () => {
    const runId = fullRunId('acme', AS_OF, defaultConfig());
    const connection = new Redis(redisUrl(), { maxRetriesPerRequest: null });
    const backups = new Queue(QUEUE_NAMES.backups, { connection, prefix: world.prefix });
    const finalize = new Queue(QUEUE_NAMES.finalize, { connection, prefix: world.prefix });
    const requests = new Queue(QUEUE_NAMES.requests, { connection, prefix: world.prefix });
    // An earlier plan's backup, still at work (its process slow to end, its finalizer removed in Bull Board): held
    // here, taken before any worker of the run could take it.
    const holder = new Worker(QUEUE_NAMES.backups, null, { connection: connection.duplicate(), prefix: world.prefix, autorun: false });
    await addBackupJob(backups, { runId, organization: 'acme' });
    const held = await holder.getNextJob('held-by-test');
    expect(held?.id).toBe(`${runId}-backup`);
    const client = await connectClient(database, world.prefix);
    try {
      const run = client.fullRun('acme', { asOf: AS_OF });
      await until(async () => (await requests.getJobLogs(runId)).logs.some((line) => line.includes('the backup job of an earlier plan')), 30_000);
      expect(await finalize.getJob(finalizeJobId(runId))).toBeUndefined();
      await held!.moveToCompleted('the earlier plan ended', 'held-by-test', false);
      expect((await run).status).toBe('completed');
      expect(readdirSync(join(world.directory, 'backups')).filter((name) => name.endsWith('.sqlite'))).toHaveLength(1);
      const db = openOrganizationDb(database, { readonly: true });
      try {
        expect(readRunCheckpoint(db, runId)?.contactsChecksum).toBe(contactsChecksum(db));
      } finally {
        db.close();
      }
    } finally {
      await client.close();
      await holder.close();
      await Promise.all([backups.close(), finalize.close(), requests.close()]);
      connection.disconnect();
    }
  }, 120_000);
});

describe('a run flow added twice', () => {
  it('holds each job once: one backup, one finalizer, one job per chunk', async () => {
    const world = newWorld();
    const redis = new Redis(redisUrl(), { maxRetriesPerRequest: null });
    const flows = new FlowProducer({ connection: redis, prefix: world.prefix });
    const chunks = new Queue(QUEUE_NAMES.chunks, { connection: redis, prefix: world.prefix });
    const backups = new Queue(QUEUE_NAMES.backups, { connection: redis, prefix: world.prefix });
    const finalize = new Queue(QUEUE_NAMES.finalize, { connection: redis, prefix: world.prefix });
    try {
      const run = {
        runId: 'run-acme-2026-11-28-test',
        organization: 'acme',
        chunks: [
          { chunkIndex: 0, fromId: 1, toId: 100 },
          { chunkIndex: 1, fromId: 101, toId: 200 },
        ],
      };
      await addRunFlow(flows, backups, chunks, run);
      await addRunFlow(flows, backups, chunks, run);
      expect((await chunks.getWaiting()).map((job) => job.name)).toEqual([CHUNK_JOB_NAME, CHUNK_JOB_NAME]);
      expect((await backups.getWaiting()).map((job) => job.name)).toEqual([BACKUP_JOB_NAME]);
      expect(await finalize.getJobCountByTypes('waiting-children', 'waiting', 'prioritized')).toBe(1);
    } finally {
      for (const queue of [chunks, backups, finalize]) {
        await queue.obliterate({ force: true });
        await queue.close();
      }
      await flows.close();
      redis.disconnect();
      world.cleanup();
    }
  });
});
