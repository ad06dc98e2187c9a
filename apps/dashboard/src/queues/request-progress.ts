import { Job, type Queue } from 'bullmq';
import { finalizeJobId, runStillToCommit, type RequestOutcome, type RunSummary } from '@scheduler/pipeline';
import type { FleetQueues } from './fleet-queues';

export type RequestProgress =
  /**
   * Not yet done: waiting, delayed, active. `delayedBecause`, while delayed: the reason a worker last handed it
   * back (a run in flight, a lock), or the error of the attempt that failed, when it waits to be retried.
   */
  | { readonly kind: 'pending'; readonly state: string; readonly delayedBecause: string | null; readonly queuePaused: boolean }
  /** A full run's flow is computing its chunks; `delayedBecause`, why its finalizer waits (its backup not started). */
  | {
      readonly kind: 'running';
      readonly runId: string;
      readonly chunksDone: number;
      readonly chunksTotal: number;
      readonly delayedBecause: string | null;
    }
  | { readonly kind: 'completed'; readonly runId: string | null; readonly summary: RunSummary | null; readonly alreadyCompleted: boolean }
  | { readonly kind: 'failed'; readonly reason: string };

export interface RequestStatus {
  readonly jobId: string;
  readonly jobName: string;
  readonly organization: string | null;
  readonly data: Readonly<Record<string, unknown>>;
  readonly progress: RequestProgress;
}

/**
 * Why a delayed job waits. A hand-back writes its reason to the job's log after the job was taken (processedOn);
 * a job delayed with no such line since is waiting out the backoff of a failed attempt.
 */
const delayedBecause = async (queue: Queue, job: Job): Promise<string | null> => {
  const [lastWait] = (await queue.getJobLogs(job.id ?? '', 0, 0, false)).logs;
  const writtenAt = lastWait === undefined ? Number.NaN : Date.parse(lastWait.slice(0, 24));
  if (lastWait !== undefined && writtenAt >= (job.processedOn ?? 0)) return lastWait;
  if (job.attemptsMade > 0 && job.failedReason) {
    return `attempt ${job.attemptsMade} of ${job.opts.attempts ?? 1} failed, and the job waits to be retried: ${job.failedReason}`;
  }
  return lastWait ?? null;
};

/** A run's checkpoint status and error, as the organization's database holds it; null when it has none. */
export type CheckpointLookup = (organization: string, runId: string) => { readonly status: string; readonly errorMessage: string | null } | null;

const runProgress = async (queues: FleetQueues, organization: string | null, runId: string, checkpointOf: CheckpointLookup): Promise<RequestProgress> => {
  const finalize = await Job.fromId<unknown, RunSummary>(queues.finalize, finalizeJobId(runId));
  if (finalize === undefined) {
    // Gone from the queue: retention removed it long after the run ended, or someone removed it; the checkpoint tells.
    const checkpoint = organization === null ? null : checkpointOf(organization, runId);
    if (checkpoint?.status === 'completed') return { kind: 'completed', runId, summary: null, alreadyCompleted: false };
    if (checkpoint?.status === 'failed') return { kind: 'failed', reason: checkpoint.errorMessage ?? 'the run failed' };
    return {
      kind: 'failed',
      reason: `the run's finalizer is no longer in the queue (removed in Bull Board, or lost with Redis's data) and the run never committed: ask for it again`,
    };
  }
  const state = await finalize.getState();
  if (state === 'completed' || state === 'failed') {
    // Read before it ended, the record holds neither its summary nor its reason yet: read it again.
    const ended = (await Job.fromId<unknown, RunSummary>(queues.finalize, finalizeJobId(runId))) ?? finalize;
    if (state === 'completed') return { kind: 'completed', runId, summary: ended.returnvalue, alreadyCompleted: false };
    return { kind: 'failed', reason: ended.failedReason };
  }
  const { processed = 0, unprocessed = 0 } = await finalize.getDependenciesCount({ processed: true, unprocessed: true });
  const delayed = state === 'delayed' ? await delayedBecause(queues.finalize, finalize) : null;
  return { kind: 'running', runId, chunksDone: processed, chunksTotal: processed + unprocessed, delayedBecause: delayed };
};

/**
 * Where a request on the requests queue stands, following a full run into
 * its flow: the request job only plans the run; its finalizer commits it.
 */
export const readRequestStatus = async (queues: FleetQueues, jobId: string, checkpointOf: CheckpointLookup): Promise<RequestStatus | null> => {
  const job = await Job.fromId<Record<string, unknown>, RequestOutcome>(queues.requests, jobId);
  if (job === undefined) return null;
  const data = job.data ?? {};
  const organization = typeof data.organization === 'string' ? data.organization : null;
  const status = (progress: RequestProgress): RequestStatus => ({ jobId, jobName: job.name, organization, data, progress });
  const state = await job.getState();
  // Read before it failed, the record holds no reason yet: read it again.
  if (state === 'failed') return status({ kind: 'failed', reason: (await Job.fromId(queues.requests, jobId))?.failedReason ?? job.failedReason });
  if (state !== 'completed') {
    const delayed = state === 'delayed' ? await delayedBecause(queues.requests, job) : null;
    return status({ kind: 'pending', state, delayedBecause: delayed, queuePaused: await queues.requests.isPaused() });
  }
  // Read before it completed, the job holds no return value yet: read it again.
  const outcome = job.returnvalue ?? (await Job.fromId<Record<string, unknown>, RequestOutcome>(queues.requests, jobId))?.returnvalue;
  // Nightly and poll jobs return no run of their own.
  if (outcome?.runId === undefined) return status({ kind: 'completed', runId: null, summary: null, alreadyCompleted: false });
  const toCommit = runStillToCommit(outcome);
  if (toCommit !== null) return status(await runProgress(queues, organization, toCommit, checkpointOf));
  return status({
    kind: 'completed',
    runId: outcome.runId,
    summary: 'summary' in outcome ? outcome.summary : null,
    alreadyCompleted: outcome.status === 'already-completed',
  });
};

export const isFinished = (progress: RequestProgress): boolean => progress.kind === 'completed' || progress.kind === 'failed';
