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

/**
 * Polls of the change log, one a minute (and one per organization another fleet serves): kept, they would fill
 * the requests queue's kept completions (5,000) in days and push out the records of runs and reschedules, which
 * ops look at in Bull Board. A completed poll is not kept (the reschedules it asked for are). BullMQ trims by
 * count or age queue-wide, so a count or age of the polls' own would trim the others' records too. A failed one
 * is kept, as any failed job; it is not tried again, as the next poll comes within the minute.
 */
export const CHANGE_POLL_JOB_OPTIONS: JobsOptions = { ...RETRYING_JOB_OPTIONS, attempts: 1, removeOnComplete: true };
