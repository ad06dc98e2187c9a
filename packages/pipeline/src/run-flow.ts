import type { FlowProducer, Job, JobNode, Queue } from 'bullmq';
import {
  BACKUP_JOB_NAME,
  CHUNK_JOB_NAME,
  FINALIZE_JOB_NAME,
  QUEUE_NAMES,
  type BackupJob,
  type ChunkJob,
  type FinalizeJob,
} from '@scheduler/queue';
import { RETRYING_JOB_OPTIONS } from './job-options';

export interface ChunkRange {
  readonly chunkIndex: number;
  readonly fromId: number;
  readonly toId: number;
}

/** A run's attempts after its first, each a flow of its own (see full-run-requests.ts): `<run id>-retry2`, `-retry3`… */
export const attemptId = (runId: string, attempt: number): string => (attempt === 1 ? runId : `${runId}-retry${attempt}`);
export const finalizeJobId = (runId: string): string => `${runId}-finalize`;
const chunkJobId = (runId: string, chunkIndex: number): string => `${runId}-chunk-${chunkIndex}`;
/** Whether `jobId` names a chunk job of `runId`, of whichever plan of it (an earlier plan may have had more chunks). */
export const isChunkJobOf = (runId: string, jobId: string): boolean =>
  jobId.startsWith(`${runId}-chunk-`) && /^[0-9]+$/.test(jobId.slice(`${runId}-chunk-`.length));
export const backupJobId = (runId: string): string => `${runId}-backup`;

/** A run's backup job: deterministic id, so that adding it again (a flow added twice, a finalizer making sure of it) adds nothing. */
export const addBackupJob = (backups: Queue, run: { runId: string; organization: string }): Promise<Job> => {
  const backup: BackupJob = { runId: run.runId, organization: run.organization };
  return backups.add(BACKUP_JOB_NAME, backup, { ...RETRYING_JOB_OPTIONS, jobId: backupJobId(run.runId) });
};

const removeIfOver = async (queue: Queue, jobId: string): Promise<void> => {
  const state = await queue.getJobState(jobId);
  if (state === 'completed' || state === 'failed') await queue.remove(jobId);
};

/**
 * One run: its backup job, then one BullMQ flow, a finalizer parent over one child per contact range.
 * The backup is no child of the flow: the finalizer starts as soon as the chunks are done and waits for
 * the verified backup only at the end of its commit (see tasks/finalize-run-task.ts), its writes going on while
 * the copy is checked. Every job has a deterministic id, so adding the same run twice adds nothing; a
 * chunk that fails for good fails its parent, which would otherwise wait forever, and a backup that
 * fails for good is recorded for the finalizer (fleet.ts), which then fails too.
 */
export const addRunFlow = async (
  flows: FlowProducer,
  backups: Queue,
  chunks: Queue,
  run: { runId: string; organization: string; chunks: readonly ChunkRange[] },
): Promise<JobNode> => {
  // A run planned again (its finalizer gone from the queue: removed, or cleaned in Bull Board) starts afresh:
  // its plan forgot the earlier backup and chunk results, and jobs of the earlier plan that are over, left under
  // the same ids, would keep the new ones from being added (the new finalizer would wait for no chunk of theirs).
  await removeIfOver(backups, backupJobId(run.runId));
  for (const chunk of run.chunks) await removeIfOver(chunks, chunkJobId(run.runId, chunk.chunkIndex));
  // First, so that it starts while the chunks are computed.
  await addBackupJob(backups, run);
  const finalize: FinalizeJob = { runId: run.runId, organization: run.organization, chunkCount: run.chunks.length };
  return flows.add({
    name: FINALIZE_JOB_NAME,
    queueName: QUEUE_NAMES.finalize,
    data: finalize,
    opts: { ...RETRYING_JOB_OPTIONS, jobId: finalizeJobId(run.runId) },
    children: run.chunks.map((chunk) => {
      const data: ChunkJob = { runId: run.runId, organization: run.organization, ...chunk };
      return {
        name: CHUNK_JOB_NAME,
        queueName: QUEUE_NAMES.chunks,
        data,
        opts: { ...RETRYING_JOB_OPTIONS, jobId: chunkJobId(run.runId, chunk.chunkIndex), failParentOnFailure: true },
      };
    }),
  });
};
