import { Command } from 'commander';
import { parseAsOf, parseContactId, parseInteger, parsePort, parseThreadCount, parseWholeNumber } from './arguments';
import type { DashboardOptions } from './commands/dashboard';
import type { DemoOptions } from './commands/demo';
import type { MigrateOptions } from './commands/migrate';
import type { NightlyOptions } from './commands/nightly';
import type { RescheduleOptions } from './commands/reschedule';
import type { RunOptions } from './commands/run';
import type { SeedOptions } from './commands/seed';
import type { WorkerOptions } from './commands/worker';

/**
 * The `scheduler` command line: names, options, help and argument checks.
 * Each action imports its command module when it runs: those modules load
 * bullmq, ioredis, SQLite, pino and the pipeline (2+ s of CPU), which help,
 * a bad argument and every other command must not pay for.
 */
export const createProgram = (): Command => {
  const program = new Command('scheduler')
    .description('schedules birthday, anniversary, enrollment, campaign and follow-up emails')
    // No help text or suggestion after an error: the output ends with the one line that says what is wrong (CONTRACT.md).
    .exitOverride()
    .showSuggestionAfterError(false);

  program
    .command('migrate')
    .description('create or upgrade an organization database (additive: nothing is dropped or rewritten)')
    .requiredOption('--db <file>', 'the organization database')
    .action(async (options: MigrateOptions) => (await import('./commands/migrate')).migrateCommand(options));

  program
    .command('seed')
    .description('create a database filled with realistic synthetic data (deterministic for a seed and day)')
    .requiredOption('--db <file>', 'the organization database to create')
    .requiredOption('--contacts <n>', 'how many contacts', parseWholeNumber)
    .option('--seed <int>', 'random seed', (value) => parseInteger(value), 1)
    .option('--as-of <date>', 'date the history around this day (YYYY-MM-DD) instead of today', parseAsOf)
    .action(async (options: SeedOptions) => (await import('./commands/seed')).seedCommand(options));

  program
    .command('run')
    .description('one full run of an organization through the queue; exits 0 once committed')
    .requiredOption('--db <file>', 'the organization database')
    .option('--as-of <date>', 'schedule as of this day (YYYY-MM-DD) instead of today', parseAsOf)
    .option('--config <file>', 'configuration file (YAML or JSON)')
    .option('--json', 'print the run summary as JSON on the last line of stdout')
    .option('--rerun', 'run again even when this run (same day and configuration) already completed')
    .option('--no-local-workers', 'never start workers in this process; wait for the fleet')
    .action(async (options: RunOptions) => (await import('./commands/run')).runCommand(options));

  program
    .command('reschedule')
    .description('reschedule some contacts through the queue; exits 0 once committed')
    .requiredOption('--db <file>', 'the organization database')
    .requiredOption('--contact <id...>', 'contact ids to reschedule', parseContactId)
    .option('--as-of <date>', 'schedule as of this day (YYYY-MM-DD) instead of today', parseAsOf)
    .option('--config <file>', 'configuration file (YAML or JSON)')
    .option('--json', 'print the summary as JSON on the last line of stdout')
    .option('--no-local-workers', 'never start workers in this process; wait for the fleet')
    .action(async (options: RescheduleOptions) => (await import('./commands/reschedule')).rescheduleCommand(options));

  program
    .command('worker')
    .description('serve the fleet queues (organizations from SCHEDULER_ORGS_DIR) until stopped')
    .option('--config <file>', 'configuration file (YAML or JSON); default SCHEDULER_CONFIG')
    .option('--threads <n>', 'compute threads (default SCHEDULER_THREADS, else one per core)', parseThreadCount)
    .action(async (options: WorkerOptions) => (await import('./commands/worker')).workerCommand(options));

  program
    .command('nightly')
    .description('register the nightly full runs (02:00 in the configured time zone) with BullMQ')
    .option('--config <file>', 'configuration file (YAML or JSON); default SCHEDULER_CONFIG')
    .action(async (options: NightlyOptions) => (await import('./commands/nightly')).nightlyCommand(options));

  program
    .command('demo')
    .description('generate a demo organization, schedule it through the queue, print the summary')
    .option('--contacts <n>', 'contacts in the demo organization', parseWholeNumber, 50_000)
    .option('--directory <dir>', 'where the demo database is written', '.data/demo')
    .action(async (options: DemoOptions) => (await import('./commands/demo')).demoCommand(options));

  program
    .command('dashboard')
    .description('serve the ops web UI: Bull Board and the schedule views (DASHBOARD_HOST, default 127.0.0.1)')
    .option('--config <file>', 'configuration file (YAML or JSON); default SCHEDULER_CONFIG')
    .option('--host <address>', 'listen address (default DASHBOARD_HOST); a public one needs DASHBOARD_USER/DASHBOARD_PASSWORD')
    .option('--port <n>', 'port (default DASHBOARD_PORT, 8080)', parsePort)
    .option('--read-only', 'hide and refuse every action (default DASHBOARD_READ_ONLY)')
    .action(async (options: DashboardOptions) => (await import('./commands/dashboard')).dashboardCommand(options));

  return program;
};
