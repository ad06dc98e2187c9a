import { FlowProducer, Queue, UnrecoverableError, Worker, type Job } from 'bullmq';
import { ConfigError, parseConfig, type Config } from '@scheduler/core';
import {
  BACKUP_JOB_NAME,
  BackupJobSchema,
  ChunkJobSchema,
  FinalizeJobSchema,
  FullRunJobSchema,
  NightlyJobSchema,
  PollChangesJobSchema,
  QUEUE_NAMES,
  REQUEST_JOB_NAMES,
  RescheduleCampaignJobSchema,
  RescheduleContactsJobSchema,
  createRedisConnection,
  parseJobData,
} from '@scheduler/queue';
import type { Redis } from 'ioredis';
import { BackupRunner } from './backup-process';
import { ComputePool } from './compute-pool';
import { RETRYING_JOB_OPTIONS } from './job-options';
import type { Logger } from './logger';
import { addBackupJob, addRunFlow, attemptId, backupJobId, finalizeJobId } from './run-flow';
import { fullRunId, todayIn } from './run-identity';
import { OrganizationDirectory, SingleDatabase, UnknownOrganizationError, type OrganizationLocator } from './organization-directory';
import { advertiseOrganizations, advertisedOrganizations, fleetAdvertises } from './advertised-organizations';
import { holdPlanningLock } from './planning-lock';
import { lookAgainLater } from './look-again-later';
import { refuseUnknownStateCodes } from './state-rule-codes';
import { quietRepeats } from './repeated-errors';
import { RunFailures } from './run-failures';
import type { RequestOutcome } from './request-outcome';
import { leavingOtherOrganizations, workerNameOf } from './served-organizations';
import { unwrapTaskResult } from './task-errors';
import { realDatabaseFile } from './database-file';
import type { OrganizationFiles, PendingChangesResult, PlanRunResult, TaskLogContext } from './thread-tasks';

/** What planning a full run comes to: a request's outcome, or a completed run whose inputs changed since. */
type PlannedFullRun = RequestOutcome | ({ runId: string } & Extract<PlanRunResult, { status: 'inputs-changed' }>);

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

/** States of a finalizer job whose run is under way: its chunks computing or done, itself waiting or working. */
const IN_FLIGHT_STATES: ReadonlySet<string> = new Set(['waiting-children', 'waiting', 'prioritized', 'delayed', 'active']);

/** States of a run's backup job before it starts: its finalizer does not begin its commit yet. */
const BACKUP_NOT_STARTED: ReadonlySet<string> = new Set(['waiting', 'prioritized', 'delayed', 'waiting-children']);

/** How long a reschedule (or a finalizer whose backup has not started) waits before looking again. */
const DEFER_MS = 2_000;
/** How long a request waits before trying again a database another writer held past the busy timeout. */
const BUSY_RETRY_MS = 2_000;
/** How long a full-run request waits while another request plans the same run. */
const PLANNING_BUSY_MS = 250;

/**
 * The ids of the requests a job adds: the same for its first processing, so that they are added once; a
 * job processed again (rerun from Bull Board, or retried) adds requests of its own, which it would otherwise
 * find taken by the earlier ones and add nothing. Planning (planFullRun) runs a run asked for twice once.
 */
const roundOf = (job: Job): string => (job.attemptsStarted > 1 ? `-${job.attemptsStarted}` : '');

/**
 * The part of a request's id that names the job adding it, and its round. A job scheduler's job id has colons,
 * which BullMQ allows in a custom id only in its own repeat form.
 */
const addedBy = (job: Job): string => `${String(job.id).replaceAll(':', '-')}${roundOf(job)}`;

/** A configuration carried by a job: a bad one fails the job at once, naming the key. */
const configOfPayload = (raw: unknown, job: Job): Config => {
  try {
    return refuseUnknownStateCodes(parseConfig(raw, `job ${job.id} config`), `job ${job.id} config`);
  } catch (error) {
    if (error instanceof ConfigError) throw new UnrecoverableError(error.message);
    throw error;
  }
};

/** An organization the locator does not know fails its job at once: no retry will make it appear. */
const filesOf = (locator: OrganizationLocator, organization: string): OrganizationFiles => {
  try {
    return { organization, databasePath: locator.databasePath(organization), stagingPath: locator.stagingPath(organization) };
  } catch (error) {
    if (!(error instanceof UnknownOrganizationError)) throw error;
    // Jobs of an organization another live fleet lists are handed to it (served-organizations.ts): none does.
    const elsewhere = locator instanceof OrganizationDirectory ? ', and no other live fleet on this Redis lists it' : '';
    throw new UnrecoverableError(`${error.message}${elsewhere}`);
  }
};

/**
 * A request of `scheduler run` or `reschedule` names its database file. One for another file than the one this
 * worker serves the organization from fails at once, rather than be committed to this worker's file (a run of a
 * copy, let through in the moments after Redis lost the fleets' lists, before the client could see them).
 */
const refuseAnotherFile = (files: OrganizationFiles, databaseFile: string | undefined): void => {
  const here = realDatabaseFile(files.databasePath);
  if (databaseFile === undefined || databaseFile === here) return;
  throw new UnrecoverableError(
    `organization ${files.organization} is served here from ${here}, not ${databaseFile}, the file this request is for: ` +
      'run that file, or give the command a SCHEDULER_QUEUE_PREFIX of its own',
  );
};

/**
 * A worker process of the fleet: BullMQ workers for the four queues, each
 * job's work done on a compute thread. Several of these, on several
 * machines, may serve one Redis.
 */
export const startFleet = async (options: FleetOptions): Promise<Fleet> => {
  const { locator, config, logger } = options;
  const now = options.now ?? (() => new Date());
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
  const configJson = JSON.stringify(config);
  const logContext = (runId: string, organization: string, chunk?: number): TaskLogContext => ({
    runId,
    organization,
    level: logger.level,
    toStderr: options.logToStderr === true,
    ...(chunk === undefined ? {} : { chunk }),
  });

  /** Plans the run on a compute thread (see planRun in run-thread-task.ts), or answers for it. */
  const planTask = async (plan: { organization: string; runId: string; asOf: string; runConfig: Config; rerun: boolean; flowTaken: boolean }) =>
    unwrapTaskResult(
      await pool.run({
        kind: 'plan-run',
        files: filesOf(locator, plan.organization),
        runId: plan.runId,
        asOf: plan.asOf,
        configJson: JSON.stringify(plan.runConfig),
        rerun: plan.rerun,
        flowTaken: plan.flowTaken,
        log: logContext(plan.runId, plan.organization),
      }),
    );

  const finalizerStateOf = async (runId: string): Promise<string | null> => {
    const finalizer = await finalizers.getJob(finalizeJobId(runId));
    return finalizer === undefined ? null : finalizer.getState();
  };

  /** A run's latest attempt (the run's own id, then `-retry2`, `-retry3`…) with its finalizer's state, null when it has none. */
  const latestAttempt = async (runId: string): Promise<{ attempt: number; finalizerState: string | null }> => {
    let latest = { attempt: 1, finalizerState: await finalizerStateOf(runId) };
    while (latest.finalizerState !== null) {
      const next = latest.attempt + 1;
      const finalizerState = await finalizerStateOf(attemptId(runId, next));
      if (finalizerState === null) break;
      latest = { attempt: next, finalizerState };
    }
    return latest;
  };

  /**
   * Plans a full run and adds its flow, unless it is in flight or completed already. An earlier flow of the
   * run that failed for good, or completed for a file that no longer holds the run, keeps its job ids (ops
   * inspect it in Bull Board), and a flow added under them would add nothing: the run is then planned as its
   * next attempt, under an id of its own (RULES.md §10: a retry completes the run).
   */
  const planFullRun = async (
    organization: string,
    runId: string,
    asOf: string,
    runConfig: Config,
    rerun: boolean,
  ): Promise<PlannedFullRun> => {
    const latest = await latestAttempt(runId);
    const latestId = attemptId(runId, latest.attempt);
    const log = logger.child({ runId: latestId, organization });
    // Planning again would throw away the chunk results staged so far, and the flow, whose ids exist, would
    // not be added again: a run whose finalizer is waiting or working is left to it.
    if (latest.finalizerState !== null && IN_FLIGHT_STATES.has(latest.finalizerState)) {
      log.info({ finalizerState: latest.finalizerState }, 'run already in flight; nothing to do');
      return { runId: latestId, status: 'in-flight' };
    }
    let planId = latestId;
    let plan = await planTask({ organization, runId: latestId, asOf, runConfig, rerun, flowTaken: latest.finalizerState !== null });
    if (plan.status === 'flow-taken') {
      planId = attemptId(runId, latest.attempt + 1);
      log.info({ finalizerState: latest.finalizerState, nextAttempt: planId }, 'this attempt of the run is over and did not commit here; planning the next');
      // Its finalizer does not exist (latestAttempt looked): the plan cannot find its ids taken.
      plan = await planTask({ organization, runId: planId, asOf, runConfig, rerun, flowTaken: false });
    }
    if (plan.status === 'already-completed') logger.info({ runId: planId, organization }, 'run already completed; nothing to do');
    if (plan.status === 'flow-taken') throw new Error(`run ${planId}: its job ids are taken`);
    if (plan.status !== 'planned') return { runId: planId, ...plan };
    await addRunFlow(flows, backups, chunkJobs, { runId: planId, organization, chunks: plan.chunks });
    logger.info({ runId: planId, organization, chunks: plan.chunks.length, contactRows: plan.contactRows }, 'run planned');
    return { runId: planId, status: plan.status, chunks: plan.chunks.length };
  };

  /** Notes on the request job the run it planned: should the job be taken again after a crash, that run answers it. */
  const plannedFor = async (job: Job, planned: RequestOutcome): Promise<RequestOutcome> => {
    if (planned.status === 'planned') await job.updateProgress({ runId: planned.runId, attemptsMade: job.attemptsMade });
    return planned;
  };

  /**
   * The run this request planned before its worker died (the job taken again, no attempt of it finished since):
   * in flight or completed, it answers the request, even when what it read has changed since; a request asked
   * again after it finished (a rerun) plans as any other. Null when there is none, or it failed for good.
   */
  const runPlannedEarlier = async (job: Job, organization: string, asOf: string, runConfig: Config): Promise<RequestOutcome | null> => {
    const progress = job.progress as { runId?: unknown; attemptsMade?: unknown } | number;
    if (typeof progress !== 'object' || typeof progress.runId !== 'string' || progress.attemptsMade !== job.attemptsMade) return null;
    const runId = progress.runId;
    const finalizerState = await finalizerStateOf(runId);
    if (finalizerState !== null && IN_FLIGHT_STATES.has(finalizerState)) return { runId, status: 'in-flight' };
    if (finalizerState !== 'completed') return null;
    const answer = await planTask({ organization, runId, asOf, runConfig, rerun: false, flowTaken: true });
    if (answer.status !== 'already-completed' && answer.status !== 'inputs-changed') return null;
    logger.info({ runId, organization, jobId: job.id }, 'the request was taken again after its run was planned; that run answers it');
    return { runId, status: 'already-completed', summary: answer.summary };
  };

  /** A full run asked for: planned, found in flight, or answered by the run that completed. */
  const answerFullRun = async (job: Job, token?: string): Promise<RequestOutcome> => {
    const request = parseJobData(FullRunJobSchema, job.data, job.name);
    refuseAnotherFile(filesOf(locator, request.organization), request.databaseFile);
    const runConfig = request.config === undefined ? config : configOfPayload(request.config, job);
    const asOf = request.asOf ?? todayIn(runConfig, now());
    const stableId = fullRunId(request.organization, asOf, runConfig);
    const release = await holdPlanningLock(lockConnection, options.prefix, stableId);
    if (release === null) {
      // Another request is planning this run: look again once it has (then in flight, or completed).
      return lookAgainLater(job, token, PLANNING_BUSY_MS, 'another request is planning this run');
    }
    try {
      const earlier = await runPlannedEarlier(job, request.organization, asOf, runConfig);
      if (earlier !== null) return earlier;
      // A rerun is a run of its own, named after the request that asked for it.
      const runId =
        request.rerun !== true ? stableId : job.id!.startsWith(stableId) ? job.id! : `${stableId}-rerun-${job.id}`;
      const planned = await planFullRun(request.organization, runId, asOf, runConfig, request.rerun === true);
      if (planned.status !== 'inputs-changed') return await plannedFor(job, planned);
      // The same run completed, but what it read has changed since: a run of its own, named after the inputs it
      // reads, so that asking again before they change again still runs once. Should they change again
      // meanwhile, the run it names is this request's all the same.
      const changedId = `${stableId}-g${planned.generation ?? `x${job.timestamp.toString(36)}`}`;
      logger.info({ runId: changedId, organization: request.organization, completedRunId: runId }, 'inputs changed since the run completed; running again');
      const again = await planFullRun(request.organization, changedId, asOf, runConfig, false);
      return again.status === 'inputs-changed'
        ? { runId: changedId, status: 'already-completed', summary: again.summary }
        : await plannedFor(job, again);
    } finally {
      await release();
    }
  };

  /** A reschedule of some contacts or of a campaign instance, applied after any full run in flight (RULES.md §10). */
  const answerReschedule = async (job: Job, token?: string): Promise<RequestOutcome> => {
    const request =
      job.name === REQUEST_JOB_NAMES.rescheduleContacts
        ? parseJobData(RescheduleContactsJobSchema, job.data, job.name)
        : parseJobData(RescheduleCampaignJobSchema, job.data, job.name);
    if ('databaseFile' in request) refuseAnotherFile(filesOf(locator, request.organization), request.databaseFile);
    // Job numbers start again in a new Redis or under another prefix: the job's creation time keeps
    // the run id (the UNIQUE key of its checkpoint) from meeting an earlier run's, and stays the same across retries.
    const runId = `reschedule-${request.organization}-${job.id}-${job.timestamp.toString(36)}`;
    const runConfig = request.config === undefined ? config : configOfPayload(request.config, job);
    const asOf = request.asOf ?? todayIn(runConfig, now());
    const result = unwrapTaskResult(
      await pool.run({
        kind: 'reschedule',
        files: filesOf(locator, request.organization),
        runId,
        target: 'contactIds' in request ? { contactIds: request.contactIds } : { campaignInstanceId: request.campaignInstanceId },
        asOf,
        configJson: request.config === undefined ? configJson : JSON.stringify(runConfig),
        log: logContext(runId, request.organization),
      }),
    );
    if (result.status === 'needs-full-run') {
      await requests.add(
        REQUEST_JOB_NAMES.fullRun,
        { organization: request.organization, asOf, rerun: true, ...(request.config === undefined ? {} : { config: request.config }) },
        { ...RETRYING_JOB_OPTIONS, jobId: `${fullRunId(request.organization, asOf, runConfig)}-for-${job.id}${roundOf(job)}` },
      );
      return { runId, status: 'full run requested' };
    }
    if (result.status === 'deferred') {
      const fullRunId = result.fullRun.runId;
      const over = await failures.recordedWhenOver(result.fullRun, request.organization);
      if (over !== null) return lookAgainLater(job, token, 0, `the full run ${fullRunId} ${over}; its checkpoint now says so`);
      // RULES.md §10: a reschedule during a full run is applied after it, so the run cannot overwrite it.
      return lookAgainLater(job, token, DEFER_MS, `a full run of this organization is in flight (${fullRunId}); this applies after it commits`, () =>
        logger.info({ runId, organization: request.organization, fullRunId }, 'reschedule waits for the full run in flight'),
      );
    }
    return { runId, status: result.status, summary: result.summary };
  };

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

  /** Database files of the directory nothing serves, named at start and at each nightly job (files come and go). */
  const warnOfUnservedFiles = (): void => {
    const unserved = locator instanceof OrganizationDirectory ? locator.unservedFiles() : [];
    if (unserved.length > 0) logger.warn({ files: unserved.map(({ file, because }) => `${file}: ${because}`) }, 'these database files are not served');
  };

  const enqueueNightlyRuns = async (job: Job): Promise<unknown> => {
    parseJobData(NightlyJobSchema, job.data, job.name);
    warnOfUnservedFiles();
    // RULES.md §1: today is the day the run starts. Not the job's timestamp: BullMQ stamps a scheduler's job when
    // it adds it, the day before it fires, and a job promoted or retried in Bull Board runs today too.
    const asOf = todayIn(config, now());
    // Every organization of every fleet on this Redis (fleets on several machines, each over a directory of its
    // own): a request of another fleet's organization is left to that fleet (leavingOtherOrganizations).
    const organizations = [...new Set([...locator.organizations(), ...(await advertisedOrganizations(lockConnection, options.prefix))])].sort();
    await requests.addBulk(
      organizations.map((organization) => ({
        name: REQUEST_JOB_NAMES.fullRun,
        data: { organization, asOf },
        // Named after this nightly job: another one the same day asks again, and a run whose inputs changed
        // since it completed then runs again (answerFullRun), as `run` would.
        opts: { ...RETRYING_JOB_OPTIONS, jobId: `nightly-${asOf}-${organization}-${addedBy(job)}` },
      })),
    );
    logger.info({ jobId: job.id, asOf, organizations: organizations.length }, 'nightly runs enqueued');
    return { asOf, organizations };
  };

  /**
   * A reschedule per campaign instance with pending change-log rows, named after the latest row: one already
   * asked for is not asked again, and one that failed for good is named (a retry of it in Bull Board, or the
   * next full run, answers those rows), as are rows that name no instance.
   */
  const enqueueChangeReschedules = async (job: Job): Promise<unknown> => {
    const { organization: polled } = parseJobData(PollChangesJobSchema, job.data ?? {}, job.name);
    const enqueued: string[] = [];
    const failedForGood: string[] = [];
    /** Pending rows no reschedule can answer, as `<organization>:<change-log id>`. */
    const withoutInstance: string[] = [];
    const own = polled === undefined ? locator.organizations() : [polled];
    if (polled === undefined) {
      // Another fleet's organizations are polled by that fleet, which alone has their databases.
      const others = [...(await advertisedOrganizations(lockConnection, options.prefix))].filter((organization) => !own.includes(organization));
      for (const organization of others.sort()) {
        const jobId = `poll-${organization}-${addedBy(job)}`;
        await requests.add(REQUEST_JOB_NAMES.pollChanges, { organization }, { ...RETRYING_JOB_OPTIONS, attempts: 1, jobId });
        enqueued.push(jobId);
      }
    }
    // One organization's file that cannot be read must not keep the others' changes waiting: it is named at the end.
    const unreadable: string[] = [];
    for (const organization of own) {
      let pending: PendingChangesResult;
      try {
        pending = unwrapTaskResult(await pool.run({ kind: 'pending-changes', files: filesOf(locator, organization) }));
      } catch (error) {
        unreadable.push(`${organization}: ${error instanceof Error ? error.message : String(error)}`);
        continue;
      }
      if (pending.withoutInstance.length > 0) {
        withoutInstance.push(...pending.withoutInstance.map((id) => `${organization}:${id}`));
        logger.warn(
          { organization, changeLogIds: pending.withoutInstance },
          'these campaign_change_log rows name no campaign instance (campaign_instance_id is no integer): no reschedule can answer them; the next full run marks them processed',
        );
      }
      for (const { campaignInstanceId, latestChangeLogId } of pending.byInstance) {
        const named = `changes-${organization}-${campaignInstanceId}-${latestChangeLogId}`;
        let jobId = named;
        let earlier = await requests.getJob(jobId);
        // Rows still pending after the reschedule named after them completed are other rows under the same ids
        // (the log's rows pruned, its ids given out again) or rows marked pending again: they are asked for anew.
        while (earlier !== undefined && (await earlier.getState()) === 'completed') {
          jobId = `${named}-after-${earlier.finishedOn ?? earlier.timestamp}`;
          earlier = await requests.getJob(jobId);
        }
        if (earlier !== undefined) {
          if ((await earlier.getState()) === 'failed') failedForGood.push(jobId);
          continue;
        }
        await requests.add(
          REQUEST_JOB_NAMES.rescheduleCampaign,
          { organization, campaignInstanceId, requestedBy: 'campaign_change_log' },
          { ...RETRYING_JOB_OPTIONS, jobId },
        );
        enqueued.push(jobId);
      }
    }
    if (failedForGood.length > 0) {
      logger.warn({ jobIds: failedForGood }, 'the reschedules of these campaign changes failed for good; the changes stay pending until one is retried or a full run');
    }
    // Named, not failed: a poll a minute failing for one broken file would fill the failed list (kept 30 days).
    if (unreadable.length > 0) logger.warn({ organizations: unreadable }, 'the campaign changes of these organizations could not be read; the others were polled');
    return {
      enqueued,
      failedForGood,
      ...(withoutInstance.length > 0 ? { withoutInstance } : {}),
      ...(unreadable.length > 0 ? { unreadable } : {}),
    };
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
        const { organization } = job.data as { organization?: unknown };
        return lookAgainLater(job, token, BUSY_RETRY_MS, "the organization's database is locked by another writer", () =>
          logger.warn({ jobId: job.id, organization, err: error }, 'the organization database is busy; the job waits and tries again'),
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
      return lookAgainLater(job, token, DEFER_MS, "the run's backup has not started (its queue paused in Bull Board, or busy)");
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

  const failures = new RunFailures({ pool, locator, logger, chunks: chunkJobs, finalizers, filesOf: (organization) => filesOf(locator, organization) });

  const workerOptions = { lockDuration: 60_000, maxStalledCount: 2, name: workerNameOf(locator), ...prefix };
  const workerNames = async (): Promise<string[]> => (await backups.getWorkers()).map((worker) => String(worker.rawname ?? ''));
  const listedByAFleet = (organization: string): Promise<boolean> => fleetAdvertises(lockConnection, options.prefix, organization);
  const serving = (process: (job: Job, token?: string) => Promise<unknown>) =>
    leavingOtherOrganizations(locator, workerNames, listedByAFleet, process);
  const workers = [
    new Worker(QUEUE_NAMES.requests, serving(waitingWhileBusy(processRequest)), { ...workerOptions, connection: connection(), concurrency: 2 }),
    // One more than the threads: a thread that frees finds the next chunk in hand (it waits in the pool's queue).
    new Worker(QUEUE_NAMES.chunks, serving(processChunk), { ...workerOptions, connection: connection(), concurrency: options.threads + 1 }),
    new Worker(QUEUE_NAMES.finalize, serving(waitingWhileBusy(processFinalize)), { ...workerOptions, connection: connection(), concurrency: 1 }),
    // A backup runs in a process of its own, beside the threads; the finalizer that waits for it holds one.
    new Worker(QUEUE_NAMES.backups, serving(processBackup), { ...workerOptions, connection: connection(), concurrency: 2 }),
  ];
  const logWorkerError = quietRepeats((queue, error, repeatsSinceLast) =>
    logger.error({ queue, err: error, ...(repeatsSinceLast > 0 ? { repeatsSinceLast } : {}) }, 'worker error'),
  );
  for (const worker of workers) {
    worker.on('failed', (job, error) => {
      const data = (job?.data ?? {}) as Record<string, unknown>;
      const record = {
        queue: worker.name,
        jobId: job?.id,
        runId: data.runId,
        organization: data.organization,
        attemptsMade: job?.attemptsMade,
        err: error,
      };
      // BullMQ marks a job finished only when it failed for good: what an alert on errors should catch.
      if (job !== undefined && job.finishedOn === undefined) logger.warn(record, 'job failed; it will be tried again');
      else logger.error(record, 'job failed for good');
      if (worker.name !== QUEUE_NAMES.requests) failures.record(job, error);
    });
    worker.on('error', (error) => logWorkerError(worker.name, error));
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
  warnOfUnservedFiles();

  return {
    pool,
    async close({ force = false } = {}) {
      if (force) backupRunner.kill();
      await stopAdvertising();
      await Promise.all(workers.map((worker) => worker.close(force)));
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
