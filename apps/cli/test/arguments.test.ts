import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseIsoDate } from '@scheduler/core';
import { parseAsOf } from '../src/arguments';

const accepts = (value: string): boolean => {
  try {
    parseAsOf(value);
    return true;
  } catch {
    return false;
  }
};

const digits = (length: number): fc.Arbitrary<string> =>
  fc.array(fc.constantFrom('0', '1', '2', '3', '9'), { minLength: length, maxLength: length }).map((chars) => chars.join(''));

describe('when --as-of is checked without importing @scheduler/core', () => {
  it('accepts exactly the dates parseIsoDate reads: leap days, short months, years 0–99 and 9999', () => {
    for (const value of ['2024-02-29', '2000-02-29', '1900-02-28', '0000-02-29', '0004-02-29', '0099-12-31', '9999-12-31', '2025-04-30']) {
      expect(parseIsoDate(value), value).not.toBeNull();
      expect(accepts(value), value).toBe(true);
    }
    for (const value of ['2023-02-29', '1900-02-29', '0001-02-29', '2025-04-31', '2025-13-01', '2025-00-10', '2025-01-00', '2025-1-01', '+2025-01-01', '２０２５-01-01', '2025-01-01 ', '']) {
      expect(parseIsoDate(value), value).toBeNull();
      expect(accepts(value), value).toBe(false);
    }
  });

  it('agrees with parseIsoDate on every date-shaped string and on arbitrary text', () => {
    const dateShaped = fc
      .tuple(digits(4), fc.constantFrom('-', '/', '0'), digits(2), fc.constantFrom('-', '.'), digits(2))
      .map((parts) => parts.join(''));
    fc.assert(
      fc.property(fc.oneof(dateShaped, fc.string({ maxLength: 12 })), (value) => {
        expect(accepts(value), value).toBe(parseIsoDate(value) !== null);
      }),
      { numRuns: 20_000 },
    );
  });
});
