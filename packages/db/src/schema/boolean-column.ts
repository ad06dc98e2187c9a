import { customType } from 'drizzle-orm/sqlite-core';

/**
 * CONTRACT.md declares these columns `BOOLEAN` (NUMERIC affinity) and the
 * main application writes 0/1; the declared type is kept so that a table we
 * create is the table the contract describes.
 */
export const boolean = customType<{ data: boolean; driverData: number }>({
  dataType: () => 'BOOLEAN',
  toDriver: (value) => (value ? 1 : 0),
  fromDriver: (value) => Boolean(value),
});
