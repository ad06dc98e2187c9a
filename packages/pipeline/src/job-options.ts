import type { JobsOptions } from 'bullmq';

const DAY_SECONDS = 24 * 60 * 60;

/**
 * Retries with exponential backoff for what may pass (a locked database, a
 * lost connection); malformed jobs fail at once through UnrecoverableError.
 * Finished jobs are kept long enough for ops to inspect and rerun them.
 */
export const RETRYING_JOB_OPTIONS: JobsOptions = {
  attempts: 4,
  backoff: { type: 'exponential', delay: 2_000 },
  removeOnComplete: { age: 7 * DAY_SECONDS, count: 5_000 },
  removeOnFail: { age: 30 * DAY_SECONDS },
};
