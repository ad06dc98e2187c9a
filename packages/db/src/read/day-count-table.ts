import { formatIsoDate, parseIsoDate, type ExistingDayCount, type ExistingDayCounts } from '@scheduler/core';
import { withDatabaseErrors } from '../connection/database-errors';
import type { OrganizationDb } from '../connection/open-organization-db';

/**
 * For a targeted reschedule of `contactIds` (RULES.md §9, §10): per day from
 * `fromDate` on, every pre-scheduled/scheduled/processing row but those
 * contacts' own pre-scheduled rows (which the reschedule replaces). A day is
 * read from `schedule_day_counts` (a few rows, kept exact by triggers) when
 * the finalizer first asks for it; the contacts' own rows are read once
 * through the UNIQUE index. The cost grows with neither how full the days
 * are nor how many days there are.
 */
export const existingDayCountsOfTable = (
  db: OrganizationDb,
  contactIds: Iterable<number>,
  fromDate = '0000-00-00',
): ExistingDayCounts =>
  withDatabaseErrors(`reading day counts of ${db.path}`, () => {
    const own = new Map<number, { all: number; effectiveDate: number }>();
    const ownRows = db.sqlite
      .prepare(
        `SELECT scheduled_send_date, email_type FROM email_schedules
         WHERE contact_id = ? AND +status = 'pre-scheduled' AND scheduled_send_date >= ?`,
      )
      .raw();
    for (const contactId of new Set(contactIds)) {
      for (const [date, emailType] of ownRows.all(contactId, fromDate) as [unknown, unknown][]) {
        const day = typeof date === 'string' ? parseIsoDate(date) : null;
        if (day === null) continue;
        const count = own.get(day) ?? { all: 0, effectiveDate: 0 };
        count.all++;
        if (emailType === 'effective_date') count.effectiveDate++;
        own.set(day, count);
      }
    }
    const first = parseIsoDate(fromDate) ?? Number.MIN_SAFE_INTEGER;
    const ofDay = db.sqlite
      .prepare(
        `SELECT ifnull(sum(row_count), 0), ifnull(sum(CASE WHEN email_type = 'effective_date' THEN row_count ELSE 0 END), 0)
         FROM schedule_day_counts
         WHERE scheduled_send_date = ? AND status IN ('pre-scheduled', 'scheduled', 'processing')`,
      )
      .raw();
    const counted = new Map<number, ExistingDayCount | undefined>();
    return {
      get(day: number): ExistingDayCount | undefined {
        if (counted.has(day)) return counted.get(day);
        let count: ExistingDayCount | undefined;
        if (day >= first) {
          const [all, effectiveDate] = withDatabaseErrors(`reading day counts of ${db.path}`, () => ofDay.get(formatIsoDate(day))) as [number, number];
          const mine = own.get(day);
          const kept = { all: all - (mine?.all ?? 0), effectiveDate: effectiveDate - (mine?.effectiveDate ?? 0) };
          if (kept.all > 0) count = kept;
        }
        counted.set(day, count);
        return count;
      },
    };
  });
