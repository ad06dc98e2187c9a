import { existsSync, statSync } from 'node:fs';
import Database from 'better-sqlite3';
import { drizzle, type BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import * as schema from '../schema';
import { DatabaseError, DatabaseUnreadableError, translateSqliteError } from './database-errors';

export type OrganizationSchema = typeof schema;

/** One open organization file: the raw connection for hot paths, drizzle for the rest. */
export interface OrganizationDb {
  readonly path: string;
  readonly readonly: boolean;
  readonly sqlite: Database.Database;
  readonly orm: BetterSQLite3Database<OrganizationSchema>;
  close(): void;
}

export interface OpenOptions {
  readonly readonly?: boolean;
  /** How long a statement waits for another connection's lock before failing with DatabaseBusyError. */
  readonly busyTimeoutMs?: number;
  /** Page cache of this connection; bulk writes raise it for their own duration. */
  readonly cacheSizeMb?: number;
  /** Leave the file's journal mode as it is (a migration switches to WAL once it has succeeded). */
  readonly keepJournalMode?: boolean;
  /**
   * Refuse to create the file. Only migrate and seed make a database: anything else finding none has been
   * given a wrong path, or the file was moved or deleted, and an empty one in its place would be scheduled.
   */
  readonly mustExist?: boolean;
}

const DEFAULT_BUSY_TIMEOUT_MS = 10_000;
const DEFAULT_CACHE_SIZE_MB = 64;

/**
 * Opens an organization's SQLite file: WAL (readers never block the writer
 * and never see a half-written run), synchronous=NORMAL (durable at every
 * checkpoint, safe against corruption), a busy timeout and foreign keys on.
 * A read-only connection requires the file to exist.
 */
export const openOrganizationDb = (path: string, options: OpenOptions = {}): OrganizationDb => {
  const readonly = options.readonly ?? false;
  const mustExist = readonly || options.mustExist === true;
  if (mustExist) refuseEmptyFile(path);
  return openedOrUnreadable(path, mustExist, () => {
    const sqlite = new Database(path, { readonly, fileMustExist: mustExist });
    try {
      sqlite.pragma(`busy_timeout = ${Math.max(0, Math.floor(options.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS))}`);
      // Reading the journal mode is the first read of the file: a non-database fails here, not later.
      if (!readonly && options.keepJournalMode !== true) sqlite.pragma('journal_mode = WAL');
      else sqlite.pragma('journal_mode');
      sqlite.pragma('synchronous = NORMAL');
      sqlite.pragma('foreign_keys = ON');
      sqlite.pragma(`cache_size = ${-1024 * Math.max(1, Math.floor(options.cacheSizeMb ?? DEFAULT_CACHE_SIZE_MB))}`);
    } catch (error) {
      sqlite.close();
      throw error;
    }
    return {
      path,
      readonly,
      sqlite,
      orm: drizzle(sqlite, { schema }),
      close: () => {
        if (sqlite.open) sqlite.close();
      },
    };
  });
};

/**
 * Whether the file is there and empty. An empty file opens as an empty database, and a run would write its
 * tables into it: a file being copied in, or one made by mistake, is no organization. (A database whose pages
 * are all still in its WAL is not empty.)
 */
export const isEmptyDatabaseFile = (path: string): boolean => {
  const sizeOf = (file: string): number => (existsSync(file) ? statSync(file).size : 0);
  return existsSync(path) && sizeOf(path) === 0 && sizeOf(`${path}-wal`) === 0;
};

const refuseEmptyFile = (path: string): void => {
  if (isEmptyDatabaseFile(path)) {
    throw new DatabaseUnreadableError(`opening ${path}: the file is empty, no organization database (\`migrate\` makes one)`);
  }
};

/** Whatever stops a file from opening (a missing directory included) is an unreadable database. */
const openedOrUnreadable = <T>(path: string, mustExist: boolean, open: () => T): T => {
  try {
    return open();
  } catch (error) {
    if (mustExist && !existsSync(path)) throw new DatabaseUnreadableError(`opening ${path}: there is no such file (moved or deleted?)`, { cause: error });
    const translated = translateSqliteError(error, `opening ${path}`);
    if (translated instanceof DatabaseError) throw translated;
    throw new DatabaseUnreadableError(`opening ${path}: ${translated.message}`, { cause: error });
  }
};

/**
 * Runs `work` with a bigger page cache, restoring the connection's own after:
 * bulk inserts and index builds are bound by how much of the b-trees fits.
 */
export const withCacheSize = <T>(db: OrganizationDb, cacheSizeMb: number, work: () => T): T => {
  const previous = db.sqlite.pragma('cache_size', { simple: true }) as number;
  db.sqlite.pragma(`cache_size = ${-1024 * Math.floor(cacheSizeMb)}`);
  try {
    return work();
  } finally {
    db.sqlite.pragma(`cache_size = ${previous}`);
  }
};
