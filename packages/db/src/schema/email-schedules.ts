import { sql } from 'drizzle-orm';
import { index, integer, sqliteTable, text, unique } from 'drizzle-orm/sqlite-core';

/**
 * The schedule: the scheduler writes `pre-scheduled`/`skipped` rows, the
 * sending service owns every other status (CONTRACT.md).
 */
export const emailSchedules = sqliteTable(
  'email_schedules',
  {
    id: integer('id').primaryKey(),
    contactId: integer('contact_id').notNull(),
    emailType: text('email_type').notNull(),
    eventYear: integer('event_year'),
    eventMonth: integer('event_month'),
    eventDay: integer('event_day'),
    scheduledSendDate: text('scheduled_send_date').notNull(),
    scheduledSendTime: text('scheduled_send_time').default('08:30:00'),
    status: text('status').notNull().default('pre-scheduled'),
    skipReason: text('skip_reason'),
    priority: integer('priority').default(10),
    campaignInstanceId: integer('campaign_instance_id'),
    emailTemplate: text('email_template'),
    smsTemplate: text('sms_template'),
    schedulerRunId: text('scheduler_run_id'),
    /** JSON text. */
    metadata: text('metadata'),
    createdAt: text('created_at'),
    updatedAt: text('updated_at'),
    actualSendDatetime: text('actual_send_datetime'),
  },
  (table) => [
    unique('email_schedules_contact_type_date_unique').on(table.contactId, table.emailType, table.scheduledSendDate),
    // The contract's (status, scheduled_send_date), with email_type after them so
    // that per-day counts for balancing (RULES.md §9) are read from the index alone.
    index('idx_email_schedules_status_date').on(table.status, table.scheduledSendDate, table.emailType),
    // Only the sender's rows: a pipeline chunk reads its contacts' history
    // without walking the (far more numerous) pre-scheduled rows.
    index('idx_email_schedules_history_contact')
      .on(table.contactId)
      .where(sql`status NOT IN ('pre-scheduled', 'skipped')`),
  ],
);
