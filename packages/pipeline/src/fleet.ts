import { FlowProducer, Queue, UnrecoverableError, Worker, type Job } from 'bullmq';
import type { Config } from '@scheduler/core';
import { BACKUP_JOB_NAME, BackupJobSchema, ChunkJobSchema, FinalizeJobSchema, QUEUE_NAMES, REQUEST_JOB_NAMES, createRedisConnection, parseJobData } from '@scheduler/queue';
import type { Redis } from 'ioredis';
import { advertiseOrganizations, fleetAdvertises } from './advertised-organizations';
import { BackupRunner } from './backup-process';
import { changePollRequests } from './change-poll-requests';
import { ComputePool } from './compute-pool';
import type { FleetContext } from './fleet-context';
import { fullRunRequests } from './full-run-requests';
import type { Logger } from './logger';
import { lookAgainLater } from './look-again-later';
import { nightlyRequests, warnOfUnservedFiles } from './nightly-requests';
import { SingleDatabase, type OrganizationLocator } from './organization-directory';
import { filesOf } from './request-inputs';
import { settledUnless } from './settled-unless';
import { rescheduleRequests } from './reschedule-requests';
import { RunFailures } from './run-failures';
import { addBackupJob, backupJobId } from './run-flow';
import { attachedWorkerNames, leavingOtherOrganizations, workerNameOf } from './served-organizations';
import { unwrapTaskResult } from './task-errors';
import { JobsInHand, subjectOfJob, type JobSubject } from './jobs-in-hand';
import { runIdOfRequestJob } from './request-run-ids';
import { logWorkerEvents } from './worker-logging';

export interface FleetOptions {
  readonly redisUrl: string;
  readonly locator: OrganizationLocator;
  /** The configuration of runs that do not bring their own. */
  readonly config: Config;
  /** Compute threads: chunk jobs run this many at a time. */
  readonly threads: number;
  readonly logger: Logger;
  /** Clock for "today" when a job names no as-of day. */
  readonly now?: () => Date;
  /** BullMQ key prefix (default `bull`): fleets with different prefixes share a Redis without meeting. */
  readonly prefix?: string;
  /** Compute threads log to stderr too (a CLI command whose stdout carries its result). */
  readonly logToStderr?: boolean;
  /** Added to the "ready" line: what a fleet started for one command serves (its organization and run). */
  readonly readyBindings?: Readonly<Record<string, string>>;
}

export interface Fleet {
  readonly pool: ComputePool;
  /** Stops taking jobs, lets running ones finish, then stops the threads. */
  close(options?: { force?: boolean }): Promise<void>;
}

/** States of a run's backup job before it starts: its finalizer does not begin its commit yet. */
const BACKUP_NOT_STARTED: ReadonlySet<string> = new Set(['waiting', 'prioritized', 'delayed', 'waiting-children']);

/** How long a finalizer whose backup has not started waits before looking again. */
const BACKUP_START_WAIT_MS = 2_000;
/**
 * How long a stop waits, once no job is in hand, for workers that cannot close their connections to Redis
 * (taskforcesh/bullmq#4656: a worker whose blocking connection is reconnecting never finishes closing).
 */
const STUCK_WORKERS_MS = 5_000;
/** How long a request waits before trying again a database another writer held past the busy timeout. */
const BUSY_RETRY_MS = 2_000;

/**
 * A worker process of the fleet: BullMQ workers for the four queues, each
 * job's work done on a compute thread. Several of these, on several
 * machines, may serve one Redis.
 */
export const startFleet = async (options: FleetOptions): Promise<Fleet> => {
  const { locator, config, logger } = options;
  const now = options.now ?? (() => new Date());
  // What the lines about a job name: its run (a request's, the run it asks for) and organization.
  const subjectOf = (job: Job): JobSubject => subjectOfJob(job, (request) => runIdOfRequestJob(request, config, now()));
  const pool = await ComputePool.start(options.threads);
  const connections: Redis[] = [];
  const connection = (): Redis => {
    const redis = createRedisConnection(options.redisUrl, 'worker');
    connections.push(redis);
    return redis;
  };
  const prefix = options.prefix === undefined ? {} : { prefix: options.prefix };
  const flows = new FlowProducer({ connection: connection(), ...prefix });
  const requests = new Queue(QUEUE_NAMES.requests, { connection: connection(), ...prefix });
  const backups = new Queue(QUEUE_NAMES.backups, { connection: connection(), ...prefix });
  const finalizers = new Queue(QUEUE_NAMES.finalize, { connection: connection(), ...prefix });
  const chunkJobs = new Queue(QUEUE_NAMES.chunks, { connection: connection(), ...prefix });
  // A lost connection is logged by the workers ('worker error' below); unheard, BullMQ prints each one again.
  flows.on('error', () => undefined);
  for (const queue of [requests, backups, finalizers, chunkJobs]) queue.on('error', () => undefined);
  const lockConnection = connection();
  // The workers' errors say when Redis went away (quietly, see logWorkerError): this says when it came back.
  let redisLost = false;
  lockConnection.on('error', () => (redisLost = true));
  lockConnection.on('ready', () => {
    if (redisLost) logger.info('Redis is reachable again; the workers take jobs again');
    redisLost = false;
  });
  const backupRunner = new BackupRunner(pool.bundlePath);
  const fleet: FleetContext = {
    pool,
    locator,
    config,
    now,
    logger,
    redis: lockConnection,
    prefix: options.prefix,
    logContext: (runId, organization, chunk) => ({
      runId,
      organization,
      level: logger.level,
      toStderr: options.logToStderr === true,
      ...(chunk === undefined ? {} : { chunk }),
    }),
  };
  const { logContext } = fleet;
  const failures = new RunFailures({ pool, locator, logger, chunks: chunkJobs, finalizers, filesOf: (organization) => filesOf(locator, organization) });
  const answerFullRun = fullRunRequests(fleet, { flows, backups, chunks: chunkJobs, finalizers });
  const answerReschedule = rescheduleRequests(fleet, requests, failures);
  const enqueueNightlyRuns = nightlyRequests(fleet, requests);
  const enqueueChangeReschedules = changePollRequests(fleet, requests);

  const processRequest = async (job: Job, token?: string): Promise<unknown> => {
    switch (job.name) {
      case REQUEST_JOB_NAMES.fullRun:
        return answerFullRun(job, token);
      case REQUEST_JOB_NAMES.rescheduleContacts:
      case REQUEST_JOB_NAMES.rescheduleCampaign:
        return answerReschedule(job, token);
      case REQUEST_JOB_NAMES.nightly:
        return enqueueNightlyRuns(job);
      case REQUEST_JOB_NAMES.pollChanges:
        return enqueueChangeReschedules(job);
      default:
        throw new UnrecoverableError(`unknown request job name ${JSON.stringify(job.name)}`);
    }
  };

  /**
   * A request or a finalizer that finds the organization's database locked by another writer past the busy
   * timeout waits and tries again, however few attempts it has: a reschedule is not lost to a lock, nor a run
   * failed by one and left `started` (its failure could not be written either) (RULES.md §10).
   */
  const waitingWhileBusy =
    (process: (job: Job, token?: string) => Promise<unknown>) =>
    async (job: Job, token?: string): Promise<unknown> => {
      try {
        return await process(job, token);
      } catch (error) {
        if (!(error instanceof Error) || error.name !== 'DatabaseBusyError') throw error;
        return lookAgainLater(job, token, BUSY_RETRY_MS, "the organization's database is locked by another writer", () =>
          logger.warn({ ...subjectOf(job), err: error }, 'the organization database is busy; the job waits and tries again'),
        );
      }
    };

  const processBackup = async (job: Job): Promise<unknown> => {
    const backupJob = parseJobData(BackupJobSchema, job.data, job.name);
    return unwrapTaskResult(
      await backupRunner.run({
        kind: 'backup',
        files: filesOf(locator, backupJob.organization),
        runId: backupJob.runId,
        log: logContext(backupJob.runId, backupJob.organization),
      }),
    );
  };

  const processChunk = async (job: Job): Promise<unknown> => {
    // Backup jobs went to the chunks queue before they had one of their own: one added then still runs.
    if (job.name === BACKUP_JOB_NAME) return processBackup(job);
    const chunkJob = parseJobData(ChunkJobSchema, job.data, job.name);
    return unwrapTaskResult(
      await pool.run({
        kind: 'compute-chunk',
        files: filesOf(locator, chunkJob.organization),
        runId: chunkJob.runId,
        chunk: { chunkIndex: chunkJob.chunkIndex, fromId: chunkJob.fromId, toId: chunkJob.toId },
        log: logContext(chunkJob.runId, chunkJob.organization, chunkJob.chunkIndex),
      }),
    );
  };

  const processFinalize = async (job: Job, token?: string): Promise<unknown> => {
    const finalizeJob = parseJobData(FinalizeJobSchema, job.data, job.name);
    // The commit waits for the run's backup: make sure there is one (its id makes this a no-op when it exists).
    await addBackupJob(backups, finalizeJob);
    // The commit holds the organization's write lock while the backup is verified. A backup that has not even
    // started (its queue paused in Bull Board, or behind other runs' backups) would keep every other writer out
    // for as long as it waits: the finalizer waits for it to start first, without the lock (not an attempt).
    if (BACKUP_NOT_STARTED.has(await backups.getJobState(backupJobId(finalizeJob.runId)))) {
      return lookAgainLater(job, token, BACKUP_START_WAIT_MS, "the run's backup has not started (its queue paused in Bull Board, or busy)");
    }
    // The chunks are done: a backup still running here no longer has to give way to them.
    backupRunner.hurry(finalizeJob.runId);
    return unwrapTaskResult(
      await pool.run({
        kind: 'finalize-run',
        files: filesOf(locator, finalizeJob.organization),
        runId: finalizeJob.runId,
        log: logContext(finalizeJob.runId, finalizeJob.organization),
      }),
    );
  };

  const workerOptions = { lockDuration: 60_000, maxStalledCount: 2, name: workerNameOf(locator), ...prefix };
  const workerNames = (): Promise<string[]> => attachedWorkerNames(backups, lockConnection);
  const listedByAFleet = (organization: string): Promise<boolean> => fleetAdvertises(lockConnection, options.prefix, organization);
  // The jobs the workers have in hand: a stop waits for them, and for nothing else.
  const jobsInHand = new JobsInHand(subjectOf);
  const serving = (queue: string, process: (job: Job, token?: string) => Promise<unknown>) => {
    const served = leavingOtherOrganizations(locator, workerNames, listedByAFleet, process);
    return (job: Job, token?: string): Promise<unknown> => {
      const work = served(job, token);
      jobsInHand.hold(queue, job, work);
      return work;
    };
  };
  const workers = [
    new Worker(QUEUE_NAMES.requests, serving(QUEUE_NAMES.requests, waitingWhileBusy(processRequest)), { ...workerOptions, connection: connection(), concurrency: 2 }),
    // One more than the threads: a thread that frees finds the next chunk in hand (it waits in the pool's queue).
    new Worker(QUEUE_NAMES.chunks, serving(QUEUE_NAMES.chunks, processChunk), { ...workerOptions, connection: connection(), concurrency: options.threads + 1 }),
    new Worker(QUEUE_NAMES.finalize, serving(QUEUE_NAMES.finalize, waitingWhileBusy(processFinalize)), { ...workerOptions, connection: connection(), concurrency: 1 }),
    // A backup runs in a process of its own, beside the threads; the finalizer that waits for it holds one.
    new Worker(QUEUE_NAMES.backups, serving(QUEUE_NAMES.backups, processBackup), { ...workerOptions, connection: connection(), concurrency: 2 }),
  ];
  logWorkerEvents(workers, logger, jobsInHand, subjectOf);
  // A chunk, finalizer or backup that failed for good fails its run (its checkpoint, its staged results).
  for (const worker of workers) {
    if (worker.name !== QUEUE_NAMES.requests) worker.on('failed', (job, error) => failures.record(job, error));
  }
  await Promise.all(workers.map((worker) => worker.waitUntilReady()));
  // A run of a file outside this fleet's directory reads this to know it must start workers of its own.
  const stopAdvertising =
    locator instanceof SingleDatabase
      ? async () => undefined
      : await advertiseOrganizations(connection(), options.prefix, locator, (error) =>
          logger.warn({ err: error }, "this fleet's organizations could not be listed in Redis again: once the list expires (60 s), other fleets and `run` no longer count them as served"),
        );
  logger.info({ ...options.readyBindings, threads: options.threads, queues: workers.map((worker) => worker.name) }, 'fleet worker ready');
  warnOfUnservedFiles(locator, logger);

  return {
    pool,
    async close({ force = false } = {}) {
      if (force) backupRunner.kill();
      await stopAdvertising();
      const workersClosed = Promise.all(workers.map((worker) => worker.close(force)));
      if (!(await settledUnless(workersClosed, () => jobsInHand.size === 0, STUCK_WORKERS_MS))) {
        logger.warn(
          { graceMs: STUCK_WORKERS_MS },
          'the workers have no job in hand but cannot close their connections to Redis (away, or stuck reconnecting): stopping without them',
        );
        for (const worker of workers) void worker.disconnect().catch(() => undefined);
      }
      if (!force) await failures.settled();
      await pool.close(force);
      await flows.close();
      await requests.close();
      await backups.close();
      await finalizers.close();
      await chunkJobs.close();
      for (const redis of connections) redis.disconnect();
    },
  };
};
