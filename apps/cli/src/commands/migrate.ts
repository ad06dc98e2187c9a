import { migrateOrganizationDb } from '@scheduler/db';

export interface MigrateOptions {
  db: string;
}

/** `scheduler migrate --db FILE`: create or upgrade an organization database, additively. */
export const migrateCommand = async (options: MigrateOptions): Promise<void> => {
  const report = migrateOrganizationDb(options.db);
  const lines = [
    report.applied.length === 0 ? `${options.db}: up to date` : `${options.db}: applied ${report.applied.join(', ')}`,
    ...report.addedColumns.map((column) => `  added column ${column}`),
    ...report.equivalentIndexesKept.map((index) => `  kept an equivalent existing index for ${index}`),
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
};
