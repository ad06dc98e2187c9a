import { describe, expect, it } from 'vitest';
import { FullRunJobSchema, LATEST_AS_OF } from '../src/index';

describe('the latest as-of day a job may name', () => {
  it('is LATEST_AS_OF: that day is accepted, the next refused with the reason', () => {
    expect(FullRunJobSchema.safeParse({ organization: 'acme', asOf: LATEST_AS_OF }).success).toBe(true);
    const next = `${Number(LATEST_AS_OF.slice(0, 4)) + 1}-01-01`;
    const refused = FullRunJobSchema.safeParse({ organization: 'acme', asOf: next });
    expect(refused.success).toBe(false);
    expect(refused.error?.issues.map((issue) => issue.message)).toEqual([expect.stringContaining(LATEST_AS_OF)]);
    expect(FullRunJobSchema.safeParse({ organization: 'acme', asOf: '0001-01-01' }).success).toBe(true);
  });
});
