import type { FlowProducer, JobNode } from 'bullmq';
import { CHUNK_JOB_NAME, FINALIZE_JOB_NAME, QUEUE_NAMES, type ChunkJob, type FinalizeJob } from '@scheduler/queue';
import { RETRYING_JOB_OPTIONS } from './job-options';

export interface ChunkRange {
  readonly chunkIndex: number;
  readonly fromId: number;
  readonly toId: number;
}

export const finalizeJobId = (runId: string): string => `${runId}-finalize`;
export const chunkJobId = (runId: string, chunkIndex: number): string => `${runId}-chunk-${chunkIndex}`;

/**
 * One run as one BullMQ flow: a finalizer parent over one child per contact
 * range. Every node has a deterministic id, so adding the same run twice adds
 * nothing; a child that fails for good fails its parent, which would
 * otherwise wait forever.
 */
export const addRunFlow = (
  flows: FlowProducer,
  run: { runId: string; organization: string; chunks: readonly ChunkRange[] },
): Promise<JobNode> => {
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
