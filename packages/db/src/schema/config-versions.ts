import { index, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';

export const configVersions = sqliteTable(
  'config_versions',
  {
    id: integer('id').primaryKey(),
    configType: text('config_type').notNull(),
    /** JSON text. */
    configData: text('config_data').notNull(),
    validFrom: text('valid_from').notNull(),
    validTo: text('valid_to'),
    createdAt: text('created_at').notNull(),
    createdBy: text('created_by'),
  },
  (table) => [index('idx_config_versions_type_valid_to').on(table.configType, table.validTo)],
);
