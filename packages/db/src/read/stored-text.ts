/**
 * SQLite columns are dynamically typed: a spreadsheet import may have stored
 * a ZIP as the integer 2108 or a date as a number. The core reads text, so a
 * stored value becomes its text form (null stays null).
 */
export const storedText = (value: unknown): string | null => {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'bigint') return String(value);
  if (Buffer.isBuffer(value)) return value.toString('utf8');
  return String(value);
};

/**
 * An integer column's value, or null when it is absent, not a whole number, or beyond what JavaScript
 * holds exactly (±(2^53 − 1)): read such a column through `exactInteger`, which keeps those as text.
 */
export const storedInteger = (value: unknown): number | null => {
  const number =
    typeof value === 'number' || typeof value === 'bigint'
      ? Number(value)
      : typeof value === 'string' && /^-?\d+$/.test(value.trim())
        ? Number(value.trim())
        : null;
  return number !== null && Number.isSafeInteger(number) ? number : null;
};

/**
 * An integer column as SQL that reads it exactly: as a number within ±(2^53 − 1), else as its text
 * (better-sqlite3 would round a larger integer to the nearest number JavaScript holds: another row's id).
 * Text bound back where the column is compared finds the same row (SQLite compares it as an integer).
 */
export const exactInteger = (column: string): string =>
  `CASE WHEN ${column} BETWEEN -9007199254740991 AND 9007199254740991 THEN ${column} ELSE CAST(${column} AS TEXT) END`;
