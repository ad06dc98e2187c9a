import { blob, integer, sqliteTable } from 'drizzle-orm/sqlite-core';

/**
 * Ours, not the contract's: per contact, a digest of the pre-scheduled and
 * skipped rows the scheduler last committed, kept in blocks of 1024 contact
 * ids (`block = floor(contact_id / 1024)`), each a packed array of
 * (contact_id, digest, row_count) float64 triples in contact order. A run
 * reads a few thousand blocks instead of millions of rows, compares each
 * contact's new rows with its digest, and reads and writes the schedule only
 * where they differ. A block changed in a few contacts gets a delta row
 * under `block - 2^50` instead of being rewritten (write/digest-blocks.ts).
 * See write/replace-schedule.ts.
 */
export const scheduleDigestBlocks = sqliteTable('schedule_digest_blocks', {
  block: integer('block').primaryKey(),
  entries: blob('entries', { mode: 'buffer' }).notNull(),
});
