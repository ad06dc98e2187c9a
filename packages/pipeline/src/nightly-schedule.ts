import { Queue } from 'bullmq';
import type { Config } from '@scheduler/core';
import { QUEUE_NAMES, REQUEST_JOB_NAMES, createRedisConnection } from '@scheduler/queue';
import { CHANGE_POLL_JOB_OPTIONS, RETRYING_JOB_OPTIONS } from './job-options';

const NIGHTLY_SCHEDULER_ID = 'nightly-full-runs';
export const CHANGE_POLL_SCHEDULER_ID = 'campaign-change-poll';
/** 02:00 in the configured time zone (America/Chicago by default). */
export const NIGHTLY_CRON = '0 2 * * *';
/**
 * The nightly job's own retries: what fails it (the organization directory gone, Redis away) is a volume being
 * re-attached or a restart, which takes minutes. 30 s doubling over 7 attempts: tried again for half an hour.
 */
const NIGHTLY_JOB_OPTIONS = { ...RETRYING_JOB_OPTIONS, attempts: 7, backoff: { type: 'exponential', delay: 30_000 } };

/**
 * Registers (or updates) the fleet's job schedulers: the nightly full runs
 * and the campaign-change poll. Upserting at every start is BullMQ's intended
 * pattern, so this is safe to run on every deploy.
 */
export const registerSchedules = async (
  redisUrl: string,
  config: Config,
  options: { changePollEveryMs?: number; prefix?: string } = {},
): Promise<{ nightly: string; changePoll: string }> => {
  const connection = createRedisConnection(redisUrl, 'producer');
  const requests = new Queue(QUEUE_NAMES.requests, {
    connection,
    ...(options.prefix === undefined ? {} : { prefix: options.prefix }),
  });
  try {
    await requests.upsertJobScheduler(
      NIGHTLY_SCHEDULER_ID,
      { pattern: NIGHTLY_CRON, tz: config.timezone },
      { name: REQUEST_JOB_NAMES.nightly, data: {}, opts: NIGHTLY_JOB_OPTIONS },
    );
    await requests.upsertJobScheduler(
      CHANGE_POLL_SCHEDULER_ID,
      { every: options.changePollEveryMs ?? 60_000 },
      { name: REQUEST_JOB_NAMES.pollChanges, data: {}, opts: CHANGE_POLL_JOB_OPTIONS },
    );
    return { nightly: `${NIGHTLY_CRON} ${config.timezone}`, changePoll: `every ${options.changePollEveryMs ?? 60_000} ms` };
  } finally {
    await requests.close();
    connection.disconnect();
  }
};

/**
 * When the nightly full runs fire next; null when they are not registered: never, or lost with Redis's data (a
 * restart without persistence), after which no night runs until `scheduler nightly` registers them again.
 */
export const nightlyRegistration = async (requests: Queue): Promise<{ next: Date | null } | null> => {
  const scheduler = await requests.getJobScheduler(NIGHTLY_SCHEDULER_ID);
  if (scheduler === undefined) return null;
  return { next: scheduler.next === undefined ? null : new Date(scheduler.next) };
};
