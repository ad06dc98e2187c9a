import { withDatabaseErrors } from '../connection/database-errors';
import type { OrganizationDb } from '../connection/open-organization-db';
import { ContactDigest, digestsComplete } from '../write/contact-digest';
import { StoredBlockReader } from '../write/digest-blocks';
import { digestStoredRow, STORED_ROW_COLUMNS } from '../write/schedule-row-content';
import { TOUCHED_TRACKING_KEY } from '../write/schedule-triggers';
import { ScheduleChecksum } from './schedule-checksum';

/**
 * `schedulesChecksum` without reading every row: the same bytes, from the
 * stored digests of the contacts nobody touched since the last full run's
 * commit (a few thousand blobs) and the rows of the few who were; nothing
 * read at all when there is no scheduler row. Null when
 * the digests cannot be trusted for that (no full run committed since the
 * triggers exist, or digests never completed): the caller reads the rows.
 * One read transaction, so the digests and the rows are of one moment.
 */
export const schedulesChecksumFromDigests = (db: OrganizationDb): string | null =>
  withDatabaseErrors(`computing the schedules checksum of ${db.path} from its digests`, () =>
    db.sqlite.transaction((): string | null => {
      // No scheduler row at all (before a first run): the checksum of nothing, found through the status index.
      const none = db.sqlite.prepare(`SELECT 1 FROM email_schedules WHERE status IN ('pre-scheduled', 'skipped') LIMIT 1`).get() === undefined;
      if (none) return new ScheduleChecksum().digest();
      const state = db.sqlite.prepare(`SELECT value FROM scheduler_state WHERE key = ?`).pluck();
      if (!digestsComplete(state.get('schedule_digest_blocks')) || state.get(TOUCHED_TRACKING_KEY) !== 'since-full-run') return null;
      const touched = db.sqlite.prepare(`SELECT contact_id FROM schedule_touched_contacts ORDER BY contact_id`).pluck().all() as number[];
      const rowsOf = db.sqlite
        .prepare(
          `SELECT ${STORED_ROW_COLUMNS} FROM email_schedules
           WHERE contact_id = ? AND +status IN ('pre-scheduled', 'skipped')
           ORDER BY email_type, scheduled_send_date`,
        )
        .raw();
      const checksum = new ScheduleChecksum();
      const addFromRows = (contactId: number): void => {
        const digest = new ContactDigest();
        for (const values of rowsOf.iterate(contactId) as IterableIterator<unknown[]>) digestStoredRow(digest, values, 0);
        checksum.addContact(contactId, digest.value(), digest.rowCount);
      };
      let next = 0;
      const reader = new StoredBlockReader(db.sqlite);
      for (let block = reader.next(); block !== null; block = reader.next()) {
        const { entries } = block;
        for (let i = 0; i < entries.length; i += 3) {
          const contactId = entries[i]!;
          while (next < touched.length && touched[next]! < contactId) addFromRows(touched[next++]!);
          if (next < touched.length && touched[next] === contactId) addFromRows(touched[next++]!);
          else checksum.addContact(contactId, entries[i + 1]!, entries[i + 2]!);
        }
      }
      while (next < touched.length) addFromRows(touched[next++]!);
      return checksum.digest();
    })(),
  );
