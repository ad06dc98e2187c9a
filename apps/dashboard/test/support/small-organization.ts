import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { migrateOrganizationDb, openOrganizationDb, schema, type OrganizationDb } from '@scheduler/db';
import { afterEach } from 'vitest';

export type EmailInsert = typeof schema.emailSchedules.$inferInsert;

/** A fresh, empty organization file per test (removed after it), with a writable connection. */
export const useSmallOrganization = (): (() => OrganizationDb) => {
  let directory: string | null = null;
  let db: OrganizationDb | null = null;
  afterEach(() => {
    db?.close();
    if (directory !== null) rmSync(directory, { recursive: true, force: true });
    db = null;
    directory = null;
  });
  return () => {
    if (db === null) {
      directory = mkdtempSync(join(tmpdir(), 'scheduler-dashboard-unit-'));
      const path = join(directory, 'org.sqlite');
      migrateOrganizationDb(path);
      db = openOrganizationDb(path);
    }
    return db;
  };
};

export const email = (contactId: number, emailType: string, date: string, overrides: Partial<EmailInsert> = {}): EmailInsert => ({
  contactId,
  emailType,
  scheduledSendDate: date,
  status: 'pre-scheduled',
  schedulerRunId: 'run-test',
  ...overrides,
});
