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
