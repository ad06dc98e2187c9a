import { integer, sqliteTable } from 'drizzle-orm/sqlite-core';

/**
 * Ours, not the contract's: contacts whose `pre-scheduled`/`skipped` rows
 * someone changed since the last full run's commit (triggers of migration
 * 0004 add them; that commit empties the table). For every other contact
 * the digest in `schedule_digest_blocks` describes its rows, so the
 * schedules checksum is derived from the digests and these few contacts'
 * rows, not from every row (see runs/digest-checksum.ts).
 */
export const scheduleTouchedContacts = sqliteTable('schedule_touched_contacts', {
  contactId: integer('contact_id').primaryKey(),
});
