import { InvalidArgumentError } from 'commander';

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/**
 * The dates @scheduler/core's parseIsoDate reads (test/arguments.test.ts keeps
 * the two in step), checked here without importing core: its index (zod,
 * luxon, the rules) would add 0.6 s to every start, help and bad arguments included.
 */
const isCalendarDate = (value: string): boolean => {
  const match = ISO_DATE.exec(value);
  if (match === null) return false;
  const [year, month, day] = match.slice(1).map(Number) as [number, number, number];
  // Day 0 of the next month is this month's last; setUTCFullYear, unlike Date.UTC, leaves years 0–99 as they are.
  const lastOfMonth = new Date(0);
  lastOfMonth.setUTCFullYear(year, month, 0);
  return month >= 1 && month <= 12 && day >= 1 && day <= lastOfMonth.getUTCDate();
};

export const parseAsOf = (value: string): string => {
  if (!isCalendarDate(value)) throw new InvalidArgumentError('must be a calendar date YYYY-MM-DD');
  return value;
};

// Digits only: Number() would read '' and ' ' as 0, '1e3' as 1000 and '0x10' as 16.
const INTEGER = /^-?\d+$/;

/** A safe integer written in decimal digits, else a refusal saying what was expected. */
export const parseInteger = (value: string, expected = 'must be an integer'): number => {
  const number = INTEGER.test(value) ? Number(value) : Number.NaN;
  if (!Number.isSafeInteger(number)) throw new InvalidArgumentError(expected);
  return number;
};

export const parseWholeNumber = (value: string): number => {
  const number = parseInteger(value, 'must be a whole number ≥ 0');
  if (number < 0) throw new InvalidArgumentError('must be a whole number ≥ 0');
  return number;
};

export const parseThreadCount = (value: string): number => {
  const number = parseInteger(value, 'must be a whole number from 1 to 256');
  if (number < 1 || number > 256) throw new InvalidArgumentError('must be a whole number from 1 to 256');
  return number;
};

/** Contact ids are SQLite integers: 0 and negative ids are contacts too. */
export const parseContactId = (value: string, previous: number[] = []): number[] => [
  ...previous,
  parseInteger(value, `${value} is not a contact id`),
];

export const parsePort = (value: string): number => {
  const port = parseInteger(value, 'must be a port number 0–65535');
  if (port < 0 || port > 65_535) throw new InvalidArgumentError('must be a port number 0–65535');
  return port;
};
