import type Database from 'better-sqlite3';
import { indexesOf, quoteIdentifier } from '../migrate/schema-inspection';
import { isOurScheduleTrigger } from './schedule-triggers';

export const SCHEDULE_TABLE = 'email_schedules';
export const REBUILD_TABLE = 'email_schedules_rebuild';

export interface ScheduleTableShape {
  /** The table's CREATE statement renamed to REBUILD_TABLE, or null when it cannot be read that way. */
  readonly rebuildCreateSql: string | null;
  /** CREATE INDEX statements of indexes that must exist while rows go in (UNIQUE, not partial). */
  readonly uniqueIndexSql: readonly string[];
  /** The other CREATE INDEX statements: built once, after the bulk insert. */
  readonly laterIndexSql: readonly string[];
  /** Why the table cannot be rebuilt and swapped, or null when it can. */
  readonly rebuildRefusal: string | null;
  /** The columns a copy of the rows writes, quoted: all but generated ones, which the copy computes again. */
  readonly copiedColumns: string;
}

const CREATE_TABLE_NAME = /^(CREATE\s+TABLE\s+)(?:"email_schedules"|`email_schedules`|\[email_schedules\]|email_schedules)(?=\s*\()/i;

/**
 * What rebuilding `email_schedules` under its own definition needs, read
 * from the file (a table made by another system keeps its extra columns,
 * indexes and constraints). A table with triggers, or that another table
 * references by foreign key, is never rebuilt: dropping it would skip the
 * triggers or break the references.
 */
export const readScheduleTableShape = (sqlite: Database.Database): ScheduleTableShape => {
  const createSql = sqlite
    .prepare(`SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?`)
    .pluck()
    .get(SCHEDULE_TABLE) as string | undefined;
  const rebuildCreateSql =
    createSql !== undefined && CREATE_TABLE_NAME.test(createSql)
      ? createSql.replace(CREATE_TABLE_NAME, `$1${quoteIdentifier(REBUILD_TABLE)}`)
      : null;
  const indexSql = new Map(
    (
      sqlite
        .prepare(`SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL`)
        .raw()
        .all(SCHEDULE_TABLE) as [string, string][]
    ).map(([name, sql]) => [name, sql]),
  );
  const uniqueIndexSql: string[] = [];
  const laterIndexSql: string[] = [];
  for (const index of indexesOf(sqlite, SCHEDULE_TABLE)) {
    const sql = indexSql.get(index.name);
    if (sql === undefined) continue; // a constraint's index: the CREATE TABLE makes it
    (index.unique && !index.partial ? uniqueIndexSql : laterIndexSql).push(sql);
  }
  // Ours are suspended before a rebuild and re-created after it (schedule-triggers.ts).
  const triggers = (
    sqlite.prepare(`SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = ?`).pluck().all(SCHEDULE_TABLE) as string[]
  ).filter((name) => !isOurScheduleTrigger(name)).length;
  const tables = sqlite.prepare(`SELECT name FROM sqlite_master WHERE type = 'table'`).pluck().all() as string[];
  const referencing = tables.filter((table) =>
    (sqlite.prepare(`SELECT "table" FROM pragma_foreign_key_list(?)`).pluck().all(table) as string[]).some(
      (parent) => parent.toLowerCase() === SCHEDULE_TABLE,
    ),
  );
  const rebuildRefusal =
    rebuildCreateSql === null
      ? 'its CREATE TABLE statement has an unexpected form'
      : triggers > 0
        ? 'it has triggers'
        : referencing.length > 0
          ? `foreign keys of ${referencing.join(', ')} reference it`
          : null;
  const copiedColumns = (
    sqlite.prepare(`SELECT name FROM pragma_table_xinfo(?) WHERE hidden = 0`).pluck().all(SCHEDULE_TABLE) as string[]
  )
    .map(quoteIdentifier)
    .join(', ');
  return { rebuildCreateSql, uniqueIndexSql, laterIndexSql, rebuildRefusal, copiedColumns };
};
