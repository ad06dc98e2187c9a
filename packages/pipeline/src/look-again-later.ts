import { DelayedError, type Job } from 'bullmq';

/** A waiting job is handed back every few seconds; its log keeps the latest reasons, not all of them. */
const WAIT_LOG_LINES_KEPT = 20;
/** The same reason for the same job is written again only this much later, to say it still holds. */
const SAME_REASON_AGAIN_MS = 60_000;
/** Jobs whose last reason this process remembers; past it the memory starts again. */
const JOBS_REMEMBERED = 1_000;

const lastReasons = new Map<string, { reason: string; at: number }>();

/** Whether to write the reason: not when this process wrote the same one for the job within the last minute. */
const worthWriting = (job: Job, reason: string): boolean => {
  const key = `${job.queueQualifiedName}:${job.id}`;
  const last = lastReasons.get(key);
  const now = Date.now();
  if (last !== undefined && last.reason === reason && now - last.at < SAME_REASON_AGAIN_MS) return false;
  if (last === undefined && lastReasons.size >= JOBS_REMEMBERED) lastReasons.clear();
  lastReasons.set(key, { reason, at: now });
  return true;
};

/**
 * Sends a job in hand back to the queue, delayed by `ms`, without counting an attempt: what it waits for (a lock,
 * a run in flight, its own workers) is no failure of its own. The reason goes to the job's log, where Bull Board
 * and the dashboard's job page show why the job is delayed, once a minute while it holds.
 */
export const lookAgainLater = async (
  job: Job,
  token: string | undefined,
  ms: number,
  reason: string,
  /** Logs the wait in the worker's log; called as seldom as the reason is written. */
  logWait?: () => void,
): Promise<never> => {
  if (worthWriting(job, reason)) {
    logWait?.();
    await job.log(`${new Date().toISOString()} waits ${ms} ms: ${reason}`);
    await job.clearLogs(WAIT_LOG_LINES_KEPT);
  }
  await job.moveToDelayed(Date.now() + ms, token);
  throw new DelayedError();
};
