/**
 * Our error kinds for what SQLite reports. Callers decide by class (or
 * `name`, which survives a trip through a queue), never by message text.
 * `translateSqliteError` is the one place that reads SQLite's codes.
 */
export class DatabaseError extends Error {
  override readonly name: string = 'DatabaseError';
  /** Whether trying the same thing again later may succeed. */
  readonly retryable: boolean = false;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** Another connection holds the lock longer than the busy timeout: transient. */
export class DatabaseBusyError extends DatabaseError {
  override readonly name = 'DatabaseBusyError';
  override readonly retryable = true;
}

/** The file cannot be opened or is not a (healthy) SQLite database. */
export class DatabaseUnreadableError extends DatabaseError {
  override readonly name = 'DatabaseUnreadableError';
}

/** The disk (or the file's size limit) is full. */
export class DatabaseFullError extends DatabaseError {
  override readonly name = 'DatabaseFullError';
}

/** The file or connection is read-only and a write was attempted. */
export class DatabaseReadOnlyError extends DatabaseError {
  override readonly name = 'DatabaseReadOnlyError';
}

/** A row broke a UNIQUE, NOT NULL, CHECK or foreign key constraint. */
export class DatabaseConstraintError extends DatabaseError {
  override readonly name = 'DatabaseConstraintError';
}

/** The file's schema cannot be brought to what the scheduler needs. */
export class DatabaseMigrationError extends DatabaseError {
  override readonly name = 'DatabaseMigrationError';
}

const codeOf = (error: unknown): string | null => {
  if (typeof error !== 'object' || error === null) return null;
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' ? code : null;
};

const UNREADABLE_CODES = ['SQLITE_CANTOPEN', 'SQLITE_NOTADB', 'SQLITE_CORRUPT', 'SQLITE_IOERR', 'SQLITE_PERM', 'SQLITE_AUTH'];

/**
 * Wraps what better-sqlite3 threw into one of our kinds, keeping it as
 * `cause`. `context` names what was being done ("reading contacts 1–10000 of
 * org.sqlite"). Our own errors pass through unchanged.
 */
export const translateSqliteError = (error: unknown, context: string): Error => {
  if (error instanceof DatabaseError) return error;
  const code = codeOf(error);
  const detail = error instanceof Error ? error.message : String(error);
  const message = `${context}: ${detail}`;
  if (code === null || !code.startsWith('SQLITE_')) {
    return error instanceof Error ? error : new DatabaseError(message, { cause: error });
  }
  // Extended codes (SQLITE_BUSY_SNAPSHOT, SQLITE_IOERR_SHORT_READ, …) share their primary code's meaning.
  const primary = code.split('_').slice(0, 2).join('_');
  if (primary === 'SQLITE_BUSY' || primary === 'SQLITE_LOCKED') return new DatabaseBusyError(message, { cause: error });
  if (UNREADABLE_CODES.includes(primary)) return new DatabaseUnreadableError(message, { cause: error });
  if (primary === 'SQLITE_FULL') return new DatabaseFullError(message, { cause: error });
  if (primary === 'SQLITE_READONLY') return new DatabaseReadOnlyError(message, { cause: error });
  if (primary === 'SQLITE_CONSTRAINT') return new DatabaseConstraintError(message, { cause: error });
  return new DatabaseError(message, { cause: error });
};

/** Runs `work`, translating what SQLite throws (see `translateSqliteError`). */
export const withDatabaseErrors = <T>(context: string, work: () => T): T => {
  try {
    return work();
  } catch (error) {
    throw translateSqliteError(error, context);
  }
};
