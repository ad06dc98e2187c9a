import type Database from 'better-sqlite3';
import { UNKNOWN_DIGEST } from './contact-digest';
import type { DayCountDeltas } from './day-count-deltas';
import { BlockWriter, updateDigestEntries } from './digest-blocks';

/** Our triggers on `email_schedules` (migrations 0003, 0004 and 0005). */
const OUR_TRIGGERS = `SELECT name, sql FROM sqlite_master
  WHERE type = 'trigger' AND tbl_name = 'email_schedules'
    AND (name LIKE 'schedule_day_counts\\_%' ESCAPE '\\' OR name LIKE 'schedule_touched\\_%' ESCAPE '\\'
         OR name LIKE 'scheduler_inputs\\_%' ESCAPE '\\')`;

/** scheduler_state: set when `schedule_touched_contacts` has recorded every change since a full run's commit. */
export const TOUCHED_TRACKING_KEY = 'schedule_touched_contacts';

/** Whether a trigger on `email_schedules` is one of ours, which a full run's commit may drop and re-create. */
export const isOurScheduleTrigger = (name: string): boolean => /^(schedule_(day_counts|touched)|scheduler_inputs)_/.test(name);

export interface HeldScheduleTriggers {
  /** The contacts whose pre-scheduled or skipped rows someone changed since the last full run's commit. */
  readonly touchedContacts: readonly number[];
  /** Drops our triggers (once). */
  suspend(): void;
  /** With `dayCounts`, the commit's own changes to the day counts are applied; without, the days are recounted. */
  restore(dayCounts?: DayCountDeltas | null): void;
}

/**
 * For a full run's commit, inside its transaction. First, every contact
 * someone touched since the last one gets a digest that matches nothing, so
 * that its rows are compared row by row (whatever was changed, even a row
 * deleted that the run writes again). Once suspended, no written row pays
 * for our triggers (an upsert each: measured at 300k contacts, 56k moved
 * rows took 9.3 s with them, 5.4 s without). `restore` brings
 * `schedule_day_counts` up to date — from the commit's own deltas when it
 * gathered them, else by a recount of the (status, date, type) index (for
 * millions of rows written, or a rebuilt table) — empties the touched
 * contacts (the commit has rewritten every digest), and re-creates the
 * triggers as the migrations wrote them. Other connections never see the
 * table without them: the whole is one transaction.
 */
export const holdScheduleTriggers = (sqlite: Database.Database): HeldScheduleTriggers => {
  const triggers = sqlite.prepare(OUR_TRIGGERS).raw().all() as [string, string][];
  const touchedContacts = distrustTouchedContacts(sqlite);
  let suspended = false;
  return {
    touchedContacts,
    suspend: () => {
      if (suspended) return;
      suspended = true;
      for (const [name] of triggers) sqlite.exec(`DROP TRIGGER IF EXISTS "${name.replaceAll('"', '""')}"`);
    },
    restore: (dayCounts) => {
      if (triggers.length === 0) return;
      if (suspended) {
        if (dayCounts === undefined || dayCounts === null) recountDays(sqlite);
        else dayCounts.apply(sqlite);
      }
      sqlite.exec('DELETE FROM schedule_touched_contacts');
      sqlite
        .prepare(`INSERT INTO scheduler_state (key, value) VALUES (?, 'since-full-run') ON CONFLICT (key) DO UPDATE SET value = excluded.value`)
        .run(TOUCHED_TRACKING_KEY);
      if (suspended) for (const [, sql] of triggers) sqlite.exec(sql);
    },
  };
};

/** `holdScheduleTriggers` with the triggers suspended at once. */
export const suspendScheduleTriggers = (sqlite: Database.Database): { restore: () => void } => {
  const held = holdScheduleTriggers(sqlite);
  held.suspend();
  return { restore: held.restore };
};

const distrustTouchedContacts = (sqlite: Database.Database): number[] => {
  const hasTable = sqlite.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schedule_touched_contacts'`).get();
  if (hasTable === undefined) return [];
  const touched = sqlite
    .prepare(
      `SELECT t.contact_id, (SELECT count(*) FROM email_schedules AS s
                             WHERE s.contact_id = t.contact_id AND +s.status IN ('pre-scheduled', 'skipped'))
       FROM schedule_touched_contacts AS t ORDER BY t.contact_id`,
    )
    .raw()
    .all() as [number, number][];
  if (touched.length > 0) {
    updateDigestEntries(
      new BlockWriter(sqlite),
      new Map(touched.map(([contactId, rows]) => [contactId, rows === 0 ? null : ([UNKNOWN_DIGEST, rows] as const)])),
    );
  }
  return touched.map(([contactId]) => contactId);
};

/** `schedule_day_counts` from the rows themselves (the statuses that count toward a day, RULES.md §9). */
const recountDays = (sqlite: Database.Database): void => {
  sqlite.exec('DELETE FROM schedule_day_counts');
  sqlite.exec(
    `INSERT INTO schedule_day_counts (scheduled_send_date, status, email_type, row_count)
     SELECT scheduled_send_date, status, email_type, count(*) FROM email_schedules
     WHERE status IN ('pre-scheduled', 'scheduled', 'processing')
     GROUP BY status, scheduled_send_date, email_type`,
  );
};
