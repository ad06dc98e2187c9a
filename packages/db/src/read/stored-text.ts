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

/** An integer column's value, or null when it is absent or not a whole number. */
export const storedInteger = (value: unknown): number | null => {
  if (typeof value === 'number') return Number.isInteger(value) ? value : null;
  if (typeof value === 'bigint') return Number(value);
  if (typeof value === 'string' && /^-?\d+$/.test(value.trim())) return Number(value.trim());
  return null;
};
