import { index, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';

export const trackingClicks = sqliteTable(
  'tracking_clicks',
  {
    id: integer('id').primaryKey(),
    contactId: integer('contact_id').notNull(),
    emailScheduleId: integer('email_schedule_id'),
    clickedAt: text('clicked_at').notNull(),
  },
  // Behaviour is read per contact range within the follow-up lookback window.
  (table) => [index('idx_tracking_clicks_contact_clicked_at').on(table.contactId, table.clickedAt)],
);
