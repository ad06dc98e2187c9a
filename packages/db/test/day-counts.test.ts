import Database from 'better-sqlite3';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { existingDayCountsOfTable, migrateOrganizationDb, openOrganizationDb, replaceContactsSchedule, replaceOrganizationSchedule, type OrganizationDb } from '../src';
import { freshOrganization, insertContacts, scheduleRow } from './support/organization-fixture';
import { useTempDirectory } from './support/temp-directory';
import { parseIsoDate } from '@scheduler/core';

/** The table's non-zero counts, and the same counted from the rows themselves. */
const tableCounts = (db: OrganizationDb) =>
  db.sqlite
    .prepare(
      `SELECT scheduled_send_date, status, email_type, row_count FROM schedule_day_counts
       WHERE row_count <> 0 ORDER BY 1, 2, 3`,
    )
    .raw()
    .all();
const rowCounts = (db: OrganizationDb) =>
  db.sqlite
    .prepare(
      `SELECT scheduled_send_date, status, email_type, count(*) FROM email_schedules
       WHERE status IN ('pre-scheduled', 'scheduled', 'processing') GROUP BY 1, 2, 3 ORDER BY 1, 2, 3`,
    )
    .raw()
    .all();
const triggerCount = (db: OrganizationDb): number =>
  db.sqlite.prepare(`SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'schedule_day_counts%'`).pluck().get() as number;

const runRows = (ids: readonly number[], date: string) =>
  ids.flatMap((id) => [scheduleRow(id, 'aep', '2026-09-15'), scheduleRow(id, 'effective_date', date), scheduleRow(id, 'birthday', date, { status: 'skipped', skipReason: 'year_round: NY' })]);

describe('schedule_day_counts', () => {
  const directory = useTempDirectory();

  it('follows every write to email_schedules, the sending service’s status changes included', () => {
    const db = freshOrganization(directory());
    db.sqlite.exec(`
      INSERT INTO email_schedules (contact_id, email_type, scheduled_send_date, status) VALUES
        (1, 'aep', '2026-09-15', 'pre-scheduled'), (2, 'aep', '2026-09-15', 'pre-scheduled'),
        (3, 'effective_date', '2026-09-15', 'pre-scheduled'), (4, 'birthday', '2026-09-16', 'skipped'),
        (5, 'birthday', '2026-09-16', 'sent');
      UPDATE email_schedules SET status = 'scheduled' WHERE contact_id = 1;
      UPDATE email_schedules SET status = 'processing' WHERE contact_id = 1;
      UPDATE email_schedules SET status = 'sent' WHERE contact_id = 2;
      UPDATE email_schedules SET status = 'pre-scheduled' WHERE contact_id = 4;
      UPDATE email_schedules SET scheduled_send_date = '2026-09-17' WHERE contact_id = 3;
      UPDATE email_schedules SET email_type = 'aep', skip_reason = NULL WHERE contact_id = 3;
      DELETE FROM email_schedules WHERE contact_id = 5;
    `);
    expect(tableCounts(db)).toEqual(rowCounts(db));
    expect(rowCounts(db)).toEqual([
      ['2026-09-15', 'processing', 'aep', 1],
      ['2026-09-16', 'pre-scheduled', 'birthday', 1],
      ['2026-09-17', 'pre-scheduled', 'aep', 1],
    ]);
    db.close();
  });

  for (const rebuild of ['never', 'always'] as const) {
    it(`stays exact through full runs (rebuild: ${rebuild}) and targeted ones, its triggers kept`, () => {
      const db = freshOrganization(directory());
      insertContacts(db, [1, 2, 3, 2000]);
      db.sqlite.exec(`INSERT INTO email_schedules (contact_id, email_type, scheduled_send_date, status) VALUES (2, 'birthday', '2026-06-01', 'scheduled')`);
      const options = { rebuild, probeRows: 1 };
      expect(replaceOrganizationSchedule(db, 'run-1', runRows([1, 2, 3, 2000], '2026-06-01'), options).mode).toBe('bulk-insert');
      expect(tableCounts(db)).toEqual(rowCounts(db));
      const second = replaceOrganizationSchedule(db, 'run-2', runRows([1, 3, 2000], '2026-06-02'), options);
      expect(second.mode).toBe(rebuild === 'always' ? 'rebuild' : 'incremental');
      expect(tableCounts(db)).toEqual(rowCounts(db));
      expect(triggerCount(db)).toBe(3);
      // Same keys, statuses swapped: rows updated in place, counted under their new status.
      const swapped = [1, 3, 2000].flatMap((id) => [
        scheduleRow(id, 'aep', '2026-09-15'),
        scheduleRow(id, 'effective_date', '2026-06-02', { status: 'skipped', skipReason: 'year_round: NY' }),
        scheduleRow(id, 'birthday', '2026-06-02'),
      ]);
      replaceOrganizationSchedule(db, 'run-3', swapped, options);
      expect(tableCounts(db)).toEqual(rowCounts(db));
      replaceContactsSchedule(db, 'reschedule-1', [1, 2], runRows([2], '2026-06-03'));
      db.sqlite.exec(`UPDATE email_schedules SET status = 'scheduled' WHERE contact_id = 3 AND email_type = 'aep'`);
      expect(tableCounts(db)).toEqual(rowCounts(db));
      db.close();
    });
  }

  it('is filled from the rows already there when a file is migrated', () => {
    const path = join(directory(), 'foreign.sqlite');
    const foreign = new Database(path);
    foreign.exec(`
      CREATE TABLE email_schedules (id INTEGER PRIMARY KEY, contact_id INTEGER NOT NULL, email_type TEXT NOT NULL,
        scheduled_send_date TEXT NOT NULL, status TEXT NOT NULL DEFAULT 'pre-scheduled',
        UNIQUE(contact_id, email_type, scheduled_send_date));
      INSERT INTO email_schedules (contact_id, email_type, scheduled_send_date, status) VALUES
        (1, 'aep', '2026-09-15', 'pre-scheduled'), (2, 'aep', '2026-09-15', 'scheduled'), (3, 'aep', '2026-09-15', 'sent');
    `);
    foreign.close();
    migrateOrganizationDb(path);
    const db = openOrganizationDb(path);
    expect(tableCounts(db)).toEqual(rowCounts(db));
    expect(tableCounts(db)).toHaveLength(2);
    db.close();
  });

  it('gives a reschedule the days’ counts without the rescheduled contacts’ own pre-scheduled rows', () => {
    const db = freshOrganization(directory());
    db.sqlite.exec(`
      INSERT INTO email_schedules (contact_id, email_type, scheduled_send_date, status) VALUES
        (1, 'effective_date', '2026-09-15', 'pre-scheduled'), (2, 'effective_date', '2026-09-15', 'pre-scheduled'),
        (2, 'aep', '2026-09-15', 'scheduled'), (3, 'aep', '2026-09-15', 'skipped'), (4, 'aep', '2026-09-14', 'pre-scheduled');
    `);
    const counts = existingDayCountsOfTable(db, [1], '2026-09-15');
    expect(counts.get(parseIsoDate('2026-09-15')!)).toEqual({ all: 2, effectiveDate: 1 });
    expect(counts.get(parseIsoDate('2026-09-14')!)).toBeUndefined();
    db.close();
  });
});
