import { integer, sqliteTable } from 'drizzle-orm/sqlite-core';

/**
 * Ours, not the contract's: per contact, a digest of the pre-scheduled and
 * skipped rows the scheduler last committed. A run compares its new rows'
 * digest with it and reads the old rows only of contacts whose digest
 * differs, so a night that changes 1% of contacts reads and writes about 1%
 * of the schedule. See write/replace-schedule.ts for why this is sound.
 */
export const scheduleDigests = sqliteTable('schedule_digests', {
  contactId: integer('contact_id').primaryKey(),
  digest: integer('digest').notNull(),
  rowCount: integer('row_count').notNull(),
});
