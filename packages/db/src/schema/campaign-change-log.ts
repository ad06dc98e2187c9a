import { index, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import { boolean } from './boolean-column';

export const campaignChangeLog = sqliteTable(
  'campaign_change_log',
  {
    id: integer('id').primaryKey(),
    campaignInstanceId: integer('campaign_instance_id').notNull(),
    fieldChanged: text('field_changed').notNull(),
    oldValue: text('old_value'),
    newValue: text('new_value'),
    changedAt: text('changed_at').notNull(),
    changedBy: text('changed_by'),
    requiresRescheduling: boolean('requires_rescheduling').default(true),
    processedAt: text('processed_at'),
  },
  (table) => [index('idx_campaign_change_log_processed_at').on(table.processedAt)],
);
