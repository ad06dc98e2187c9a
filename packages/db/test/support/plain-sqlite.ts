import Database from 'better-sqlite3';
import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { schedulerNodeArgs } from '../../../../apps/cli/test/support/bundled-scheduler';

/**
 * Black-box helpers for the audits of `scheduler seed` and `scheduler migrate`
 * (seed-realism.test.ts, foreign-database-migration.test.ts): the CLI as an
 * operator runs it, and files read with plain better-sqlite3 and SQL, never
 * with the db package's own reading code.
 */

export const REPO_ROOT = fileURLToPath(new URL('../../../../', import.meta.url));

export interface CliResult {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** `scheduler ARGS`, in a process of its own with pipes for stdout and stderr. */
export const scheduler = (args: readonly string[], env: Record<string, string> = {}, timeoutMs = 90_000): CliResult => {
  const result = spawnSync(process.execPath, schedulerNodeArgs(args), {
    cwd: REPO_ROOT,
    encoding: 'utf8',
    timeout: timeoutMs,
    env: { ...process.env, LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
};

/** `scheduler` without blocking: tests marked concurrent can run their commands side by side. */
export const schedulerAsync = (args: readonly string[], env: Record<string, string> = {}, timeoutMs = 120_000): Promise<CliResult> =>
  new Promise((resolve) => {
    const child = spawn(process.execPath, schedulerNodeArgs(args), {
      cwd: REPO_ROOT,
      env: { ...process.env, LOG_LEVEL: 'warn', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: timeoutMs,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (data: Buffer) => (stdout += data.toString()));
    child.stderr.on('data', (data: Buffer) => (stderr += data.toString()));
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });

/** A shell command line for the CLI (paths in the tests hold no quotes). */
export const schedulerCommandLine = (args: readonly string[]): string =>
  [process.execPath, ...schedulerNodeArgs(args)].map((word) => `'${word}'`).join(' ');

/**
 * Runs a shell command line under a pseudo-terminal (`script`), so that the
 * command's stdout and stderr are a terminal unless the line redirects them;
 * what the terminal received comes back as `stdout`.
 */
export const underTerminal = (commandLine: string, timeoutMs = 60_000): CliResult => {
  const result = spawnSync('script', ['-qec', `cd '${REPO_ROOT}' && ${commandLine}`, '/dev/null'], {
    encoding: 'utf8',
    timeout: timeoutMs,
    env: { ...process.env, LOG_LEVEL: 'warn', TERM: 'xterm', COLUMNS: '120', LINES: '40' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
};

export const openPlain = (path: string, readonly = true): Database.Database =>
  new Database(path, { readonly, fileMustExist: true });

const quoteIdentifier = (name: string): string => `"${name.replaceAll('"', '""')}"`;

export interface ColumnInfo {
  readonly cid: number;
  readonly name: string;
  readonly type: string;
  readonly notnull: number;
  readonly dflt_value: string | null;
  readonly pk: number;
  readonly hidden: number;
}

/** Every column of a table, generated and hidden ones included, in declaration order. */
export const columnsOf = (db: Database.Database, table: string): ColumnInfo[] =>
  db.prepare(`SELECT cid, name, type, "notnull", dflt_value, pk, hidden FROM pragma_table_xinfo(?) ORDER BY cid`).all(table) as ColumnInfo[];

export const tableNames = (db: Database.Database): string[] =>
  db.prepare(`SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name`).pluck().all() as string[];

const isWithoutRowid = (db: Database.Database, table: string): boolean =>
  (db.prepare(`SELECT wr FROM pragma_table_list WHERE schema = 'main' AND name = ?`).pluck().get(table) as number | undefined) === 1;

/** One stored value, exactly: its storage class and its bytes (integers as 64-bit, reals as shortest round-trip text). */
const exactValue = (storageClass: string, value: unknown): string => {
  if (value === null) return 'null';
  if (typeof value === 'bigint') return `${storageClass}:${value.toString()}`;
  if (typeof value === 'number') return `${storageClass}:${Object.is(value, -0) ? '-0' : String(value)}`;
  if (Buffer.isBuffer(value)) return `${storageClass}:x${value.toString('hex')}`;
  return `${storageClass}:${JSON.stringify(value)}`;
};

/**
 * Every row of `table` (columns in declaration order, generated ones
 * included) as one line of exact values, keyed and ordered by rowid (or by
 * the primary key of a WITHOUT ROWID table).
 */
export const tableRows = (db: Database.Database, table: string, only?: readonly string[]): Map<string, string> => {
  const all = columnsOf(db, table);
  const columns = all.filter((column) => column.hidden !== 1 && (only === undefined || only.includes(column.name)));
  const withoutRowid = isWithoutRowid(db, table);
  const key = withoutRowid
    ? all.filter((column) => column.pk > 0).sort((a, b) => a.pk - b.pk).map((column) => quoteIdentifier(column.name)).join(', ')
    : '_rowid_';
  const selected = columns.flatMap((column) => [`typeof(${quoteIdentifier(column.name)})`, quoteIdentifier(column.name)]);
  const statement = db
    .prepare(`SELECT ${withoutRowid ? `quote(${key.split(', ').join(`) || ',' || quote(`)})` : '_rowid_'}, ${selected.join(', ')} FROM ${quoteIdentifier(table)} ORDER BY ${key}`)
    .raw()
    .safeIntegers();
  const rows = new Map<string, string>();
  for (const row of statement.all() as unknown[][]) {
    const values: string[] = [];
    for (let i = 1; i < row.length; i += 2) values.push(`${columns[(i - 1) / 2]!.name}=${exactValue(String(row[i]), row[i + 1])}`);
    rows.set(String(row[0]), values.join(' | '));
  }
  return rows;
};

export interface SchemaObject {
  readonly type: string;
  readonly name: string;
  readonly tbl_name: string;
  readonly sql: string | null;
}

export const schemaObjects = (db: Database.Database): SchemaObject[] =>
  db.prepare(`SELECT type, name, tbl_name, sql FROM sqlite_schema ORDER BY type, name`).all() as SchemaObject[];

/** A strict calendar date `YYYY-MM-DD`, as RULES.md §2 reads one. */
export const isRealIsoDate = (text: string | null): text is string => {
  if (text === null || !/^\d{4}-\d{2}-\d{2}$/.test(text)) return false;
  const [year, month, day] = text.split('-').map(Number) as [number, number, number];
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
};

/** A UTC datetime `YYYY-MM-DD HH:MM:SS` (CONTRACT.md). */
export const isContractDatetime = (text: string | null): boolean =>
  text !== null && /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/.test(text) && isRealIsoDate(text.slice(0, 10));

/** Today in America/Chicago, `YYYY-MM-DD`. */
export const todayInChicago = (): string =>
  new Intl.DateTimeFormat('en-CA', { timeZone: 'America/Chicago', year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date());
