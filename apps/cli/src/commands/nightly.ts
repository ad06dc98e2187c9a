import { registerSchedules } from '@scheduler/pipeline';
import { checkRedisReachable } from '@scheduler/queue';
import { readEnv } from '../cli-env';
import { configFrom } from '../config-option';

export interface NightlyOptions {
  config?: string;
}

/** `scheduler nightly`: register (or update) the nightly job scheduler and the campaign-change poll. */
export const nightlyCommand = async (options: NightlyOptions): Promise<void> => {
  const { REDIS_URL, SCHEDULER_CONFIG, SCHEDULER_QUEUE_PREFIX } = readEnv();
  await checkRedisReachable(REDIS_URL);
  const registered = await registerSchedules(REDIS_URL, configFrom(options.config, SCHEDULER_CONFIG), {
    prefix: SCHEDULER_QUEUE_PREFIX,
  });
  process.stdout.write(
    `registered: nightly full runs at ${registered.nightly}; campaign changes polled ${registered.changePoll}\n` +
      'workers started with `scheduler worker` carry them out for every database in SCHEDULER_ORGS_DIR\n',
  );
};
