import type { Command } from 'commander';

/** `scheduler migrate --db FILE`: create or upgrade an organization database, additively. */
export const registerMigrateCommand = (program: Command): void => {
  program
    .command('migrate')
    .description('create or upgrade an organization database (additive: nothing is dropped or rewritten)')
    .requiredOption('--db <file>', 'the organization database')
    .action(async (options: { db: string }) => {
      // The db package is imported by the commands that use it: every other command would pay its import.
      const { migrateOrganizationDb } = await import('@scheduler/db');
      const report = migrateOrganizationDb(options.db);
      const lines = [
        report.applied.length === 0 ? `${options.db}: up to date` : `${options.db}: applied ${report.applied.join(', ')}`,
        ...report.addedColumns.map((column) => `  added column ${column}`),
        ...report.equivalentIndexesKept.map((index) => `  kept an equivalent existing index for ${index}`),
      ];
      process.stdout.write(`${lines.join('\n')}\n`);
    });
};
