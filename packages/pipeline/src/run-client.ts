import { randomBytes } from 'node:crypto';
import { Job, Queue, QueueEvents } from 'bullmq';
import type { Config } from '@scheduler/core';
import { utcDatetime } from '@scheduler/db';
import { QUEUE_NAMES, REQUEST_JOB_NAMES, checkRedisReachable, createRedisConnection } from '@scheduler/queue';
import type { Redis } from 'ioredis';
import { startFleet, type Fleet } from './fleet';
import { RETRYING_JOB_OPTIONS } from './job-options';
import type { Logger } from './logger';
import { SingleDatabase, type OrganizationLocator } from './organization-directory';
import type { CompletedRun } from './organization-port';
import { JobFailedError, JobRemovedError, JobVanishedError, waitUntilEnded, whyGone, withChildReason } from './job-waiting';
import { finalizeJobId } from './run-flow';
import { watchQuietRun } from './quiet-run-watch';
import { filesOf, listsOfRunningFleets, type Advertised } from './advertised-organizations';
import { attachedWorkerNames, isFleetWorker, isWorkerOf } from './served-organizations';
import { fullRunId, rerunId, rescheduleRunId, todayIn } from './run-identity';
import { realDatabaseFile } from './database-file';
import { openOrganizationPort } from './sqlite-organization';
import type { RunSummary } from './run-summary';
import { runStillToCommit, type RequestOutcome } from './request-outcome';
import { redisAway, settledUnless } from './settled-unless';

export interface RunClientOptions {
  readonly redisUrl: string;
  readonly locator: OrganizationLocator;
  readonly config: Config;
  readonly threads: number;
  readonly logger: Logger;
  /** Start workers in this process when no fleet serves the queues. */
  readonly startLocalWorkers: boolean;
  readonly prefix?: string;
  /** What this client is for (organization, run id when known), on the lines it logs before a job exists. */
  readonly subject?: Readonly<Record<string, string>>;
  /** How long a run it waits for may go without a chunk finishing before it says it still waits (default 60 s). */
  readonly quietRunMs?: number;
}

export interface Progress {
  readonly done: number;
  readonly total: number;
}

/** A job that ended in failure; the message is the job's own failure reason. */
export class RunFailedError extends Error {
  override readonly name = 'RunFailedError';
}

interface FullRunRequest {
  readonly asOf?: string;
  /** Run again even when this run (same day and configuration) completed. */
  readonly rerun?: boolean;
  /** When the rerun was asked for (ms since the epoch; its id names it): now, unless the caller named the run already. */
  readonly rerunAskedAt?: number;
  /** Asked for under these inputs (the file's input generation): a run of its own when they changed since the run completed. */
  readonly inputGeneration?: number;
  /** How often the queue lost this run's jobs already (Redis restarted without its data). */
  readonly askedAgainAfterLoss?: number;
  /** When this command first asked (UTC datetime), kept when it asks again after a loss: a run committed since is its own. */
  readonly firstAskedAt?: string;
  /** Asked again because the job of this run's id failed for good: under a job id of its own. */
  readonly againAfterFailure?: boolean;
}

/** A reschedule request's job, named before it is enqueued: the lines logged before then can name its run. */
export interface RescheduleRequestName {
  readonly jobId: string;
  /** Its job's creation time (ms since the epoch), which its run id names too. */
  readonly createdAt: number;
}

/** 64 random bits: BullMQ hands back the job already under an id, which would be another command's request. */
export const nameRescheduleRequest = (at: number = Date.now()): RescheduleRequestName => ({
  jobId: `cli-${randomBytes(8).toString('hex')}`,
  createdAt: at,
});

/** A job removed by hand while the client waited for it ends what it was for: not asked for again, as one Redis lost is. */
const calledOff = (error: unknown): unknown =>
  error instanceof JobRemovedError ? new RunFailedError(`${error.message}: this command does not ask for it again (ask for the run again to plan it anew)`) : error;

/** How often a client asks again for a run whose jobs the queue lost, before it gives up. */
const ASK_AGAIN_AFTER_LOSS = 3;

/** A run waited for whose chunks have all stood still this long is said to be still waited for. */
const QUIET_RUN_MS = 60_000;

/** While Redis stays away, the client says so again this often. */
const LOST_REDIS_REMINDER_MS = 30_000;

/** How long closing waits for a Redis that does not answer, or for a connection that does not close. */
const CLOSE_WITHOUT_REDIS_MS = 5_000;

const summaryOf = (outcome: RequestOutcome, job: Job): RunSummary => {
  if ('summary' in outcome) return outcome.summary;
  throw new Error(`${job.queueName} job ${job.id} ended without a summary: its outcome was ${outcome.status}`);
};

/**
 * What the CLI does with the queue: enqueue a request as any other service
 * would, make sure something will work on it, and wait for its commit.
 */
export class RunClient {
  private readonly connections: Redis[] = [];
  private readonly requests: Queue;
  private readonly finalize: Queue;
  private readonly chunks: Queue;
  private readonly events: QueueEvents;
  private readonly finalizeEvents: QueueEvents;
  private fleet: Fleet | null = null;

  private constructor(private readonly options: RunClientOptions) {
    // Like a worker's, its connections wait out a reset or a Redis restart, as its warning says: the run goes on
    // meanwhile. Redis away at the start is refused before (checkRedisReachable).
    const connection = (): Redis => {
      const redis = createRedisConnection(options.redisUrl, 'worker');
      this.connections.push(redis);
      return redis;
    };
    const prefix = options.prefix === undefined ? {} : { prefix: options.prefix };
    this.requests = new Queue(QUEUE_NAMES.requests, { connection: connection(), ...prefix });
    this.finalize = new Queue(QUEUE_NAMES.finalize, { connection: connection(), ...prefix });
    this.chunks = new Queue(QUEUE_NAMES.chunks, { connection: connection(), ...prefix });
    this.events = new QueueEvents(QUEUE_NAMES.requests, { connection: connection(), ...prefix });
    this.finalizeEvents = new QueueEvents(QUEUE_NAMES.finalize, { connection: connection(), ...prefix });
    // A line when Redis goes away, then one per half minute while it stays away, not a stack trace per reconnect
    // attempt (BullMQ prints an unheard error); and one when it is back.
    let lostToldAt: number | null = null;
    let attemptsSinceTold = 0;
    const onError = (error: Error): void => {
      const now = Date.now();
      if (lostToldAt !== null && now - lostToldAt < LOST_REDIS_REMINDER_MS) {
        attemptsSinceTold += 1;
        return;
      }
      const again = lostToldAt === null ? {} : { repeatsSinceLast: attemptsSinceTold };
      options.logger.warn({ ...options.subject, err: error.message, ...again }, 'lost the connection to Redis; waiting for it to come back');
      lostToldAt = now;
      attemptsSinceTold = 0;
    };
    for (const queue of [this.requests, this.finalize, this.chunks]) queue.on('error', onError);
    for (const events of [this.events, this.finalizeEvents]) events.on('error', onError);
    for (const redis of this.connections) {
      redis.on('ready', () => {
        if (lostToldAt === null) return;
        lostToldAt = null;
        options.logger.info({ ...options.subject }, 'Redis is reachable again');
      });
    }
  }

  static async connect(options: RunClientOptions): Promise<RunClient> {
    await checkRedisReachable(options.redisUrl);
    const client = new RunClient(options);
    // Every connection open before it goes on: a job's events are heard only once its QueueEvents reads them.
    const parts = [client.requests, client.finalize, client.chunks, client.events, client.finalizeEvents];
    await Promise.all(parts.map((part) => part.waitUntilReady()));
    await client.startWorkersWhenUnserved();
    return client;
  }

  /**
   * Workers in this process when nothing else serves this client's organization: at connect, and again while it
   * waits, since what served it may go (another run's workers, which leave with their run).
   */
  private async startWorkersWhenUnserved(): Promise<void> {
    const { options } = this;
    if (!options.startLocalWorkers || this.fleet !== null || (await this.servedElsewhere())) return;
    options.logger.info({ ...options.subject }, 'no fleet serves this organization; starting workers in this process');
    // Its stdout carries the command's result: the workers' lines go to stderr.
    this.fleet = await startFleet({ ...options, logToStderr: true, readyBindings: options.subject });
  }

  /** Whether this client started workers of its own: nothing else served the organization. */
  get servesLocally(): boolean {
    return this.fleet !== null;
  }

  today(): string {
    return todayIn(this.options.config);
  }

  /**
   * Whether workers already serve the queues that will serve this client's organization: a fleet that has
   * its database in its directory, or another run's workers of a file of the same name. Not a fleet without
   * it, nor only other files' runs: they leave its jobs alone.
   */
  private async servedElsewhere(): Promise<boolean> {
    const { locator } = this.options;
    const workers = await this.workerNames();
    if (!(locator instanceof SingleDatabase)) return workers.length > 0;
    const { organization } = locator;
    if (workers.some((worker) => isWorkerOf(worker, organization))) return true;
    if (!workers.some(isFleetWorker)) return false;
    return (await this.fleetLists()).some((advertised) => advertised.organizations.includes(organization));
  }

  private workerNames(): Promise<string[]> {
    return attachedWorkerNames(this.chunks, this.connections[0]!);
  }

  private fleetLists(): Promise<Advertised[]> {
    return listsOfRunningFleets(this.connections[0]!, this.options.prefix, async () => (await this.workerNames()).some(isFleetWorker));
  }

  /**
   * A fleet that serves the organization from another database file would take this client's jobs and commit
   * to its own file: refused before anything is enqueued.
   */
  private async refuseFleetOfAnotherFile(organization: string): Promise<void> {
    // Real paths, as the workers compare them (refuseAnotherFile): a link to the fleet's own file is that file.
    const here = this.databaseFile(organization);
    const elsewhere = filesOf(await this.fleetLists(), organization).find((file) => realDatabaseFile(file) !== here);
    if (elsewhere === undefined) return;
    throw new Error(
      `organization ${organization} is served by a running fleet from ${elsewhere}, not ${here}: its workers would take this ` +
        'job and commit to their file. Run that file, or give this command a SCHEDULER_QUEUE_PREFIX of its own',
    );
  }

  /**
   * One full run of an organization, waited for until committed to the file the locator names
   * (CONTRACT.md: exit 0 only when committed). A run the queue already held as completed is run again here
   * when this file has no completed checkpoint of it (another file of the same name ran it) or when what it
   * read has changed since; a run that still lands elsewhere (the fleet serving the queues reads its own
   * copy) is refused.
   */
  async fullRun(
    organization: string,
    request: FullRunRequest,
    onProgress?: (progress: Progress) => void,
  ): Promise<RunSummary> {
    await this.refuseFleetOfAnotherFile(organization);
    const { summary, heldAlready, completedBefore } = await this.fullRunOnce(organization, request, onProgress);
    const here = this.completedHere(organization, summary.run_id);
    if (here.state === 'inputs-unchanged' || (here.state === 'inputs-changed' && !heldAlready)) {
      return completedBefore ? { ...summary, already_completed: true } : summary;
    }
    if (heldAlready && request.rerun !== true) {
      const { logger } = this.options;
      if (here.state === 'inputs-changed') {
        // Asked for again under the inputs it would read: asking once more before they change runs once.
        const { generation } = here;
        if (generation !== null && generation !== request.inputGeneration) {
          logger.info({ runId: summary.run_id, organization }, 'the run completed earlier, but what it read has changed since (its inputs, or its rows, replaced by another run such as a rerun); asking again: a run already completed on what it would read now answers, or it runs');
          return this.fullRun(organization, { ...request, inputGeneration: generation }, onProgress);
        }
      } else {
        logger.warn({ runId: summary.run_id, organization }, 'the run completed earlier, but not in this file; running it again');
      }
      const again = await this.fullRunOnce(organization, { ...request, rerun: true }, onProgress);
      if (this.completedHere(organization, again.summary.run_id).state !== 'not-completed') return again.summary;
    }
    throw new RunFailedError(
      `run ${summary.run_id} completed, but not in ${this.options.locator.databasePath(organization)}: the workers serving ` +
        `the queues read organization '${organization}' from another file (a fleet serves the organizations of its own directory)`,
    );
  }

  /**
   * One request for a run, waited for. `heldAlready`: the queue held its job as completed before this request;
   * `completedBefore`: the run had committed before this request, which ran nothing.
   */
  private async fullRunOnce(
    organization: string,
    request: FullRunRequest,
    onProgress?: (progress: Progress) => void,
  ): Promise<{ summary: RunSummary; heldAlready: boolean; completedBefore: boolean }> {
    const asOf = request.asOf ?? this.today();
    const stableId = fullRunId(organization, asOf, this.options.config);
    const requestedId =
      request.rerun === true
        ? rerunId(stableId, request.rerunAskedAt ?? Date.now())
        : request.inputGeneration === undefined
          ? stableId
          : `${stableId}-g${request.inputGeneration}`;
    // Asked again after a loss: what is left under the lost job's id (its id in a state's set without its record)
    // could answer for it. A request of another id plans the same run (a fleet names a run after its request's
    // data, not its job id), and a rerun's id still starts with the run's.
    const asked = request.askedAgainAfterLoss ?? 0;
    const firstAskedAt = request.firstAskedAt ?? utcDatetime(new Date());
    const jobId =
      asked > 0
        ? `${requestedId}-asked${asked}-${Date.now().toString(36)}`
        : request.againAfterFailure === true
          ? `${requestedId}-again-${Date.now().toString(36)}`
          : requestedId;
    // A finalizer removed from now on was removed while this command waited: the run is called off, not asked again.
    const askedAtMs = Date.now();
    const job = await this.requests.add(
      REQUEST_JOB_NAMES.fullRun,
      {
        organization,
        asOf,
        rerun: request.rerun === true,
        requestedBy: 'cli',
        config: this.options.config,
        databaseFile: this.databaseFile(organization),
      },
      { ...RETRYING_JOB_OPTIONS, jobId },
    );
    // The job id is the run's: an attempt that failed for good is still there, and waiting on it would
    // only repeat its error. RULES.md §10: a retry completes the run.
    const state = await job.getState();
    if (request.rerun !== true && (await this.failedEarlier(job, state))) {
      // Not as a rerun: a run of it that completed since (a rerun that overtook the attempt) answers, else the
      // fleet plans the run's next attempt.
      this.options.logger.warn({ runId: stableId, organization }, 'an earlier attempt of this run failed for good; asking for the run again');
      return this.fullRunOnce(organization, { ...request, againAfterFailure: true }, onProgress);
    }
    try {
      const outcome = (await this.waitFor(job, this.requests, this.events)) as RequestOutcome | null;
      // A request whose record went with Redis's data mid-way can end without its outcome.
      if (outcome?.runId === undefined) throw new JobVanishedError(`${job.queueName} job ${job.id} ended without its outcome`);
      const toCommit = runStillToCommit(outcome);
      const heldAlready = state === 'completed';
      // A request held already planned nothing: its run had committed unless its finalizer is still to end.
      // Asked again after a loss, a run found committed may be the one this command's first request planned:
      // the loss can come between its commit and its job's completion.
      const completedBefore =
        (outcome.status === 'already-completed' ||
          (heldAlready && (toCommit === null || (await this.finalizerState(toCommit)) === 'completed'))) &&
        (asked === 0 || this.completedBefore(organization, outcome.runId, firstAskedAt));
      const summary = toCommit === null ? summaryOf(outcome, job) : await this.waitForRun(toCommit, askedAtMs, onProgress);
      return { summary, heldAlready, completedBefore };
    } catch (error) {
      if (!(error instanceof JobVanishedError) || asked >= ASK_AGAIN_AFTER_LOSS) throw error;
      // The run is planned again from what the files hold: a run that committed is answered from its staged summary.
      this.options.logger.warn({ runId: stableId, organization, err: error.message }, 'the queue lost this run\'s jobs; asking for the run again');
      return this.fullRunOnce(organization, { ...request, askedAgainAfterLoss: asked + 1, firstAskedAt }, onProgress);
    }
  }

  /** Whether a run's request job, or the finalizer of the run it planned, had failed for good. */
  private async failedEarlier(job: Job, state: string): Promise<boolean> {
    if (state === 'failed') return true;
    if (state !== 'completed') return false;
    const stored = await Job.fromId(this.requests, job.id!);
    const outcome = stored?.returnvalue as RequestOutcome | undefined;
    const toCommit = outcome === undefined ? null : runStillToCommit(outcome);
    return toCommit !== null && (await this.finalizerState(toCommit)) === 'failed';
  }

  private async finalizerState(runId: string): Promise<string> {
    return (await (await Job.fromId(this.finalize, finalizeJobId(runId)))?.getState()) ?? 'none';
  }

  /** The file this client's requests are for: a worker that serves the organization from another fails them. */
  private databaseFile(organization: string): string {
    return realDatabaseFile(this.options.locator.databasePath(organization));
  }

  /** Whether the organization's file says the run completed before `askedAt` (both UTC datetimes, which sort as text). */
  private completedBefore(organization: string, runId: string, askedAt: string): boolean {
    const here = this.completedHere(organization, runId);
    return here.state !== 'not-completed' && here.completedAt !== null && here.completedAt < askedAt;
  }

  /** The run's state in the organization's file, as this client's locator finds it. */
  private completedHere(organization: string, runId: string): CompletedRun {
    const port = openOrganizationPort(this.options.locator.databasePath(organization), { readonly: true });
    try {
      return port.completedRun(runId);
    } finally {
      port.close();
    }
  }

  /** A targeted reschedule of some contacts, waited for until committed. */
  async rescheduleContacts(
    organization: string,
    contactIds: number[],
    asOf?: string,
    request: RescheduleRequestName = nameRescheduleRequest(),
    askedAgainAfterLoss = 0,
  ): Promise<RunSummary> {
    await this.refuseFleetOfAnotherFile(organization);
    const job = await this.requests.add(
      REQUEST_JOB_NAMES.rescheduleContacts,
      // The client's configuration goes with the job, as a full run's does: a fleet's workers use it, not their own.
      {
        organization,
        contactIds,
        ...(asOf === undefined ? {} : { asOf }),
        requestedBy: 'cli',
        config: this.options.config,
        databaseFile: this.databaseFile(organization),
      },
      { ...RETRYING_JOB_OPTIONS, jobId: request.jobId, timestamp: request.createdAt },
    );
    try {
      return summaryOf((await this.waitFor(job, this.requests, this.events)) as RequestOutcome, job);
    } catch (error) {
      if (!(error instanceof JobVanishedError) || askedAgainAfterLoss >= ASK_AGAIN_AFTER_LOSS) throw error;
      // Asked again under a new job, so under a new run id: this line names both.
      const again = nameRescheduleRequest();
      this.options.logger.warn(
        { runId: rescheduleRunId(organization, again.jobId, again.createdAt), lostRunId: rescheduleRunId(organization, request.jobId, request.createdAt), organization, err: error.message },
        'the queue lost this reschedule; asking for it again',
      );
      return this.rescheduleContacts(organization, contactIds, asOf, again, askedAgainAfterLoss + 1);
    }
  }

  private async waitForRun(runId: string, askedAtMs: number, onProgress?: (progress: Progress) => void): Promise<RunSummary> {
    const job = await Job.fromId(this.finalize, finalizeJobId(runId));
    // Planned, yet gone from Redis before this client looked for it: removed by hand since this command asked for
    // the run (called off), else lost with Redis's data or removed before (asked again, which plans the run anew).
    if (job === undefined) throw calledOff(await whyGone(this.finalize, finalizeJobId(runId), askedAtMs));
    const ticker =
      onProgress === undefined
        ? null
        : setInterval(() => {
            void job
              .getDependenciesCount()
              .then(({ processed = 0, unprocessed = 0 }) => onProgress({ done: processed, total: processed + unprocessed }))
              .catch(() => undefined);
          }, 250);
    const { organization } = job.data as { organization?: string };
    const stopWatching = watchQuietRun(job, this.options.quietRunMs ?? QUIET_RUN_MS, ({ done, total, quietSeconds }) =>
      this.options.logger.info(
        { runId, organization, done, total },
        `no chunk of the run has finished for ${quietSeconds} s (${done} of ${total} done); still waiting: its chunks wait for a worker, ` +
          'or were in the hands of one that stopped and are given back within two minutes',
      ),
    );
    try {
      return (await this.waitFor(job, this.finalize, this.finalizeEvents)) as RunSummary;
    } finally {
      stopWatching();
      if (ticker !== null) clearInterval(ticker);
    }
  }

  private async waitFor(job: Job, queue: Queue, events: QueueEvents): Promise<unknown> {
    try {
      return await waitUntilEnded(job, queue, events, () => this.startWorkersWhenUnserved());
    } catch (error) {
      if (error instanceof JobFailedError) {
        throw new RunFailedError(`${job.queueName} job ${job.id} failed: ${await withChildReason(error.message, [this.chunks])}`);
      }
      throw calledOff(error);
    }
  }

  async close(): Promise<void> {
    // The local workers finish the jobs they have in hand, unless Redis stays away: the command's work is done.
    if (!(await settledUnless(this.fleet?.close() ?? Promise.resolve(), redisAway(this.connections), CLOSE_WITHOUT_REDIS_MS))) {
      this.options.logger.warn({ ...this.options.subject }, `Redis has not answered for ${CLOSE_WITHOUT_REDIS_MS / 1000} s; closing without it`);
    }
    // The rest has nothing to finish, but closing a QueueEvents can wait for ever: for a Redis that is away, or on a
    // connection an outage left stuck reconnecting (taskforcesh/bullmq#4656). It gets a few seconds, then is dropped.
    const parts = [this.events, this.finalizeEvents, this.requests, this.finalize, this.chunks];
    if (!(await settledUnless(Promise.all(parts.map((part) => part.close())), () => true, CLOSE_WITHOUT_REDIS_MS))) {
      for (const part of parts) void part.disconnect().catch(() => undefined);
    }
    for (const redis of this.connections) redis.disconnect();
  }
}
