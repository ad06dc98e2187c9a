import { sql, type SQL } from 'drizzle-orm';
import type { SQLiteColumn } from 'drizzle-orm/sqlite-core';

/**
 * CONTRACT.md declares `campaign_types.respect_exclusion_windows`,
 * `enable_followups`, `target_all_contacts`, `active` and
 * `campaign_change_log.requires_rescheduling` as `BOOLEAN` (NUMERIC
 * affinity). The main application writes 0/1, but organization files come
 * from other systems too: NUMERIC affinity stores '0', ' 1 ' or '1.0' as
 * integers, yet keeps 'false' or 'yes' as text, and a column declared with
 * another type (or none) keeps '0' as text and 0.0 as a real. JavaScript's
 * `Boolean('false')` is true and SQLite's `WHERE 'true'` is false, so every
 * reader of these columns goes through this one reading, in TypeScript
 * (`readStoredFlag`) or SQL (`storedFlagSql`):
 *
 * - an integer or real is true when non-zero;
 * - text, trimmed of ASCII whitespace and in any case, is true for
 *   1/true/t/yes/y and false for 0/false/f/no/n;
 * - NULL is the column's contract default (`whenNull`);
 * - anything else (other text, a blob) is `whenUnreadable`, chosen per column
 *   so that a value we cannot read never widens who gets email.
 */
export interface FlagReading {
  /** The contract's `DEFAULT` of the column. */
  readonly whenNull: boolean;
  /** The safe reading of a value that is neither a number nor one of the spellings. */
  readonly whenUnreadable: boolean;
}

const TRUE_TEXTS = ['1', 'true', 't', 'yes', 'y'];
const FALSE_TEXTS = ['0', 'false', 'f', 'no', 'n'];
/** SQLite's `trim(X, Y)` and `lower()` know only what is given and ASCII, so JavaScript trims and lowers the same. */
const WHITESPACE = ' \t\n\v\f\r';

const trimmed = (text: string): string => {
  let start = 0;
  let end = text.length;
  while (start < end && WHITESPACE.includes(text[start]!)) start++;
  while (end > start && WHITESPACE.includes(text[end - 1]!)) end--;
  return text.slice(start, end);
};

const asciiLower = (text: string): string => text.replace(/[A-Z]/g, (letter) => letter.toLowerCase());

/** What a stored value says by itself: true or false, null for NULL, 'unreadable' for anything else. */
const storedFlagMeaning = (value: unknown): boolean | null | 'unreadable' => {
  if (value === null || value === undefined) return null;
  if (typeof value === 'number') return value !== 0;
  if (typeof value === 'bigint') return value !== 0n;
  if (typeof value === 'string') {
    const text = asciiLower(trimmed(value));
    if (TRUE_TEXTS.includes(text)) return true;
    if (FALSE_TEXTS.includes(text)) return false;
  }
  return 'unreadable';
};

/** The stored value of a BOOLEAN column (as better-sqlite3 returns it), read as above. */
export const readStoredFlag = (value: unknown, reading: FlagReading): boolean => {
  const meaning = storedFlagMeaning(value);
  return meaning === null ? reading.whenNull : meaning === 'unreadable' ? reading.whenUnreadable : meaning;
};

/** Whether `readStoredFlag` reads the value (NULL, a number, one of the spellings) rather than falls back on its safe reading. */
export const isReadableFlag = (value: unknown): boolean => storedFlagMeaning(value) !== 'unreadable';

const texts = (list: readonly string[]): SQL => sql.join(list.map((text) => sql`${text}`), sql`, `);

/** The same reading as an SQL expression (1 or 0) of `column`, for a `WHERE` that must agree with `readStoredFlag`. */
export const storedFlagSql = (column: SQLiteColumn, reading: FlagReading): SQL<boolean> => {
  const text = sql`lower(trim(${column}, ${WHITESPACE}))`;
  return sql<boolean>`(CASE
    WHEN ${column} IS NULL THEN ${sql.raw(reading.whenNull ? '1' : '0')}
    WHEN typeof(${column}) IN ('integer', 'real') THEN ${column} <> 0
    WHEN typeof(${column}) = 'text' AND ${text} IN (${texts(TRUE_TEXTS)}) THEN 1
    WHEN typeof(${column}) = 'text' AND ${text} IN (${texts(FALSE_TEXTS)}) THEN 0
    ELSE ${sql.raw(reading.whenUnreadable ? '1' : '0')} END)`;
};
