import { integer, primaryKey, sqliteTable, text } from 'drizzle-orm/sqlite-core';

/**
 * Ours, not the contract's: how many `email_schedules` rows each day holds
 * per status and type, for the statuses that count toward a day's volume
 * (RULES.md §9: pre-scheduled, scheduled, processing). Kept exact by
 * triggers on `email_schedules` (migration 0003), so that the sending
 * service's status changes count too; a targeted reschedule reads a few
 * rows here instead of tens of thousands of index entries per day.
 * See write/schedule-triggers.ts.
 */
export const scheduleDayCounts = sqliteTable(
  'schedule_day_counts',
  {
    scheduledSendDate: text('scheduled_send_date').notNull(),
    status: text('status').notNull(),
    emailType: text('email_type').notNull(),
    rowCount: integer('row_count').notNull(),
  },
  (table) => [primaryKey({ columns: [table.scheduledSendDate, table.status, table.emailType] })],
);
