import type { FlowProducer, JobNode } from 'bullmq';
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

export const finalizeJobId = (runId: string): string => `${runId}-finalize`;
export const chunkJobId = (runId: string, chunkIndex: number): string => `${runId}-chunk-${chunkIndex}`;
export const backupJobId = (runId: string): string => `${runId}-backup`;

/**
 * One run as one BullMQ flow: a finalizer parent over one child per contact
 * range and one for the backup, which is thus taken while chunks compute and
 * finished before the commit. Every node has a deterministic id, so adding the same run twice adds
 * nothing; a child that fails for good fails its parent, which would
 * otherwise wait forever.
 */
export const addRunFlow = (
  flows: FlowProducer,
  run: { runId: string; organization: string; chunks: readonly ChunkRange[] },
): Promise<JobNode> => {
  const finalize: FinalizeJob = { runId: run.runId, organization: run.organization, chunkCount: run.chunks.length };
  const backup: BackupJob = { runId: run.runId, organization: run.organization };
  return flows.add({
    name: FINALIZE_JOB_NAME,
    queueName: QUEUE_NAMES.finalize,
    data: finalize,
    opts: { ...RETRYING_JOB_OPTIONS, jobId: finalizeJobId(run.runId) },
    children: [
      {
        name: BACKUP_JOB_NAME,
        queueName: QUEUE_NAMES.chunks,
        data: backup,
        opts: { ...RETRYING_JOB_OPTIONS, jobId: backupJobId(run.runId), failParentOnFailure: true },
      },
      ...run.chunks.map((chunk) => {
        const data: ChunkJob = { runId: run.runId, organization: run.organization, ...chunk };
        return {
          name: CHUNK_JOB_NAME,
          queueName: QUEUE_NAMES.chunks,
          data,
          opts: { ...RETRYING_JOB_OPTIONS, jobId: chunkJobId(run.runId, chunk.chunkIndex), failParentOnFailure: true },
        };
      }),
    ],
  });
};
