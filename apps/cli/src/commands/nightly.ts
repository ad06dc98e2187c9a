import type { Command } from 'commander';
import { registerSchedules } from '@scheduler/pipeline';
import { checkRedisReachable } from '@scheduler/queue';
import type { CliEnv } from '../cli-env';
import { configFrom } from '../config-option';

/** `scheduler nightly`: register (or update) the nightly job scheduler and the campaign-change poll. */
export const registerNightlyCommand = (program: Command, env: () => CliEnv): void => {
  program
    .command('nightly')
    .description('register the nightly full runs (02:00 in the configured time zone) with BullMQ')
    .option('--config <file>', 'configuration file (YAML or JSON); default SCHEDULER_CONFIG')
    .action(async (options: { config?: string }) => {
      const { REDIS_URL, SCHEDULER_CONFIG } = env();
      await checkRedisReachable(REDIS_URL);
      const registered = await registerSchedules(REDIS_URL, configFrom(options.config, SCHEDULER_CONFIG), {
        prefix: env().SCHEDULER_QUEUE_PREFIX,
      });
      process.stdout.write(
        `registered: nightly full runs at ${registered.nightly}; campaign changes polled ${registered.changePoll}\n` +
          'workers started with `scheduler worker` carry them out for every database in SCHEDULER_ORGS_DIR\n',
      );
    });
};
