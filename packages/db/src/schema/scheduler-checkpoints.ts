import { integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';

export const schedulerCheckpoints = sqliteTable('scheduler_checkpoints', {
  id: integer('id').primaryKey(),
  runTimestamp: text('run_timestamp').notNull(),
  schedulerRunId: text('scheduler_run_id').unique().notNull(),
  contactsChecksum: text('contacts_checksum').notNull(),
  schedulesBeforeChecksum: text('schedules_before_checksum'),
  schedulesAfterChecksum: text('schedules_after_checksum'),
  contactsProcessed: integer('contacts_processed'),
  emailsScheduled: integer('emails_scheduled'),
  emailsSkipped: integer('emails_skipped'),
  /** started | completed | failed */
  status: text('status').notNull(),
  errorMessage: text('error_message'),
  completedAt: text('completed_at'),
  /** Ours: the organization's input generation (migration 0005) when the run started. */
  inputGeneration: integer('input_generation'),
});
