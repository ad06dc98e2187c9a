import { UnrecoverableError, type Job, type Queue } from 'bullmq';
import { BACKUP_JOB_NAME } from '@scheduler/queue';
import type { ComputePool } from './compute-pool';
import { removedBeforeEnd, withChildReason } from './job-waiting';
import type { Logger } from './logger';
import type { OrganizationLocator } from './organization-directory';
import type { RunInFlight } from './organization-port';
import { finalizeJobId } from './run-flow';
import { StagingStore } from './staging/staging-store';
import { unwrapTaskResult } from './task-errors';
import type { OrganizationFiles } from './thread-tasks';

/** A run's finalizer is in the queue this soon after its checkpoint says started (planning adds it right after). */
const FINALIZER_ADDED_WITHIN_MS = 30_000;

export interface RunFailuresOptions {
  readonly pool: ComputePool;
  readonly locator: OrganizationLocator;
  readonly logger: Logger;
  readonly chunks: Queue;
  readonly finalizers: Queue;
  /** The organization's files; an organization nobody serves fails its job at once. */
  readonly filesOf: (organization: string) => OrganizationFiles;
}

/** How a fleet writes down the runs that failed for good: their checkpoints say `failed`, naming the error. */
export class RunFailures {
  /** Failures being written: closing waits for them, so the threads they use are not stopped under them. */
  private readonly recordings = new Set<Promise<unknown>>();

  constructor(private readonly options: RunFailuresOptions) {}

  /** A job of a run failed (BullMQ's `failed` event): once for good, its run's failure is written. */
  record(job: Job | undefined, error: Error): void {
    const recording = this.recordRunFailure(job, error).finally(() => this.recordings.delete(recording));
    this.recordings.add(recording);
  }

  async settled(): Promise<void> {
    await Promise.all(this.recordings);
  }

  /**
   * Whether the full run a reschedule waits for is over as far as the queue can tell, and what ended it; its
   * `started` checkpoint would otherwise keep reschedules waiting for hours, so its failure is written now. Over:
   * its finalizer failed for good while the checkpoint could not be written (the database read-only then, say),
   * completed without the checkpoint, or is gone from the queue (removed in Bull Board, or lost with Redis's data)
   * well after the run was planned. There is no age past which a run is taken as abandoned: a run may wait for
   * hours (its backups queue paused, its chunks waiting for a fleet), and a reschedule waits for it.
   */
  async recordedWhenOver(fullRun: RunInFlight, organization: string): Promise<string | null> {
    const finalizer = await this.options.finalizers.getJob(finalizeJobId(fullRun.runId));
    if (finalizer === undefined) {
      // Not added yet, unless it was removed by hand since the run started (its queue's events say so).
      const removed = await removedBeforeEnd(this.options.finalizers, finalizeJobId(fullRun.runId), fullRun.startedAtMs);
      if (!removed && Date.now() - fullRun.startedAtMs < FINALIZER_ADDED_WITHIN_MS) return null;
      const gone = "has no finalizer in the queue (removed in Bull Board, or lost with Redis's data), so it cannot commit";
      const recorded = await this.recordFailure(fullRun.runId, organization, `run ${fullRun.runId} ${gone}: ask for the run again`);
      return recorded ? gone : null;
    }
    const state = await finalizer.getState();
    if (state === 'completed') {
      // A finalizer completes after its commit, which completes the checkpoint: one still started is of a run
      // that can no longer commit. Written only if it still says started (the commit may have landed since the read).
      const ended = 'has a completed finalizer but no completed commit';
      return (await this.recordFailure(fullRun.runId, organization, `run ${fullRun.runId} ${ended}: ask for the run again`)) ? ended : null;
    }
    if (state !== 'failed') return null;
    // Read before it failed, the record holds no reason yet: read it again.
    const failed = (await this.options.finalizers.getJob(finalizeJobId(fullRun.runId))) ?? finalizer;
    return (await this.recordRunFailure(failed, new UnrecoverableError(failed.failedReason))) ? 'had failed for good' : null;
  }

  /**
   * A run whose chunk, backup or finalizer failed for good gets a `failed` checkpoint naming the error; a
   * backup's failure is also recorded where the run's finalizer, which may be waiting for it, looks.
   */
  private async recordRunFailure(job: Job | undefined, error: Error): Promise<boolean> {
    if (job === undefined) return false;
    const attempts = job.opts.attempts ?? 1;
    const final = error instanceof UnrecoverableError || error.name === 'UnrecoverableError' || job.attemptsMade >= attempts;
    const data = job.data as { runId?: unknown; organization?: unknown };
    if (!final || typeof data.runId !== 'string' || typeof data.organization !== 'string') return false;
    if (job.name === BACKUP_JOB_NAME) this.recordFailedBackup(data.runId, data.organization, `${job.queueName} job ${job.id}: ${error.message}`);
    const reason = await withChildReason(error.message, [this.options.chunks]);
    return this.recordFailure(data.runId, data.organization, `${job.queueName} job ${job.id}: ${reason}`);
  }

  private recordFailedBackup(runId: string, organization: string, error: string): void {
    try {
      // A few milliseconds on this thread: no compute thread is needed (the finalizer may hold one, waiting).
      // Not filesOf: it needs the database file, and a backup fails for good when that file went away,
      // while its finalizer waits on the staging file for this outcome.
      const staging = new StagingStore(this.options.locator.stagingPath(organization));
      try {
        staging.recordBackup(runId, { status: 'failed', error });
      } finally {
        staging.close();
      }
    } catch (cause) {
      this.options.logger.error({ err: cause, runId, organization }, 'could not record the failed backup');
    }
  }

  /** Writes a run's failure to its checkpoint and staging file, unless the run ended already. True when it was written. */
  private async recordFailure(runId: string, organization: string, error: string): Promise<boolean> {
    try {
      const { recorded } = unwrapTaskResult(
        await this.options.pool.run({ kind: 'fail-run', files: this.options.filesOf(organization), runId, error }),
      );
      return recorded;
    } catch (cause) {
      this.options.logger.error({ err: cause, runId, organization }, 'could not record the failed run');
      return false;
    }
  }
}
