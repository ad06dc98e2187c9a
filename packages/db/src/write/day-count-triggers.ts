import type Database from 'better-sqlite3';

/** The triggers of migration 0003 that keep `schedule_day_counts` exact. */
const DAY_COUNT_TRIGGERS = `SELECT name, sql FROM sqlite_master
  WHERE type = 'trigger' AND tbl_name = 'email_schedules' AND name LIKE 'schedule_day_counts\\_%' ESCAPE '\\'`;

/**
 * For a full run's commit, inside its transaction: the day-count triggers
 * are dropped, so that millions of written rows do not each pay an upsert
 * (and a rebuild may drop and swap the table), and `restore` recounts the
 * table in one pass over the (status, date, type) index, then re-creates
 * the triggers as migration 0003 wrote them. Other connections never see
 * the table without them: the whole is one transaction.
 */
export const suspendDayCountTriggers = (sqlite: Database.Database): { restore: () => void } => {
  const triggers = sqlite.prepare(DAY_COUNT_TRIGGERS).raw().all() as [string, string][];
  for (const [name] of triggers) sqlite.exec(`DROP TRIGGER "${name.replaceAll('"', '""')}"`);
  return {
    restore: () => {
      if (triggers.length === 0) return;
      recountDays(sqlite);
      for (const [, sql] of triggers) sqlite.exec(sql);
    },
  };
};

/** `schedule_day_counts` from the rows themselves (the statuses that count toward a day, RULES.md §9). */
export const recountDays = (sqlite: Database.Database): void => {
  sqlite.exec('DELETE FROM schedule_day_counts');
  sqlite.exec(
    `INSERT INTO schedule_day_counts (scheduled_send_date, status, email_type, row_count)
     SELECT scheduled_send_date, status, email_type, count(*) FROM email_schedules
     WHERE status IN ('pre-scheduled', 'scheduled', 'processing')
     GROUP BY status, scheduled_send_date, email_type`,
  );
};
