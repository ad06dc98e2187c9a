import { index, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';

/** Owned by the main application; the scheduler only reads it (CONTRACT.md). */
export const contacts = sqliteTable(
  'contacts',
  {
    id: integer('id').primaryKey(),
    email: text('email'),
    zipCode: text('zip_code'),
    state: text('state'),
    birthDate: text('birth_date'),
    effectiveDate: text('effective_date'),
    phoneNumber: text('phone_number'),
  },
  (table) => [
    index('idx_contacts_birth_date').on(table.birthDate),
    index('idx_contacts_effective_date').on(table.effectiveDate),
  ],
);
