/**
 * Rows already in the table that the run does not replace but that count on
 * their day (RULES.md §9): `scheduled`/`processing` rows, and for a targeted
 * reschedule the other contacts' `pre-scheduled` rows too.
 */
export interface ExistingDayCount {
  readonly all: number;
  readonly effectiveDate: number;
}

export type ExistingDayCounts = ReadonlyMap<number, ExistingDayCount>;

export const NO_EXISTING_ROWS: ExistingDayCounts = new Map();
