import { DelayedError, type Job } from 'bullmq';

/** A waiting job is handed back every few seconds; its log keeps the latest reasons, not all of them. */
const WAIT_LOG_LINES_KEPT = 20;

/**
 * Sends a job in hand back to the queue, delayed by `ms`, without counting an attempt: what it waits for (a lock,
 * a run in flight, its own workers) is no failure of its own. The reason goes to the job's log, where Bull Board
 * and the dashboard's job page show why the job is delayed.
 */
export const lookAgainLater = async (job: Job, token: string | undefined, ms: number, reason: string): Promise<never> => {
  await job.log(`${new Date().toISOString()} waits ${ms} ms: ${reason}`);
  await job.clearLogs(WAIT_LOG_LINES_KEPT);
  await job.moveToDelayed(Date.now() + ms, token);
  throw new DelayedError();
};
