import { join } from 'node:path';
import { migrateOrganizationDb, openOrganizationDb, type OrganizationDb, type ScheduleRow } from '../../src';

export const freshOrganization = (directory: string, name = 'org.sqlite'): OrganizationDb => {
  const path = join(directory, name);
  migrateOrganizationDb(path);
  return openOrganizationDb(path);
};

export const insertContacts = (db: OrganizationDb, ids: readonly number[]): void => {
  const insert = db.sqlite.prepare(
    `INSERT INTO contacts (id, email, zip_code, state, birth_date, effective_date) VALUES (?, ?, '90210', 'CA', '1950-06-15', '2010-03-01')`,
  );
  db.sqlite.transaction(() => {
    for (const id of ids) insert.run(id, `c${id}@example.com`);
  })();
};

export const scheduleRow = (contactId: number, emailType: string, date: string, overrides: Partial<ScheduleRow> = {}): ScheduleRow => ({
  contactId,
  emailType,
  eventYear: 2026,
  eventMonth: 6,
  eventDay: 15,
  scheduledSendDate: date,
  scheduledSendTime: '08:30:00',
  status: 'pre-scheduled',
  skipReason: null,
  priority: 10,
  campaignInstanceId: null,
  emailTemplate: emailType,
  smsTemplate: null,
  schedulerRunId: 'run-test',
  metadata: null,
  createdAt: '2026-01-01 00:00:00',
  updatedAt: '2026-01-01 00:00:00',
  ...overrides,
});

export interface StoredScheduleRow {
  id: number;
  contact_id: number;
  email_type: string;
  scheduled_send_date: string;
  status: string;
  skip_reason: string | null;
  scheduler_run_id: string | null;
}

export const storedRows = (db: OrganizationDb): StoredScheduleRow[] =>
  db.sqlite
    .prepare(
      `SELECT id, contact_id, email_type, scheduled_send_date, status, skip_reason, scheduler_run_id
       FROM email_schedules ORDER BY contact_id, email_type, scheduled_send_date`,
    )
    .all() as StoredScheduleRow[];
