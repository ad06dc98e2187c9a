import { parseIsoDate, type ExistingDayCount, type ExistingDayCounts } from '@scheduler/core';
import { withDatabaseErrors } from '../connection/database-errors';
import type { OrganizationDb } from '../connection/open-organization-db';

const addCount = (counts: Map<number, ExistingDayCount>, date: unknown, all: number, effectiveDate: number): void => {
  const day = typeof date === 'string' ? parseIsoDate(date) : null;
  if (day === null || all === 0) return;
  const previous = counts.get(day);
  counts.set(day, {
    all: (previous?.all ?? 0) + all,
    effectiveDate: (previous?.effectiveDate ?? 0) + effectiveDate,
  });
};

/** Per day, rows of the given statuses; read from the (status, date, type) index alone. */
const countsByDay = (db: OrganizationDb, statuses: readonly string[], fromDate: string): Map<number, ExistingDayCount> => {
  const rows = db.sqlite
    .prepare(
      `SELECT scheduled_send_date, count(*), sum(email_type = 'effective_date') FROM email_schedules
       WHERE status IN (${statuses.map(() => '?').join(', ')}) AND scheduled_send_date >= ?
       GROUP BY scheduled_send_date`,
    )
    .raw()
    .all(...statuses, fromDate) as [unknown, number, number][];
  const counts = new Map<number, ExistingDayCount>();
  for (const [date, all, effectiveDate] of rows) addCount(counts, date, all, effectiveDate);
  return counts;
};

/**
 * For a full run (RULES.md §9): per day from `fromDate` on (today; the
 * balancer never places a row earlier), the `scheduled`/`processing` rows
 * the run does not replace but that count on their day.
 */
export const existingDayCounts = (db: OrganizationDb, fromDate = '0000-00-00'): ExistingDayCounts =>
  withDatabaseErrors(`counting existing rows per day of ${db.path}`, () =>
    countsByDay(db, ['scheduled', 'processing'], fromDate),
  );

/**
 * For a targeted reschedule of `contactIds` (RULES.md §10): as for a full
 * run, plus every other contact's `pre-scheduled` rows, which stay. The
 * rescheduled contacts' own pre-scheduled rows are subtracted after an
 * index-only count of all of them, so the cost does not grow with a scan of
 * the whole table's rows.
 */
export const existingDayCountsExcept = (
  db: OrganizationDb,
  contactIds: Iterable<number>,
  fromDate = '0000-00-00',
): ExistingDayCounts =>
  withDatabaseErrors(`counting existing rows per day of ${db.path}`, () => {
    const counts = countsByDay(db, ['scheduled', 'processing', 'pre-scheduled'], fromDate);
    const ownRows = db.sqlite
      .prepare(
        `SELECT scheduled_send_date, email_type FROM email_schedules
         WHERE contact_id = ? AND +status = 'pre-scheduled' AND scheduled_send_date >= ?`,
      )
      .raw();
    for (const contactId of new Set(contactIds)) {
      for (const [date, emailType] of ownRows.all(contactId, fromDate) as [unknown, unknown][]) {
        addCount(counts, date, -1, emailType === 'effective_date' ? -1 : 0);
      }
    }
    for (const [day, count] of counts) if (count.all <= 0) counts.delete(day);
    return counts;
  });
