import { createHash } from 'node:crypto';
import { withDatabaseErrors } from '../connection/database-errors';
import type { OrganizationDb } from '../connection/open-organization-db';
import { ContactDigest } from '../write/contact-digest';
import { digestStoredRow, STORED_ROW_COLUMNS } from '../write/schedule-row-content';
import { ScheduleChecksum } from './schedule-checksum';

const ROWS_PER_UPDATE = 4096;

/**
 * sha256 over every contact (id, email, zip_code, state, birth_date,
 * effective_date) in id order. SQLite builds each row's text and the rows
 * stream through one statement: memory stays flat whatever the size.
 */
export const contactsChecksum = (db: OrganizationDb): string =>
  withDatabaseErrors(`computing the contacts checksum of ${db.path}`, () => {
    const hash = createHash('sha256');
    const rows = db.sqlite
      .prepare(
        `SELECT id || char(31) || ifnull(email, char(1)) || char(31) || ifnull(zip_code, char(1)) || char(31) ||
                ifnull(state, char(1)) || char(31) || ifnull(birth_date, char(1)) || char(31) || ifnull(effective_date, char(1))
         FROM contacts ORDER BY id`,
      )
      .pluck();
    let batch: string[] = [];
    for (const text of rows.iterate() as IterableIterator<string>) {
      batch.push(text);
      if (batch.length >= ROWS_PER_UPDATE) {
        hash.update(batch.join('\n') + '\n');
        batch = [];
      }
    }
    if (batch.length > 0) hash.update(batch.join('\n') + '\n');
    return hash.digest('hex');
  });

/** Adds rows `(contact_id, ...STORED_ROW_COLUMNS)` that come in contact order, a digest per contact. */
const addRowsByContact = (checksum: ScheduleChecksum, rows: IterableIterator<unknown[]>): void => {
  let contactId: number | null = null;
  let digest = new ContactDigest();
  for (const values of rows) {
    const rowContactId = values[0] as number;
    if (rowContactId !== contactId) {
      if (contactId !== null) checksum.addContact(contactId, digest.value(), digest.rowCount);
      contactId = rowContactId;
      digest = new ContactDigest();
    }
    digestStoredRow(digest, values, 1);
  }
  if (contactId !== null) checksum.addContact(contactId, digest.value(), digest.rowCount);
};

/**
 * The checksum of the `pre-scheduled`/`skipped` rows (see ScheduleChecksum),
 * read from the table in key order through the UNIQUE index.
 */
export const schedulesChecksum = (db: OrganizationDb): string =>
  withDatabaseErrors(`computing the schedules checksum of ${db.path}`, () => {
    const checksum = new ScheduleChecksum();
    const rows = db.sqlite
      .prepare(
        // `+status` keeps SQLite on the (contact, type, date) index, which is also the order wanted.
        `SELECT contact_id, ${STORED_ROW_COLUMNS} FROM email_schedules
         WHERE contact_id >= -9223372036854775808 AND +status IN ('pre-scheduled', 'skipped')
         ORDER BY contact_id, email_type, scheduled_send_date`,
      )
      .raw();
    addRowsByContact(checksum, rows.iterate() as IterableIterator<unknown[]>);
    return checksum.digest();
  });

/** Contacts per statement: SQLite limits the parameters of one. */
const CONTACTS_PER_READ = 500;

/** The same checksum over some contacts' rows only, every content column too (a targeted reschedule's). */
export const contactSchedulesChecksum = (db: OrganizationDb, contactIds: readonly number[]): string =>
  withDatabaseErrors(`computing the schedules checksum of ${contactIds.length} contacts of ${db.path}`, () => {
    const checksum = new ScheduleChecksum();
    const ids = [...new Set(contactIds)].sort((a, b) => a - b);
    for (let start = 0; start < ids.length; start += CONTACTS_PER_READ) {
      const batch = ids.slice(start, start + CONTACTS_PER_READ);
      const rows = db.sqlite
        .prepare(
          `SELECT contact_id, ${STORED_ROW_COLUMNS} FROM email_schedules
           WHERE contact_id IN (${batch.map(() => '?').join(', ')}) AND +status IN ('pre-scheduled', 'skipped')
           ORDER BY contact_id, email_type, scheduled_send_date`,
        )
        .raw();
      addRowsByContact(checksum, rows.iterate(...batch) as IterableIterator<unknown[]>);
    }
    return checksum.digest();
  });
