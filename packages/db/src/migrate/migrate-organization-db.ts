import { readFileSync } from 'node:fs';
import { getTableColumns, getTableName } from 'drizzle-orm';
import { readMigrationFiles } from 'drizzle-orm/migrator';
import { DatabaseConstraintError, DatabaseMigrationError, translateSqliteError, withDatabaseErrors } from '../connection/database-errors';
import { openOrganizationDb, type OrganizationDb } from '../connection/open-organization-db';
import { inWriteTransaction } from '../connection/transaction';
import { parseMigrationStatement, type ColumnDefinition, type MigrationStatement } from './migration-statement';
import { MIGRATIONS_FOLDER } from './migrations-folder';
import { columnNamesOf, indexesOf, indexExists, quoteIdentifier, tableExists, type IndexShape } from './schema-inspection';
import { INSERTED_COLUMNS } from '../write/schedule-statements';
import { SCHEDULE_TABLE } from '../write/schedule-table-shape';
import { configVersions } from '../schema/config-versions';
import { schedulerCheckpoints } from '../schema/scheduler-checkpoints';

/** drizzle-orm's own bookkeeping table and shape, so drizzle-kit tooling sees the same history. */
const MIGRATIONS_TABLE = '__drizzle_migrations';

export interface MigrationReport {
  /** Tags of the migrations applied now (e.g. `0000_contract_tables`). */
  readonly applied: readonly string[];
  /** `table.column` added to tables that already existed. */
  readonly addedColumns: readonly string[];
  /** Indexes not created because an equivalent one (same table, columns and uniqueness) already exists. */
  readonly equivalentIndexesKept: readonly string[];
}

/**
 * SQLite's ADD COLUMN refuses PRIMARY KEY and UNIQUE columns, and NOT NULL
 * without a default (the existing rows would break it). Such a contract
 * column missing from a foreign table is added as a plain nullable column:
 * additive, and the rows already there stay as they are.
 */
const addableDefinition = (column: ColumnDefinition): string | null => {
  if (/\bPRIMARY\s+KEY\b/i.test(column.definition)) return null;
  let definition = column.definition.replace(/\bUNIQUE\b/gi, '');
  if (/\bNOT\s+NULL\b/i.test(definition) && !/\bDEFAULT\b/i.test(definition)) {
    definition = definition.replace(/\bNOT\s+NULL\b/gi, '');
  }
  return definition.replace(/\s+/g, ' ').trim();
};

/**
 * A full run replaces every `pre-scheduled` row: rows of another system
 * without a status would take the column's default, `pre-scheduled`, and be
 * replaced (sent emails lost, or sent twice). Such a table must get its
 * statuses first.
 */
const refuseRowsWithoutStatus = (db: OrganizationDb, present: ReadonlySet<string>): void => {
  if (present.has('status')) return;
  const rows = db.sqlite.prepare(`SELECT count(*) FROM ${quoteIdentifier(SCHEDULE_TABLE)}`).pluck().get() as number;
  if (rows === 0) return;
  throw new DatabaseMigrationError(
    `${SCHEDULE_TABLE} holds ${rows} row${rows === 1 ? '' : 's'} but no status column: they would all become pre-scheduled rows, which every run ` +
      'replaces; give the table a status column with the rows\' own statuses (sent, delivered, …) first',
  );
};

const CONTACTS_TABLE = 'contacts';

interface ColumnInfo {
  name: string;
  type: string;
  required: number;
  fallback: string | null;
  pk: number;
  hidden: number;
}

const columnsOf = (db: OrganizationDb, table: string): ColumnInfo[] =>
  db.sqlite
    .prepare(`SELECT name, type, "notnull" AS required, dflt_value AS fallback, pk, hidden FROM pragma_table_xinfo(?)`)
    .all(table) as ColumnInfo[];

const hasIntegerIdKey = (columns: readonly ColumnInfo[]): boolean => {
  const keys = columns.filter((column) => column.pk > 0);
  return keys.length === 1 && keys[0]!.name.toLowerCase() === 'id' && keys[0]!.type.toUpperCase() === 'INTEGER';
};

/** CONTRACT.md's `contacts(id INTEGER PRIMARY KEY, …)`: runs split contacts into chunks by ranges of that id. */
const refuseContactsWithoutIntegerIds = (db: OrganizationDb): void => {
  if (hasIntegerIdKey(columnsOf(db, CONTACTS_TABLE))) return;
  throw new DatabaseMigrationError(
    `${CONTACTS_TABLE}.id is not its INTEGER PRIMARY KEY: the scheduler reads contacts by ranges of integer ids (CONTRACT.md)`,
  );
};

/**
 * Tables made elsewhere that the scheduler adds rows to, and the columns it gives values. A column of their own
 * that is NOT NULL without a default would refuse every row the scheduler writes (CONTRACT.md: extra columns are
 * ignored, so they must be able to stay empty).
 */
const WRITTEN_TABLES: readonly { table: string; written: readonly string[] }[] = [
  { table: SCHEDULE_TABLE, written: INSERTED_COLUMNS },
  { table: getTableName(schedulerCheckpoints), written: Object.values(getTableColumns(schedulerCheckpoints)).map((column) => column.name) },
  { table: getTableName(configVersions), written: Object.values(getTableColumns(configVersions)).map((column) => column.name) },
];

const refuseColumnsWithoutValues = (db: OrganizationDb, table: string, written: readonly string[]): void => {
  const names = new Set(written.map((name) => name.toLowerCase()));
  const unwritable = columnsOf(db, table).filter(
    (column) => column.required === 1 && column.fallback === null && column.pk === 0 && column.hidden === 0 && !names.has(column.name.toLowerCase()),
  );
  if (unwritable.length === 0) return;
  throw new DatabaseMigrationError(
    `${table}.${unwritable.map((column) => column.name).join(`, ${table}.`)} NOT NULL without a default: ` +
      'the scheduler writes no value there, so every row it writes would be refused; give the column a default first',
  );
};

/**
 * Tables made elsewhere that the scheduler's writes cannot work on: an `email_schedules.id` that is not the
 * INTEGER PRIMARY KEY (the writes find rows by it, and new rows would get no id), or a column that would
 * refuse the rows the scheduler writes.
 */
const refuseUnwritableTables = (db: OrganizationDb): void => {
  if (!hasIntegerIdKey(columnsOf(db, SCHEDULE_TABLE))) {
    throw new DatabaseMigrationError(
      `${SCHEDULE_TABLE}.id is not its INTEGER PRIMARY KEY: the scheduler finds its rows by id, and rows it writes would have none`,
    );
  }
  for (const { table, written } of WRITTEN_TABLES) refuseColumnsWithoutValues(db, table, written);
};

type IndexStatement = Extract<MigrationStatement, { kind: 'create-index' }>;

const sameKey = (index: IndexShape, statement: IndexStatement): boolean =>
  index.unique === statement.unique &&
  index.columns.length === statement.columns.length &&
  index.columns.every((column, i) => column === statement.columns[i]);

/**
 * Drops an index only where it is the one a migration made: another system's index may carry the same
 * name (on its own columns, or on another table), and dropping it would slow or break that system.
 */
const dropOurIndex = (db: OrganizationDb, name: string, made: IndexStatement | undefined): void => {
  if (made === undefined) throw new DatabaseMigrationError(`a migration drops index ${name}, which no migration made`);
  const present = indexesOf(db.sqlite, made.table).find((index) => index.name === name);
  if (present !== undefined && present.partial === made.partial && sameKey(present, made)) db.sqlite.exec(`DROP INDEX ${quoteIdentifier(name)}`);
};

/** Keys a unique index cannot be built over, shown this many at most. */
const REPEATED_KEYS_SHOWN = 3;

/**
 * A unique index that rows already in the file break (another system's table without the key) is refused
 * naming those rows, rather than with SQLite's "UNIQUE constraint failed".
 */
const createIndex = (db: OrganizationDb, statement: IndexStatement): void => {
  try {
    db.sqlite.exec(statement.sql);
  } catch (error) {
    const translated = translateSqliteError(error, `creating index ${statement.name}`);
    if (!statement.unique || !(translated instanceof DatabaseConstraintError)) throw translated;
    throw new DatabaseMigrationError(repeatedKeys(db, statement), { cause: error });
  }
};

const repeatedKeys = (db: OrganizationDb, statement: IndexStatement): string => {
  const columns = statement.columns.map(quoteIdentifier).join(', ');
  // A unique index lets NULLs repeat: only keys without one break it.
  const repeated = `SELECT ${columns}, count(*) FROM ${quoteIdentifier(statement.table)}
    WHERE ${statement.columns.map((column) => `${quoteIdentifier(column)} IS NOT NULL`).join(' AND ')}
    GROUP BY ${columns} HAVING count(*) > 1`;
  const keys = db.sqlite.prepare(`SELECT count(*) FROM (${repeated})`).pluck().get() as number;
  const shown = (db.sqlite.prepare(`${repeated} LIMIT ${REPEATED_KEYS_SHOWN}`).raw().all() as unknown[][]).map((row) => {
    const count = row.pop();
    return `(${row.map((value) => JSON.stringify(value)).join(', ')}) ${count} times`;
  });
  return (
    `${statement.table} holds rows that share (${statement.columns.join(', ')}), which the scheduler needs unique: ` +
    `${shown.join('; ')}${keys > shown.length ? `; ${keys} such keys in all` : ''}. Remove or merge the extra rows first`
  );
};

const applyStatement = (
  db: OrganizationDb,
  statement: MigrationStatement,
  report: MutableReport,
  madeIndexes: ReadonlyMap<string, IndexStatement>,
): void => {
  const { sqlite } = db;
  switch (statement.kind) {
    case 'create-table': {
      if (!tableExists(sqlite, statement.table)) {
        sqlite.exec(statement.sql);
        return;
      }
      const present = columnNamesOf(sqlite, statement.table);
      if (statement.table === SCHEDULE_TABLE) refuseRowsWithoutStatus(db, present);
      for (const column of statement.columns) {
        if (present.has(column.name.toLowerCase())) continue;
        const definition = addableDefinition(column);
        if (definition === null) {
          throw new DatabaseMigrationError(
            `table ${statement.table} exists without its key column ${column.name}; it cannot be added`,
          );
        }
        sqlite.exec(
          `ALTER TABLE ${quoteIdentifier(statement.table)} ADD COLUMN ${quoteIdentifier(column.name)} ${definition}`,
        );
        report.addedColumns.push(`${statement.table}.${column.name}`);
      }
      return;
    }
    case 'create-index': {
      if (indexExists(sqlite, statement.name)) return;
      if (!statement.partial) {
        const equivalent = indexesOf(sqlite, statement.table).find((index) => !index.partial && sameKey(index, statement));
        // A second index on the same key would double the cost of every write for nothing.
        if (equivalent !== undefined) {
          report.equivalentIndexesKept.push(`${statement.name} (as ${equivalent.name})`);
          return;
        }
      }
      createIndex(db, statement);
      return;
    }
    case 'add-column': {
      if (columnNamesOf(sqlite, statement.table).has(statement.column.name.toLowerCase())) return;
      sqlite.exec(statement.sql);
      report.addedColumns.push(`${statement.table}.${statement.column.name}`);
      return;
    }
    case 'drop-index':
      dropOurIndex(db, statement.name, madeIndexes.get(statement.name));
      return;
    case 'other':
      sqlite.exec(statement.sql);
  }
};

/** Journal entries' tags by their timestamp, for the report. */
const migrationTags = (): Map<number, string> => {
  const journal = JSON.parse(readFileSync(`${MIGRATIONS_FOLDER}/meta/_journal.json`, 'utf8')) as {
    entries: { when: number; tag: string }[];
  };
  return new Map(journal.entries.map((entry) => [entry.when, entry.tag]));
};

/** The file's tables, by lower-case name (SQLite's names are case-insensitive). */
const tableNamesOf = (db: OrganizationDb): Set<string> =>
  new Set(
    (db.sqlite.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all() as string[]).map((name) => name.toLowerCase()),
  );

interface MutableReport {
  applied: string[];
  addedColumns: string[];
  equivalentIndexesKept: string[];
}

/**
 * Brings an open organization file to the current schema, additively: tables
 * and indexes are created only when missing, contract columns missing from a
 * pre-existing table are added, no data is dropped or rewritten (an index
 * is dropped only where a migration made it). All pending
 * migrations apply in one transaction.
 */
export const migrateOpenOrganizationDb = (db: OrganizationDb): MigrationReport => {
  const report: MutableReport = { applied: [], addedColumns: [], equivalentIndexesKept: [] };
  const migrations = readMigrationFiles({ migrationsFolder: MIGRATIONS_FOLDER });
  const tags = migrationTags();
  const statements = migrations.map((migration) => migration.sql.map(parseMigrationStatement));
  const madeIndexes = new Map(
    statements.flat().flatMap((statement) => (statement?.kind === 'create-index' ? [[statement.name, statement] as const] : [])),
  );
  withDatabaseErrors(`migrating ${db.path}`, () =>
    inWriteTransaction(db, () => {
      const tablesBefore = tableNamesOf(db);
      db.sqlite.exec(
        `CREATE TABLE IF NOT EXISTS ${MIGRATIONS_TABLE} (id SERIAL PRIMARY KEY, hash text NOT NULL, created_at numeric)`,
      );
      const last = db.sqlite
        .prepare(`SELECT created_at FROM ${MIGRATIONS_TABLE} ORDER BY created_at DESC LIMIT 1`)
        .pluck()
        .get() as number | string | undefined;
      for (const [i, migration] of migrations.entries()) {
        if (last !== undefined && Number(last) >= migration.folderMillis) continue;
        for (const statement of statements[i]!) if (statement !== null) applyStatement(db, statement, report, madeIndexes);
        db.sqlite
          .prepare(`INSERT INTO ${MIGRATIONS_TABLE} (hash, created_at) VALUES (?, ?)`)
          .run(migration.hash, migration.folderMillis);
        report.applied.push(tags.get(migration.folderMillis) ?? String(migration.folderMillis));
      }
      refuseContactsWithoutIntegerIds(db);
      refuseUnwritableTables(db);
      // A column a later migration adds to a table an earlier one created in this same call is no change to report.
      report.addedColumns = report.addedColumns.filter((column) => tablesBefore.has(column.slice(0, column.indexOf('.')).toLowerCase()));
    }),
  );
  return report;
};

/**
 * Opens `path` (creating it when absent), migrates it and closes it. The
 * file goes to WAL only once migrated: a file that cannot be migrated is
 * left as it was, journal mode included.
 */
export const migrateOrganizationDb = (path: string): MigrationReport => {
  const db = openOrganizationDb(path, { keepJournalMode: true });
  try {
    const report = migrateOpenOrganizationDb(db);
    db.sqlite.pragma('journal_mode = WAL');
    return report;
  } finally {
    db.close();
  }
};
