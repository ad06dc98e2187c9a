import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { DatabaseUnreadableError } from '@scheduler/db';
import { SingleDatabase, UnknownOrganizationError } from '../src/index';

const directory = mkdtempSync(join(tmpdir(), 'scheduler-single-database-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

describe('a database file named on the command line', () => {
  it('that does not exist is refused, naming it', () => {
    const path = join(directory, 'missing.sqlite');
    expect(() => SingleDatabase.open(path)).toThrow(UnknownOrganizationError);
    expect(() => SingleDatabase.open(path)).toThrow(path);
  });

  it('that is a directory is refused, saying so', () => {
    const path = join(directory, 'folder.sqlite');
    mkdirSync(path);
    expect(() => SingleDatabase.open(path)).toThrow(`${path} is a directory, not a database file`);
  });

  it('that is not SQLite is refused before anything is enqueued, naming it', () => {
    const path = join(directory, 'notes.sqlite');
    writeFileSync(path, 'meeting notes, not a database\n');
    expect(() => SingleDatabase.open(path)).toThrow(DatabaseUnreadableError);
    expect(() => SingleDatabase.open(path)).toThrow(new RegExp(`${path}.*not a database`));
  });

  it('that another writer holds locked is accepted: the run waits for it, not the command line', () => {
    const path = join(directory, 'busy.sqlite');
    // A file the main application has not yet seen migrated: a rollback journal, whose writer locks out readers.
    const writer = new Database(path);
    writer.exec('CREATE TABLE contacts (id INTEGER PRIMARY KEY, email TEXT)');
    writer.exec('BEGIN EXCLUSIVE');
    writer.exec("INSERT INTO contacts (email) VALUES ('a@example.com')");
    const reader = new Database(path, { readonly: true, timeout: 0 });
    try {
      expect(() => reader.pragma('journal_mode')).toThrow(/locked/);
      expect(SingleDatabase.open(path).organization).toBe('busy');
    } finally {
      reader.close();
      writer.exec('ROLLBACK');
      writer.close();
    }
  });

  it('that opens as SQLite is served under its file name', () => {
    const path = join(directory, 'north-agency.db');
    const created = new Database(path);
    created.exec('CREATE TABLE contacts (id INTEGER PRIMARY KEY)');
    created.close();
    expect(SingleDatabase.open(path).organization).toBe('north-agency');
    expect(SingleDatabase.open(path).databasePath('north-agency')).toBe(path);
  });
});
