import { customType } from 'drizzle-orm/sqlite-core';
import { readStoredFlag, type FlagReading } from '../read/stored-flag';

/**
 * A column CONTRACT.md declares `BOOLEAN` (NUMERIC affinity); the declared
 * type is kept so that a table we create is the table the contract
 * describes, and its default is the contract's (`reading.whenNull`). We write
 * 0/1; a stored value reads through `readStoredFlag` (read/stored-flag.ts),
 * because other systems write text too. drizzle hands NULL back as null
 * without asking the column, so a reader applies `reading.whenNull` itself.
 */
export const boolean = <TName extends string>(name: TName, reading: FlagReading) =>
  customType<{ data: boolean; driverData: unknown }>({
    dataType: () => 'BOOLEAN',
    toDriver: (value) => (value ? 1 : 0),
    fromDriver: (value) => readStoredFlag(value, reading),
  })(name).default(reading.whenNull);
