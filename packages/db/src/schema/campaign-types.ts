import { integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import type { FlagReading } from '../read/stored-flag';
import { boolean } from './boolean-column';

/**
 * How each flag reads (read/stored-flag.ts): NULL is the contract's default;
 * a value we cannot read never widens who gets email, so it keeps exclusion
 * windows, and turns off follow-ups, targeting everyone and the type itself.
 */
export const campaignTypeFlags = {
  respectExclusionWindows: { whenNull: true, whenUnreadable: true },
  enableFollowups: { whenNull: true, whenUnreadable: false },
  targetAllContacts: { whenNull: false, whenUnreadable: false },
  active: { whenNull: true, whenUnreadable: false },
} as const satisfies Record<string, FlagReading>;

export const campaignTypes = sqliteTable('campaign_types', {
  name: text('name').primaryKey(),
  respectExclusionWindows: boolean('respect_exclusion_windows', campaignTypeFlags.respectExclusionWindows),
  enableFollowups: boolean('enable_followups', campaignTypeFlags.enableFollowups),
  daysBeforeEvent: integer('days_before_event').default(0),
  targetAllContacts: boolean('target_all_contacts', campaignTypeFlags.targetAllContacts),
  priority: integer('priority').default(10),
  active: boolean('active', campaignTypeFlags.active),
  createdAt: text('created_at'),
  updatedAt: text('updated_at'),
});
