/**
 * Rows already in the table that the run does not replace but that count on
 * their day (RULES.md §9): `scheduled`/`processing` rows, and for a targeted
 * reschedule the other contacts' `pre-scheduled` rows too.
 */
export interface ExistingDayCount {
  readonly all: number;
  readonly effectiveDate: number;
}

/**
 * Looked up by day only, for the days that hold the run's emails: a map of
 * every day does, and so does a lookup that counts one day on demand (what a
 * one-contact reschedule wants, rather than counting the whole table).
 */
export interface ExistingDayCounts {
  get(day: number): ExistingDayCount | undefined;
}
