import { InvalidArgumentError } from 'commander';
import { parseIsoDate } from '@scheduler/core';

export const parseAsOf = (value: string): string => {
  if (parseIsoDate(value) === null) throw new InvalidArgumentError('must be a calendar date YYYY-MM-DD');
  return value;
};

export const parseContactId = (value: string, previous: number[] = []): number[] => {
  const id = Number(value);
  if (!Number.isSafeInteger(id) || id <= 0) throw new InvalidArgumentError(`${value} is not a contact id`);
  return [...previous, id];
};
