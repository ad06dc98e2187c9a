import { index, integer, sqliteTable, text, unique } from 'drizzle-orm/sqlite-core';

/** Campaign targets; the UNIQUE key starts with contact_id, so range reads by contact use it. */
export const contactCampaigns = sqliteTable(
  'contact_campaigns',
  {
    id: integer('id').primaryKey(),
    contactId: integer('contact_id').notNull(),
    campaignInstanceId: integer('campaign_instance_id').notNull(),
    triggerDate: text('trigger_date'),
    status: text('status').default('pending'),
    metadata: text('metadata'),
    createdAt: text('created_at'),
    updatedAt: text('updated_at'),
  },
  (table) => [
    unique('contact_campaigns_contact_instance_trigger_unique').on(
      table.contactId,
      table.campaignInstanceId,
      table.triggerDate,
    ),
    // A campaign instance's targets, for rescheduling an instance.
    index('idx_contact_campaigns_instance').on(table.campaignInstanceId),
  ],
);
