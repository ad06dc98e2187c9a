import { existsSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  DatabaseBusyError,
  DatabaseConstraintError,
  DatabaseError,
  DatabaseReadOnlyError,
  openOrganizationDb,
  replaceOrganizationSchedule,
  translateSqliteError,
  withDatabaseErrors,
} from '../src';
import { freshOrganization, scheduleRow } from './support/organization-fixture';
import { useTempDirectory } from './support/temp-directory';

describe('SQLite errors', () => {
  const directory = useTempDirectory();

  it('a write blocked by another connection’s lock is DatabaseBusyError, retryable, with its cause', () => {
    const holder = freshOrganization(directory());
    const writer = openOrganizationDb(holder.path, { busyTimeoutMs: 0 });
    holder.sqlite.exec('BEGIN IMMEDIATE');
    let caught: unknown;
    try {
      replaceOrganizationSchedule(writer, 'run-1', [scheduleRow(1, 'aep', '2026-09-15')]);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(DatabaseBusyError);
    expect(caught).toMatchObject({ name: 'DatabaseBusyError', retryable: true });
    expect((caught as Error).message).toContain('committing run run-1');
    expect(((caught as Error).cause as { code: string }).code).toMatch(/^SQLITE_BUSY/);
    holder.sqlite.exec('ROLLBACK');
    // Once the lock is gone the same write goes through.
    expect(replaceOrganizationSchedule(writer, 'run-1', [scheduleRow(1, 'aep', '2026-09-15')]).rowsInserted).toBe(1);
    writer.close();
    holder.close();
  });

  it('a write on a read-only connection is DatabaseReadOnlyError', () => {
    const db = freshOrganization(directory());
    const reader = openOrganizationDb(db.path, { readonly: true });
    expect(() => withDatabaseErrors('writing', () => reader.sqlite.exec(`INSERT INTO contacts (id) VALUES (1)`))).toThrow(
      DatabaseReadOnlyError,
    );
    reader.close();
    db.close();
  });

  it('a writer that must find the file refuses a missing one, naming it, and creates nothing', () => {
    const path = join(directory(), 'moved-away.sqlite');
    expect(() => openOrganizationDb(path, { mustExist: true })).toThrow(`opening ${path}: there is no such file`);
    expect(existsSync(path)).toBe(false);
  });

  it('a writer or reader that must find the file refuses an empty one, naming it, and writes nothing into it', () => {
    const path = join(directory(), 'copied-in.sqlite');
    writeFileSync(path, '');
    expect(() => openOrganizationDb(path, { mustExist: true })).toThrow(`opening ${path}: the file is empty`);
    expect(() => openOrganizationDb(path, { readonly: true })).toThrow(`opening ${path}: the file is empty`);
    expect(statSync(path).size).toBe(0);
    // migrate and seed make databases: they may start from an empty file.
    openOrganizationDb(path).close();
    expect(statSync(path).size).toBeGreaterThan(0);
    openOrganizationDb(path, { mustExist: true }).close();
  });

  it('translates by code, keeps ours as they are, and leaves errors without a SQLite code alone', () => {
    const constraint = Object.assign(new Error('UNIQUE constraint failed'), { code: 'SQLITE_CONSTRAINT_UNIQUE' });
    expect(translateSqliteError(constraint, 'x')).toBeInstanceOf(DatabaseConstraintError);
    const ours = new DatabaseBusyError('busy');
    expect(translateSqliteError(ours, 'x')).toBe(ours);
    const plain = new TypeError('not sqlite');
    expect(translateSqliteError(plain, 'x')).toBe(plain);
    const other = translateSqliteError(Object.assign(new Error('odd'), { code: 'SQLITE_MISMATCH' }), 'x');
    expect(other).toBeInstanceOf(DatabaseError);
    expect((other as DatabaseError).retryable).toBe(false);
  });
});
