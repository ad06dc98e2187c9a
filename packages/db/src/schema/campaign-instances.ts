import { index, integer, sqliteTable, text, unique } from 'drizzle-orm/sqlite-core';

export const campaignInstances = sqliteTable(
  'campaign_instances',
  {
    id: integer('id').primaryKey(),
    campaignType: text('campaign_type').notNull(),
    instanceName: text('instance_name').notNull(),
    emailTemplate: text('email_template'),
    smsTemplate: text('sms_template'),
    activeStartDate: text('active_start_date'),
    activeEndDate: text('active_end_date'),
    /** JSON text. */
    metadata: text('metadata'),
    createdAt: text('created_at'),
    updatedAt: text('updated_at'),
  },
  (table) => [
    unique('campaign_instances_type_name_unique').on(table.campaignType, table.instanceName),
    index('idx_campaign_instances_active_dates').on(table.activeStartDate, table.activeEndDate),
  ],
);
