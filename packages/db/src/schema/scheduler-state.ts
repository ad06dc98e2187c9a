import { sqliteTable, text } from 'drizzle-orm/sqlite-core';

/** Ours: small facts the scheduler keeps about an organization file between runs (key → value). */
export const schedulerState = sqliteTable('scheduler_state', {
  key: text('key').primaryKey(),
  value: text('value').notNull(),
});
