import { integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import { boolean } from './boolean-column';

export const campaignTypes = sqliteTable('campaign_types', {
  name: text('name').primaryKey(),
  respectExclusionWindows: boolean('respect_exclusion_windows').default(true),
  enableFollowups: boolean('enable_followups').default(true),
  daysBeforeEvent: integer('days_before_event').default(0),
  targetAllContacts: boolean('target_all_contacts').default(false),
  priority: integer('priority').default(10),
  active: boolean('active').default(true),
  createdAt: text('created_at'),
  updatedAt: text('updated_at'),
});
