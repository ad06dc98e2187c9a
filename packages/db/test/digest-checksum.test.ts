import { describe, expect, it } from 'vitest';
import { contactSchedulesChecksum, replaceContactsSchedule, replaceOrganizationSchedule, schedulesChecksum, schedulesChecksumFromDigests } from '../src';
import { freshOrganization, insertContacts, scheduleRow } from './support/organization-fixture';
import { useTempDirectory } from './support/temp-directory';

const runRows = (ids: readonly number[]) =>
  ids.flatMap((id) => [
    scheduleRow(id, 'aep', '2026-09-15'),
    scheduleRow(id, 'birthday', '2026-06-01', { status: 'skipped', skipReason: 'year_round: NY' }),
  ]);

describe('schedulesChecksumFromDigests', () => {
  const directory = useTempDirectory();

  it('equals the checksum read from every row, whoever changed the rows since the last full run', () => {
    const db = freshOrganization(directory());
    const ids = [1, 2, 3, 4, 1500];
    insertContacts(db, ids);
    expect(schedulesChecksumFromDigests(db)).toBe(schedulesChecksum(db));
    db.sqlite.exec(`INSERT INTO email_schedules (contact_id, email_type, scheduled_send_date, status) VALUES (9, 'aep', '2026-09-15', 'skipped')`);
    expect(schedulesChecksumFromDigests(db)).toBeNull();
    db.sqlite.exec(`DELETE FROM email_schedules WHERE contact_id = 9`);
    for (const rebuild of ['never', 'always'] as const) {
      replaceOrganizationSchedule(db, 'run-1', runRows(ids), { rebuild, probeRows: 1 });
      expect(schedulesChecksumFromDigests(db)).toBe(schedulesChecksum(db));
      // The sending service claims one row, deletes another, and a row appears for a contact without one.
      db.sqlite.exec(`
        UPDATE email_schedules SET status = 'scheduled' WHERE contact_id = 1 AND email_type = 'aep';
        DELETE FROM email_schedules WHERE contact_id = 3 AND email_type = 'aep';
        UPDATE email_schedules SET skip_reason = 'year_round: NY (edited)' WHERE contact_id = 4 AND email_type = 'birthday';
        INSERT INTO email_schedules (contact_id, email_type, scheduled_send_date, status) VALUES (5, 'aep', '2026-09-15', 'pre-scheduled');
      `);
      expect(schedulesChecksumFromDigests(db)).toBe(schedulesChecksum(db));
      replaceContactsSchedule(db, 'reschedule-1', [2], runRows([2]).slice(0, 1));
      expect(schedulesChecksumFromDigests(db)).toBe(schedulesChecksum(db));
      // The next full run writes back what others removed, though its rows for those contacts did not change.
      const summary = replaceOrganizationSchedule(db, 'run-2', runRows(ids), { rebuild, probeRows: 1 });
      expect(summary.schedulesChecksum).toBe(schedulesChecksum(db));
      expect(schedulesChecksumFromDigests(db)).toBe(schedulesChecksum(db));
      const aepOf3 = db.sqlite.prepare(`SELECT status FROM email_schedules WHERE contact_id = 3 AND email_type = 'aep'`).pluck().get();
      expect(aepOf3).toBe('pre-scheduled');
      const ofContact5 = db.sqlite.prepare(`SELECT count(*) FROM email_schedules WHERE contact_id = 5`).pluck().get();
      expect(ofContact5).toBe(0);
      db.sqlite.exec(`DELETE FROM email_schedules WHERE contact_id = 1 AND status = 'scheduled'`);
    }
    db.close();
  });
});

// A targeted reschedule's checkpoint checksums its contacts' rows: a change of any content column shows.
describe('contactSchedulesChecksum', () => {
  const directory = useTempDirectory();

  it('is the checksum of the listed contacts\' rows, every content column, and nothing of the others', () => {
    const db = freshOrganization(directory());
    const ids = Array.from({ length: 1_200 }, (_, index) => index + 1);
    insertContacts(db, ids);
    replaceOrganizationSchedule(db, 'run-1', runRows(ids));
    // In batches of contacts, in any order and with repeats, it is the whole checksum when every contact is listed.
    expect(contactSchedulesChecksum(db, [...ids].reverse().concat([7]))).toBe(schedulesChecksum(db));
    const ofSome = contactSchedulesChecksum(db, [2, 700]);
    db.sqlite.exec(`UPDATE email_schedules SET email_template = 'other' WHERE contact_id = 3`);
    expect(contactSchedulesChecksum(db, [2, 700])).toBe(ofSome);
    for (const column of ['email_template', 'sms_template', 'metadata', 'scheduled_send_time', 'campaign_instance_id']) {
      db.sqlite.exec(`SAVEPOINT edit; UPDATE email_schedules SET ${column} = '9' WHERE contact_id = 700 AND email_type = 'aep'`);
      expect(contactSchedulesChecksum(db, [2, 700]), column).not.toBe(ofSome);
      db.sqlite.exec('ROLLBACK TO edit; RELEASE edit');
    }
    db.close();
  });
});
