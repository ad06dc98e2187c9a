import { InvalidArgumentError } from 'commander';
// The date module alone: the core's index (zod, luxon, the rules) would add 0.6 s to every start, help and bad arguments included.
import { parseIsoDate } from '@scheduler/core/dates';
import { AS_OF_OUT_OF_RANGE, EARLIEST_AS_OF, LATEST_AS_OF } from '@scheduler/queue/as-of';

export const parseAsOf = (value: string): string => {
  if (parseIsoDate(value) === null) throw new InvalidArgumentError('must be a calendar date YYYY-MM-DD');
  if (value < EARLIEST_AS_OF || value > LATEST_AS_OF) throw new InvalidArgumentError(AS_OF_OUT_OF_RANGE);
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
/** Appends in place: copying the list at each id made 40,000 ids take 10 s to read. */
export const parseContactId = (value: string, previous?: number[]): number[] => {
  const ids = previous ?? [];
  const unsafe = INTEGER.test(value) && !Number.isSafeInteger(Number(value));
  ids.push(
    parseInteger(
      value,
      unsafe ? `${value} is beyond ±(2^53 − 1), which this scheduler cannot hold exactly (a full run counts such contacts in ids_out_of_range)` : `${value} is not a contact id`,
    ),
  );
  return ids;
};

export const parsePort = (value: string): number => {
  const port = parseInteger(value, 'must be a port number 0–65535');
  if (port < 0 || port > 65_535) throw new InvalidArgumentError('must be a port number 0–65535');
  return port;
};
