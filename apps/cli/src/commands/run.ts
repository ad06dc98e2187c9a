import type { Command } from 'commander';
import { RunClient, SingleDatabase, createLogger, formatRunSummary, fullRunId, todayIn } from '@scheduler/pipeline';
import type { CliEnv } from '../cli-env';
import { configFrom } from '../config-option';
import { chunkProgressBar } from '../progress-bar';
import { parseAsOf } from '../arguments';

interface RunOptions {
  db: string;
  asOf?: string;
  config?: string;
  json?: boolean;
  rerun?: boolean;
  localWorkers: boolean;
}

/** `scheduler run --db FILE`: one full run through the queue, waited for until committed. */
export const registerRunCommand = (program: Command, env: () => CliEnv): void => {
  program
    .command('run')
    .description('one full run of an organization through the queue; exits 0 once committed')
    .requiredOption('--db <file>', 'the organization database')
    .option('--as-of <date>', 'schedule as of this day (YYYY-MM-DD) instead of today', parseAsOf)
    .option('--config <file>', 'configuration file (YAML or JSON)')
    .option('--json', 'print the run summary as JSON on the last line of stdout')
    .option('--rerun', 'run again even when this run (same day and configuration) already completed')
    .option('--no-local-workers', 'never start workers in this process; wait for the fleet')
    .action(async (options: RunOptions) => {
      const { REDIS_URL, SCHEDULER_CONFIG, SCHEDULER_THREADS, LOG_LEVEL } = env();
      const config = configFrom(options.config, SCHEDULER_CONFIG);
      const locator = SingleDatabase.open(options.db);
      const logger = createLogger({ level: LOG_LEVEL, toStderr: true });
      const asOf = options.asOf ?? todayIn(config);
      const client = await RunClient.connect({
        redisUrl: REDIS_URL,
        locator,
        config,
        threads: SCHEDULER_THREADS,
        logger,
        startLocalWorkers: options.localWorkers,
        prefix: env().SCHEDULER_QUEUE_PREFIX,
        subject: { organization: locator.organization, runId: fullRunId(locator.organization, asOf, config) },
      });
      const progress = options.json === true ? null : chunkProgressBar();
      try {
        const summary = await client.fullRun(
          locator.organization,
          { asOf, rerun: options.rerun === true },
          progress?.update,
        );
        progress?.stop();
        process.stdout.write(options.json === true ? `${JSON.stringify(summary)}\n` : `${formatRunSummary(summary)}\n`);
      } finally {
        progress?.stop();
        await client.close();
      }
    });
};
