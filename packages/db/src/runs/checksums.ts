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
    let contactId: number | null = null;
    let digest = new ContactDigest();
    for (const values of rows.iterate() as IterableIterator<unknown[]>) {
      const rowContactId = values[0] as number;
      if (rowContactId !== contactId) {
        if (contactId !== null) checksum.addContact(contactId, digest.value(), digest.rowCount);
        contactId = rowContactId;
        digest = new ContactDigest();
      }
      digestStoredRow(digest, values, 1);
    }
    if (contactId !== null) checksum.addContact(contactId, digest.value(), digest.rowCount);
    return checksum.digest();
  });
