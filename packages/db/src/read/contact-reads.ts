import type { ContactRecord } from '@scheduler/core';
import type Database from 'better-sqlite3';
import { withDatabaseErrors } from '../connection/database-errors';
import type { OrganizationDb } from '../connection/open-organization-db';
import { prepareContactColumns, readContactColumns, type ContactColumnStatements } from './contact-columns';
import { storedText } from './stored-text';

export interface IdRange {
  readonly fromId: number;
  readonly toId: number;
}

const DEFAULT_PAGE_SIZE = 10_000;

/** The page statements of each connection, prepared once: a run reads hundreds of pages. */
const columnStatements = new WeakMap<Database.Database, ContactColumnStatements | null>();

const columnStatementsOf = (sqlite: Database.Database): ContactColumnStatements | null => {
  if (!columnStatements.has(sqlite)) columnStatements.set(sqlite, prepareContactColumns(sqlite));
  return columnStatements.get(sqlite)!;
};

/**
 * Contacts with `fromId ≤ id ≤ toId`, in id order, one page at a time: keyset
 * pagination on the primary key (never an OFFSET from the start, which
 * re-walks every skipped row). A page comes as joined columns (see contact-columns.ts); one holding
 * a value they cannot carry is read again row by row.
 */
export function* readContactPages(
  db: OrganizationDb,
  range: IdRange,
  pageSize = DEFAULT_PAGE_SIZE,
): Generator<ContactRecord[]> {
  const columns = columnStatementsOf(db.sqlite);
  let nextId = range.fromId;
  while (nextId <= range.toId) {
    const contacts = withDatabaseErrors(
      `reading contacts ${nextId}–${range.toId} of ${db.path}`,
      () =>
        (columns === null ? null : readContactColumns(columns, nextId, range.toId, pageSize)) ??
        readContactRows(db, nextId, range.toId, pageSize),
    );
    if (contacts.length === 0) return;
    yield contacts;
    if (contacts.length < pageSize) return;
    nextId = contacts[contacts.length - 1]!.id + 1;
  }
}

/** One page row by row, each stored value converted to the text the core reads. */
const readContactRows = (db: OrganizationDb, fromId: number, toId: number, pageSize: number): ContactRecord[] => {
  const rows = db.sqlite
    .prepare(
      `SELECT id, email, zip_code, state, birth_date, effective_date FROM contacts
       WHERE id >= ? AND id <= ? ORDER BY id LIMIT ?`,
    )
    .raw()
    .all(fromId, toId, pageSize) as unknown[][];
  const contacts: ContactRecord[] = new Array(rows.length);
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i]!;
    contacts[i] = {
      id: row[0] as number,
      email: storedText(row[1]),
      zipCode: storedText(row[2]),
      state: storedText(row[3]),
      birthDate: storedText(row[4]),
      effectiveDate: storedText(row[5]),
    };
  }
  return contacts;
};

/** Every contact of the range in one array: for a chunk, whose size the caller chose. */
export const readContacts = (db: OrganizationDb, range: IdRange): ContactRecord[] => {
  const contacts: ContactRecord[] = [];
  for (const page of readContactPages(db, range)) for (const contact of page) contacts.push(contact);
  return contacts;
};

/** N of RULES.md §9: every row of `contacts`, usable or not. */
export const countContactRows = (db: OrganizationDb): number =>
  withDatabaseErrors(`counting contacts of ${db.path}`, () =>
    db.sqlite.prepare('SELECT count(*) FROM contacts').pluck().get(),
  ) as number;
