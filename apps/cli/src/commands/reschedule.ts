import type { Command } from 'commander';
import { RunClient, SingleDatabase, createLogger, formatRunSummary } from '@scheduler/pipeline';
import { parseAsOf, parseContactId } from '../arguments';
import type { CliEnv } from '../cli-env';
import { configFrom } from '../config-option';

interface RescheduleOptions {
  db: string;
  contact: number[];
  asOf?: string;
  config?: string;
  json?: boolean;
  localWorkers: boolean;
}

/** `scheduler reschedule --db FILE --contact ID...`: a targeted reschedule through the queue. */
export const registerRescheduleCommand = (program: Command, env: () => CliEnv): void => {
  program
    .command('reschedule')
    .description('reschedule some contacts through the queue; exits 0 once committed')
    .requiredOption('--db <file>', 'the organization database')
    .requiredOption('--contact <id...>', 'contact ids to reschedule', parseContactId)
    .option('--as-of <date>', 'schedule as of this day (YYYY-MM-DD) instead of today', parseAsOf)
    .option('--config <file>', 'configuration file (YAML or JSON)')
    .option('--json', 'print the summary as JSON on the last line of stdout')
    .option('--no-local-workers', 'never start workers in this process; wait for the fleet')
    .action(async (options: RescheduleOptions) => {
      const { REDIS_URL, SCHEDULER_CONFIG, SCHEDULER_THREADS, LOG_LEVEL } = env();
      const locator = SingleDatabase.open(options.db);
      const client = await RunClient.connect({
        redisUrl: REDIS_URL,
        locator,
        config: configFrom(options.config, SCHEDULER_CONFIG),
        threads: Math.min(SCHEDULER_THREADS, 2),
        logger: createLogger({ level: LOG_LEVEL, toStderr: true }),
        startLocalWorkers: options.localWorkers,
        prefix: env().SCHEDULER_QUEUE_PREFIX,
        subject: { organization: locator.organization },
      });
      try {
        const summary = await client.rescheduleContacts(locator.organization, options.contact, options.asOf);
        process.stdout.write(options.json === true ? `${JSON.stringify(summary)}\n` : `${formatRunSummary(summary)}\n`);
      } finally {
        await client.close();
      }
    });
};
