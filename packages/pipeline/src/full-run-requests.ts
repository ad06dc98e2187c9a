import type { FlowProducer, Job, JobType, Queue } from 'bullmq';
import type { Config } from '@scheduler/core';
import { FullRunJobSchema, parseJobData } from '@scheduler/queue';
import type { FleetContext } from './fleet-context';
import { lookAgainLater } from './look-again-later';
import { holdPlanningLock } from './planning-lock';
import { configOfPayload, filesOf, refuseAnotherFile } from './request-inputs';
import type { RequestOutcome } from './request-outcome';
import { addRunFlow, attemptId, backupJobId, finalizeJobId, isChunkJobOf } from './run-flow';
import { fullRunId, todayIn } from './run-identity';
import { unwrapTaskResult } from './task-errors';
import { fullRunIdOfRequest } from './request-run-ids';
import type { PlanRunResult } from './thread-tasks';

/** What planning a full run comes to: a request's outcome, or a completed run whose inputs changed since. */
type PlannedFullRun = RequestOutcome | ({ runId: string } & Extract<PlanRunResult, { status: 'inputs-changed' }>);

/** The queues a full run's flow goes to. */
export interface RunFlowQueues {
  readonly flows: FlowProducer;
  readonly backups: Queue;
  readonly chunks: Queue;
  readonly finalizers: Queue;
}

/**
 * States of a job that is not over: it runs, or will. A finalizer in one of them is a run under way (its chunks
 * computing or done, itself waiting or working); a backup or chunk job, an earlier plan's still at work.
 */
const NOT_OVER_STATES: readonly JobType[] = ['waiting-children', 'waiting', 'prioritized', 'delayed', 'active'];
const isNotOver = (state: string | null): boolean => state !== null && (NOT_OVER_STATES as readonly string[]).includes(state);

/** How long a full-run request waits while a backup or chunk job of an earlier plan of the same run id is still to end. */
const EARLIER_JOB_WAIT_MS = 1_000;

/**
 * A run about to be planned again under its own id (its finalizer gone: removed or cleaned in Bull Board) whose
 * earlier plan's backup or chunk job has not ended. Planning now would drop that backup's outcome from the
 * staging file and add no backup of its own (the id is taken), leaving the new finalizer waiting for a backup
 * that never comes. A chunk job would be taken into the new flow (BullMQ gives an existing job under a child's id
 * the new parent), and its result, computed from what it read before the new plan, committed by it.
 */
class EarlierJobNotOverError extends Error {
  override readonly name = 'EarlierJobNotOverError';
}

/** The run a request asks for: `stableRunId` names it whatever attempt or run again answers it. */
interface RunAsked {
  readonly organization: string;
  readonly stableRunId: string;
  readonly asOf: string;
  readonly runConfig: Config;
  /** The request job, and who its data says asked (the CLI, the dashboard's user, the nightly job, a service). */
  readonly askedBy: { readonly jobId: string; readonly requestedBy?: string };
}

/** How long a full-run request waits while another request plans the same run. */
const PLANNING_BUSY_MS = 250;

/** Answers a request for a full run: planned, found in flight, or answered by the run that completed. */
export const fullRunRequests = (fleet: FleetContext, queues: RunFlowQueues) => {
  const { pool, locator, config, logger } = fleet;

  /** Plans the run on a compute thread (see tasks/plan-run-task.ts), or answers for it. */
  const planTask = async (asked: RunAsked, plan: { runId: string; rerun: boolean; flowTaken: boolean }) =>
    unwrapTaskResult(
      await pool.run({
        kind: 'plan-run',
        files: filesOf(locator, asked.organization),
        runId: plan.runId,
        stableRunId: asked.stableRunId,
        asOf: asked.asOf,
        configJson: JSON.stringify(asked.runConfig),
        rerun: plan.rerun,
        flowTaken: plan.flowTaken,
        log: fleet.logContext(plan.runId, asked.organization),
      }),
    );

  const finalizerStateOf = async (runId: string): Promise<string | null> => {
    const finalizer = await queues.finalizers.getJob(finalizeJobId(runId));
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
   * Refuses to plan `runId` afresh while a backup or chunk job under its ids is not over: an earlier plan's (its
   * finalizer removed by hand while the backup ran, or cleaned once failed while its other chunks ran, or the
   * backup's process slow to end under load). Once they have ended, the plan removes them and adds the run's own
   * (addRunFlow). The chunk ids are looked for in the chunks queue (ids only, not the jobs' data), not counted:
   * the earlier plan may have had more chunks than the new one.
   */
  const refuseWhileEarlierJobsRun = async (runId: string): Promise<void> => {
    const state = await queues.backups.getJobState(backupJobId(runId));
    if (isNotOver(state)) {
      throw new EarlierJobNotOverError(`the backup job of an earlier plan of run ${runId} is ${state}; the run is planned again once it has ended`);
    }
    const chunkIds = (await queues.chunks.getRanges([...NOT_OVER_STATES], 0, -1)).filter((jobId) => isChunkJobOf(runId, jobId));
    if (chunkIds.length > 0) {
      // A large organization has hundreds of chunks: a few ids say which.
      const named = chunkIds.length > 3 ? `${chunkIds.slice(0, 3).join(', ')}… (${chunkIds.length} in all)` : chunkIds.join(', ');
      throw new EarlierJobNotOverError(`a chunk job of an earlier plan of run ${runId} is not over (${named}); the run is planned again once it has ended`);
    }
  };

  /**
   * Plans a full run and adds its flow, unless it is in flight or completed already. An earlier flow of the
   * run that failed for good, or completed for a file that no longer holds the run, keeps its job ids (ops
   * inspect it in Bull Board), and a flow added under them would add nothing: the run is then planned as its
   * next attempt, under an id of its own (RULES.md §10: a retry completes the run).
   */
  const planFullRun = async (asked: RunAsked, runId: string, rerun: boolean): Promise<PlannedFullRun> => {
    const { organization } = asked;
    const latest = await latestAttempt(runId);
    const latestId = attemptId(runId, latest.attempt);
    const log = logger.child({ runId: latestId, organization });
    // Planning again would throw away the chunk results staged so far, and the flow, whose ids exist, would
    // not be added again: a run whose finalizer is waiting or working is left to it.
    if (isNotOver(latest.finalizerState)) {
      log.info({ finalizerState: latest.finalizerState }, 'run already in flight; nothing to do');
      return { runId: latestId, status: 'in-flight' };
    }
    let planId = latestId;
    // Without a finalizer, the plan is made under ids an earlier plan may have used: planned afresh.
    if (latest.finalizerState === null) await refuseWhileEarlierJobsRun(latestId);
    let plan = await planTask(asked, { runId: latestId, rerun, flowTaken: latest.finalizerState !== null });
    if (plan.status === 'flow-taken') {
      planId = attemptId(runId, latest.attempt + 1);
      log.info({ finalizerState: latest.finalizerState, nextAttempt: planId }, 'this attempt of the run is over and did not commit here; planning the next');
      // Its finalizer does not exist (latestAttempt looked): the plan cannot find its ids taken.
      await refuseWhileEarlierJobsRun(planId);
      plan = await planTask(asked, { runId: planId, rerun, flowTaken: false });
    }
    if (plan.status === 'already-completed') logger.info({ runId: planId, organization }, 'run already completed; nothing to do');
    if (plan.status === 'flow-taken') throw new Error(`run ${planId}: its job ids are taken`);
    if (plan.status !== 'planned') return { runId: planId, ...plan };
    await addRunFlow(queues.flows, queues.backups, queues.chunks, { runId: planId, organization, chunks: plan.chunks });
    logger.info({ runId: planId, organization, chunks: plan.chunks.length, contactRows: plan.contactRows, ...asked.askedBy }, 'run planned');
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
  const runPlannedEarlier = async (job: Job, asked: RunAsked): Promise<RequestOutcome | null> => {
    const progress = job.progress as { runId?: unknown; attemptsMade?: unknown } | number;
    if (typeof progress !== 'object' || typeof progress.runId !== 'string' || progress.attemptsMade !== job.attemptsMade) return null;
    const runId = progress.runId;
    const finalizerState = await finalizerStateOf(runId);
    if (isNotOver(finalizerState)) return { runId, status: 'in-flight' };
    if (finalizerState !== 'completed') return null;
    const answer = await planTask(asked, { runId, rerun: false, flowTaken: true });
    if (answer.status !== 'already-completed' && answer.status !== 'inputs-changed') return null;
    logger.info({ runId, organization: asked.organization, jobId: job.id }, 'the request was taken again after its run was planned; that run answers it');
    return { runId, status: 'already-completed', summary: answer.summary };
  };

  return async (job: Job, token?: string): Promise<RequestOutcome> => {
    const request = parseJobData(FullRunJobSchema, job.data, job.name);
    refuseAnotherFile(filesOf(locator, request.organization), request.databaseFile);
    const runConfig = request.config === undefined ? config : configOfPayload(request.config, job);
    const asOf = request.asOf ?? todayIn(runConfig, fleet.now());
    const stableId = fullRunId(request.organization, asOf, runConfig);
    const release = await holdPlanningLock(fleet.redis, fleet.prefix, stableId);
    if (release === null) {
      // Another request is planning this run: look again once it has (then in flight, or completed).
      return lookAgainLater(job, token, PLANNING_BUSY_MS, 'another request is planning this run');
    }
    try {
      const askedBy = { jobId: job.id!, ...(request.requestedBy === undefined ? {} : { requestedBy: request.requestedBy }) };
      const asked: RunAsked = { organization: request.organization, stableRunId: stableId, asOf, runConfig, askedBy };
      const earlier = await runPlannedEarlier(job, asked);
      if (earlier !== null) return earlier;
      // A rerun is a run of its own, named after the request that asked for it.
      const runId = fullRunIdOfRequest(stableId, request.rerun === true, job.id!);
      try {
        const planned = await planFullRun(asked, runId, request.rerun === true);
        if (planned.status !== 'inputs-changed') return await plannedFor(job, planned);
        // The same run completed, but what it read has changed since: a run of its own, named after the inputs it
        // reads, so that asking again before they change again still runs once. Should they change again
        // meanwhile, the run it names is this request's all the same.
        const changedId = `${stableId}-g${planned.generation ?? `x${job.timestamp.toString(36)}`}`;
        logger.info({ runId: changedId, organization: request.organization, completedRunId: runId }, 'inputs changed since the run completed; running again');
        const again = await planFullRun(asked, changedId, false);
        return again.status === 'inputs-changed'
          ? { runId: changedId, status: 'already-completed', summary: again.summary }
          : await plannedFor(job, again);
      } catch (error) {
        if (!(error instanceof EarlierJobNotOverError)) throw error;
        // Nothing was planned: the request looks again once the job has had time to end (not an attempt).
        return await lookAgainLater(job, token, EARLIER_JOB_WAIT_MS, error.message, () =>
          logger.info({ runId, organization: request.organization, jobId: job.id }, 'planning waits for a job of an earlier plan of this run to end'),
        );
      }
    } finally {
      await release();
    }
  };
};
