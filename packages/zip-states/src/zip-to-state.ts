import type { ZipLookup } from '@scheduler/core';
import { zipStateTable } from './zip-state-table';

/**
 * The state of a five-digit ZIP given as a number (core's `zip5Of` reads
 * stored values into one), or undefined when the data set has no state for it.
 */
export const zipToState: ZipLookup = (zip5) => {
  if (!Number.isInteger(zip5) || zip5 < 0 || zip5 >= 100_000) return undefined;
  const { states, stateIndexByZip } = zipStateTable();
  const index = stateIndexByZip[zip5]!;
  return index === 0 ? undefined : states[index - 1];
};
