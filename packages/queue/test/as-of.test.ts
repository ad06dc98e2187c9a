import { describe, expect, it } from 'vitest';
import { EARLIEST_AS_OF, FullRunJobSchema, LATEST_AS_OF } from '../src/index';

const dayBefore = (iso: string): string => new Date(Date.parse(`${iso}T00:00:00Z`) - 86_400_000).toISOString().slice(0, 10);
const yearAfter = (iso: string): string => `${Number(iso.slice(0, 4)) + 1}-01-01`;

describe('the days a job may be as of', () => {
  it.each([
    ['the earliest', EARLIEST_AS_OF, dayBefore(EARLIEST_AS_OF)],
    ['the latest', LATEST_AS_OF, yearAfter(LATEST_AS_OF)],
  ])('accepts %s, %s, and refuses the day past it with the reason', (_which, accepted, refusedDay) => {
    expect(FullRunJobSchema.safeParse({ organization: 'acme', asOf: accepted }).success).toBe(true);
    const refused = FullRunJobSchema.safeParse({ organization: 'acme', asOf: refusedDay });
    expect(refused.success).toBe(false);
    expect(refused.error?.issues.map((issue) => issue.message)).toEqual([expect.stringMatching(new RegExp(`${EARLIEST_AS_OF} to ${LATEST_AS_OF}`))]);
  });

  it('refuses year 0000 and year 0001', () => {
    for (const asOf of ['0000-02-29', '0001-01-01', '1899-12-31']) expect(FullRunJobSchema.safeParse({ organization: 'acme', asOf }).success, asOf).toBe(false);
  });
});
