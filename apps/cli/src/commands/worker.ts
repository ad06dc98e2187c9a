import type { Command } from 'commander';
import { OrganizationDirectory, createLogger, startFleet } from '@scheduler/pipeline';
import { checkRedisReachable } from '@scheduler/queue';
import { parseThreadCount } from '../arguments';
import type { CliEnv } from '../cli-env';
import { configFrom } from '../config-option';

/** `scheduler worker`: serve the queues until SIGTERM/SIGINT, then finish in-flight work and stop. */
export const registerWorkerCommand = (program: Command, env: () => CliEnv): void => {
  program
    .command('worker')
    .description('serve the fleet queues (organizations from SCHEDULER_ORGS_DIR) until stopped')
    .option('--config <file>', 'configuration file (YAML or JSON); default SCHEDULER_CONFIG')
    .option('--threads <n>', 'compute threads (default SCHEDULER_THREADS, else one per core)', parseThreadCount)
    .action(async (options: { config?: string; threads?: number }) => {
      const { REDIS_URL, SCHEDULER_ORGS_DIR, SCHEDULER_CONFIG, SCHEDULER_THREADS, LOG_LEVEL } = env();
      const config = configFrom(options.config, SCHEDULER_CONFIG);
      const logger = createLogger({ level: LOG_LEVEL, name: 'scheduler-worker' });
      await checkRedisReachable(REDIS_URL);
      const fleet = await startFleet({
        redisUrl: REDIS_URL,
        locator: new OrganizationDirectory(SCHEDULER_ORGS_DIR),
        config,
        threads: options.threads ?? SCHEDULER_THREADS,
        logger,
        prefix: env().SCHEDULER_QUEUE_PREFIX,
      });
      await new Promise<void>((resolve) => {
        let stopping = false;
        const stop = (signal: string): void => {
          if (stopping) {
            // A second signal: stop now; unfinished jobs are handed back as stalled and retried elsewhere.
            logger.warn({ signal }, 'forced stop');
            void fleet.close({ force: true }).then(resolve);
            return;
          }
          stopping = true;
          logger.info({ signal }, 'stopping: finishing jobs in flight');
          void fleet.close().then(resolve);
        };
        process.on('SIGTERM', () => stop('SIGTERM'));
        process.on('SIGINT', () => stop('SIGINT'));
      });
      logger.info('stopped');
    });
};
