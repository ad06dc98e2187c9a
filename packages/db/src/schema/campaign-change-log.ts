import { index, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import type { FlagReading } from '../read/stored-flag';
import { boolean } from './boolean-column';

/**
 * How `requires_rescheduling` reads (read/stored-flag.ts): NULL is the
 * contract's default, and a value we cannot read asks for a reschedule,
 * which is harmless (the instance's emails are computed again).
 */
export const requiresReschedulingFlag: FlagReading = { whenNull: true, whenUnreadable: true };

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
    requiresRescheduling: boolean('requires_rescheduling', requiresReschedulingFlag),
    processedAt: text('processed_at'),
  },
  (table) => [index('idx_campaign_change_log_processed_at').on(table.processedAt)],
);
