import type { ContactRecord } from '@scheduler/core';
import type Database from 'better-sqlite3';

/*
 * better-sqlite3 spends about a microsecond on each row it hands to
 * JavaScript, whatever the row holds: at three million contacts that was
 * most of a full read. So a page comes back as one row: the ids as a JSON
 * array and each text column joined by a separator, split here (measured:
 * about half the time of `.raw().all()` on the same pages).
 *
 * Exactness: under TEXT affinity a column holds text, null or a blob; a
 * blob's bytes join as the text `storedText` would decode them. A null joins
 * as a marker; the statement counts the nulls, so a text equal to the marker
 * shows as a count that differs, and a separator inside a value as a split
 * of the wrong length. Either way, and for a table whose columns are not
 * TEXT (a foreign file: numbers would join in SQLite's spelling, not
 * JavaScript's), the caller reads the page row by row.
 */

const SEPARATOR = '\u001e';
const NULL_MARKER = '\u0001';
const TEXT_COLUMNS = ['email', 'zip_code', 'state', 'birth_date', 'effective_date'] as const;

const joined = (column: string): string => `group_concat(ifnull(${column}, char(1)), char(30))`;

/** SQLite's affinity rule: TEXT when the declared type names no INT and some CHAR, CLOB or TEXT. */
const hasTextAffinity = (declared: string): boolean => {
  const type = declared.toUpperCase();
  return !type.includes('INT') && (type.includes('CHAR') || type.includes('CLOB') || type.includes('TEXT'));
};

export interface ContactColumnStatements {
  /** The id of the contact `?3` places after the first with id ≥ `?1` and ≤ `?2`: where a page ends. */
  readonly pageEnd: Database.Statement;
  /** Count, ids, the joined columns and the number of nulls among them, for ids from `?1` to `?2`. */
  readonly page: Database.Statement;
}

/** The statements, or null when the contacts table's columns cannot be joined exactly. */
export const prepareContactColumns = (sqlite: Database.Database): ContactColumnStatements | null => {
  const declared = new Map(
    (sqlite.prepare(`SELECT name, type FROM pragma_table_info('contacts')`).raw().all() as [string, string][]).map(
      ([name, type]) => [name, type],
    ),
  );
  if (!TEXT_COLUMNS.every((column) => hasTextAffinity(declared.get(column) ?? ''))) return null;
  return {
    pageEnd: sqlite.prepare(`SELECT id FROM contacts WHERE id >= ? AND id <= ? ORDER BY id LIMIT 1 OFFSET ?`).pluck(),
    page: sqlite
      .prepare(
        `SELECT count(*), json_group_array(id), ${TEXT_COLUMNS.map(joined).join(', ')},
           sum(${TEXT_COLUMNS.map((column) => `(${column} IS NULL)`).join(' + ')})
         FROM contacts WHERE id >= ? AND id <= ?`,
      )
      .raw(),
  };
};

/**
 * The contacts from `fromId` on, at most `pageSize` of them and none past
 * `toId`, in id order; null when the page must be read row by row.
 */
export const readContactColumns = (
  statements: ContactColumnStatements,
  fromId: number,
  toId: number,
  pageSize: number,
): ContactRecord[] | null => {
  // Skipping rowids without reading their columns is cheap; a page bounded by ids needs no LIMIT.
  const pageEnd = statements.pageEnd.get(fromId, toId, pageSize - 1) as number | undefined;
  const [count, idsJson, email, zipCode, state, birthDate, effectiveDate, nulls] = statements.page.get(fromId, pageEnd ?? toId) as [number, string, string, string, string, string, string, number];
  if (count === 0) return [];
  const ids = JSON.parse(idsJson) as number[];
  const columns = [email, zipCode, state, birthDate, effectiveDate].map((joinedValues) => joinedValues.split(SEPARATOR));
  if (ids.length !== count || columns.some((values) => values.length !== count)) return null;
  const [emails, zipCodes, states, birthDates, effectiveDates] = columns as [string[], string[], string[], string[], string[]];
  let markers = 0;
  const valueOf = (text: string): string | null => {
    if (text !== NULL_MARKER) return text;
    markers++;
    return null;
  };
  const contacts: ContactRecord[] = new Array(count);
  for (let i = 0; i < count; i++) {
    // The aggregates see the rows in one order, the rowid's; checked rather than assumed.
    if (i > 0 && ids[i]! <= ids[i - 1]!) return null;
    contacts[i] = {
      id: ids[i]!,
      email: valueOf(emails[i]!),
      zipCode: valueOf(zipCodes[i]!),
      state: valueOf(states[i]!),
      birthDate: valueOf(birthDates[i]!),
      effectiveDate: valueOf(effectiveDates[i]!),
    };
  }
  return markers === nulls ? contacts : null;
};
