import { DelayedError, type Job } from 'bullmq';

/**
 * Sends a job in hand back to the queue, delayed by `ms`, without counting an attempt: what it waits for (a lock,
 * a run in flight, its own workers) is no failure of its own.
 */
export const lookAgainLater = async (job: Job, token: string | undefined, ms: number): Promise<never> => {
  await job.moveToDelayed(Date.now() + ms, token);
  throw new DelayedError();
};
