import { describe, expect, it } from 'vitest';
import { formatRunSummary, type RunSummary } from '../src/run-summary';

const summaryWith = (n: number): RunSummary => ({
  run_id: 'run-1',
  organization: 'org',
  kind: 'contacts',
  status: 'completed',
  as_of: '2026-11-28',
  contacts: {
    total: n,
    usable: n,
    invalid: {},
    bad_dates: {},
    state_disagreements: 0,
    malformed_campaign_triggers: 0,
    ids_out_of_range: n,
    unreadable_rows: {},
  },
  emails: { pre_scheduled: n, skipped: 0, by_type: { birthday: n }, by_skip_reason: {} },
  balancing: { daily_cap: 100, ed_daily_limit: 10, smoothed: n, moved_by_daily_cap: n, days_left_over_cap: 0, frequency_capped: n },
  writes: { inserted: n, updated: n, deleted: n, kept: n },
  duration_ms: 12,
});

describe("a summary's lines on a terminal", () => {
  it('name one row, contact, move and email in the singular', () => {
    const text = formatRunSummary(summaryWith(1));
    expect(text).toContain('1 row inserted');
    expect(text).toContain('1 contact skipped');
    expect(text).toContain('1 effective-date email smoothed');
    expect(text).toContain('1 move for the daily cap');
  });

  it('name other counts in the plural, zero included', () => {
    for (const n of [0, 2, 1_000]) {
      const text = formatRunSummary(summaryWith(n));
      expect(text).toContain(`${n.toLocaleString('en-US')} rows inserted`);
      expect(text).toContain(`${n.toLocaleString('en-US')} moves for the daily cap`);
    }
  });
});
