import { index, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';

export const contactEvents = sqliteTable(
  'contact_events',
  {
    id: integer('id').primaryKey(),
    contactId: integer('contact_id').notNull(),
    eventType: text('event_type').notNull(),
    createdAt: text('created_at').notNull(),
    /** JSON text. */
    metadata: text('metadata'),
  },
  // Behaviour is read per contact range within the follow-up lookback window.
  (table) => [index('idx_contact_events_contact_type_created_at').on(table.contactId, table.eventType, table.createdAt)],
);
