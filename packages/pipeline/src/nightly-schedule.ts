import { getNextMillis, Queue } from 'bullmq';
import { ConfigError, type Config } from '@scheduler/core';
import { QUEUE_NAMES, REQUEST_JOB_NAMES, createRedisConnection } from '@scheduler/queue';
import { CHANGE_POLL_JOB_OPTIONS, RETRYING_JOB_OPTIONS } from './job-options';

const NIGHTLY_SCHEDULER_ID = 'nightly-full-runs';
export const CHANGE_POLL_SCHEDULER_ID = 'campaign-change-poll';
/** 02:00 in the configured time zone (America/Chicago by default). */
export const NIGHTLY_CRON = '0 2 * * *';
/** When the nightly job fires, as BullMQ's job scheduler reads it. */
export const nightlyRepeat = (config: Config): { pattern: string; tz: string } => ({ pattern: NIGHTLY_CRON, tz: config.timezone });
/**
 * The nightly job's own retries: what fails it (the organization directory gone, Redis away) is a volume being
 * re-attached or a restart, which takes minutes. 30 s doubling over 7 attempts: tried again for half an hour.
 */
const NIGHTLY_JOB_OPTIONS = { ...RETRYING_JOB_OPTIONS, attempts: 7, backoff: { type: 'exponential', delay: 30_000 } };

/** Nights ahead whose firing a registration checks BullMQ can compute. */
const NIGHTS_CHECKED = 3 * 366;

/**
 * Refuses a zone in which BullMQ cannot compute a night's firing: its job scheduler would add no further nightly
 * job, silently. It happens where clocks fall back at 02:00 by half an hour (Australia/Lord_Howe: cron-parser's
 * "loop limit exceeded"); no US zone does.
 */
const checkNightlyFirings = (config: Config, now: number): void => {
  const repeat = nightlyRepeat(config);
  let firing = now;
  for (let night = 0; night < NIGHTS_CHECKED; night++) {
    const next = getNextMillis(firing, repeat);
    if (next === undefined) {
      throw new ConfigError(
        `timezone ${config.timezone}: BullMQ cannot work out the nightly run's next 02:00 after ` +
          `${new Date(firing).toISOString()} in this zone, and would stop adding nightly runs there; choose another zone`,
        ['timezone'],
      );
    }
    firing = next;
  }
};

/**
 * Registers (or updates) the fleet's job schedulers: the nightly full runs
 * and the campaign-change poll. Upserting at every start is BullMQ's intended
 * pattern, so this is safe to run on every deploy.
 */
export const registerSchedules = async (
  redisUrl: string,
  config: Config,
  options: { changePollEveryMs?: number; prefix?: string; now?: number } = {},
): Promise<{ nightly: string; changePoll: string }> => {
  checkNightlyFirings(config, options.now ?? Date.now());
  const connection = createRedisConnection(redisUrl, 'producer');
  const requests = new Queue(QUEUE_NAMES.requests, {
    connection,
    ...(options.prefix === undefined ? {} : { prefix: options.prefix }),
  });
  try {
    await requests.upsertJobScheduler(
      NIGHTLY_SCHEDULER_ID,
      nightlyRepeat(config),
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
