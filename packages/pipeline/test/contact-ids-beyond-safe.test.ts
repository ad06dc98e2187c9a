/*
 * contacts.id is a 64-bit INTEGER PRIMARY KEY (CONTRACT.md); JavaScript holds integers exactly only up to
 * ±(2^53 − 1). A contact beyond is a bad row: counted and skipped, while every other contact, the bounds
 * included, is scheduled (RULES.md §10: a full run covers every contact).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { migrateOrganizationDb } from '@scheduler/db';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { OrganizationFiles } from '../src/thread-tasks';
import { writeOrganization } from './support/organization-fixture';
import { fullRunThroughTasks, runTask, silentLog } from './support/thread-task-runs';

const SAFE_IDS = [String(Number.MIN_SAFE_INTEGER), '-1', '0', '1', String(Number.MAX_SAFE_INTEGER)];
const BEYOND_IDS = ['-9007199254740992', '9007199254740992', '9007199254740993', '9223372036854775807'];

describe('a full run over contacts whose ids JavaScript cannot hold exactly', () => {
  let directory: string;
  let files: OrganizationFiles;

  beforeEach(() => {
    directory = mkdtempSync(join(tmpdir(), 'scheduler-big-ids-'));
    files = { organization: 'big-ids', databasePath: join(directory, 'org.sqlite'), stagingPath: join(directory, 'org.staging.sqlite') };
    migrateOrganizationDb(files.databasePath);
    const db = new Database(files.databasePath);
    // Bound as text and cast, so that SQLite stores each id exactly.
    const insert = db.prepare(
      `INSERT INTO contacts (id, email, zip_code, state, birth_date) VALUES (CAST(? AS INTEGER), 'c@example.com', '60601', 'IL', '1970-03-15')`,
    );
    for (const id of [...SAFE_IDS, ...BEYOND_IDS]) insert.run(id);
    db.close();
  });

  afterEach(() => rmSync(directory, { recursive: true, force: true }));

  it("reschedules a campaign instance's targets but those whose ids it cannot hold exactly, never another contact in their place", async () => {
    const db = new Database(files.databasePath);
    db.exec(`
      INSERT INTO campaign_types (name, respect_exclusion_windows) VALUES ('promo', 0);
      INSERT INTO campaign_instances (id, campaign_type, instance_name, active_start_date) VALUES (5, 'promo', 'spring', '2026-01-01');
      INSERT INTO contact_campaigns (contact_id, campaign_instance_id, trigger_date, status) VALUES (1, 5, '2026-02-01', 'pending'), (9007199254740993, 5, '2026-02-01', 'pending');
    `);
    db.close();
    const result = await runTask({
      kind: 'reschedule',
      files,
      runId: 'reschedule-big-ids',
      asOf: '2026-01-10',
      configJson: '{}',
      target: { campaignInstanceId: 5 },
      log: silentLog(files, 'reschedule-big-ids'),
    });
    expect(result).toMatchObject({ status: 'completed' });
    const read = new Database(files.databasePath, { readonly: true });
    const rescheduled = read.prepare('SELECT DISTINCT CAST(contact_id AS TEXT) FROM email_schedules ORDER BY contact_id').pluck().all();
    read.close();
    // 9007199254740993 would round to 9007199254740992, another contact, which is no target.
    expect(rescheduled).toEqual(['1']);
  });

  it('completes, schedules every other contact under its exact id, and counts the others apart', async () => {
    const summary = await fullRunThroughTasks(files, 'run-big-ids', '2026-01-10');
    expect(summary.contacts.total).toBe(SAFE_IDS.length);
    expect(summary.contacts.usable).toBe(SAFE_IDS.length);
    expect(summary.contacts.ids_out_of_range).toBe(BEYOND_IDS.length);

    const db = new Database(files.databasePath, { readonly: true });
    const scheduled = db
      .prepare("SELECT DISTINCT CAST(contact_id AS TEXT) FROM email_schedules WHERE email_type = 'birthday' ORDER BY contact_id")
      .pluck()
      .all();
    db.close();
    expect(scheduled).toEqual(SAFE_IDS);
  });
});

/*
 * email_schedules.id is a 64-bit INTEGER PRIMARY KEY too. Once another system has stored a row beyond
 * 2^53 − 1, every row inserted after it is too: a commit that moved a row by its id rounded to a number
 * would move another row, possibly one the sender holds (2^60 + 2 and 2^60 round to the same number).
 */
describe('a full run on a schedule whose row ids JavaScript cannot hold exactly', () => {
  let directory: string;

  beforeEach(() => {
    directory = mkdtempSync(join(tmpdir(), 'scheduler-big-row-ids-'));
  });
  afterEach(() => rmSync(directory, { recursive: true, force: true }));

  /** An organization whose last two sender rows have the ids given (as text, stored exactly). */
  const organizationWithSenderRowsAt = (name: string, ids: readonly [string, string]): OrganizationFiles => {
    const files = { organization: name, databasePath: join(directory, `${name}.sqlite`), stagingPath: join(directory, `${name}.staging.sqlite`) };
    writeOrganization(files.databasePath, { contacts: 400, seed: 11, today: '2026-11-28' });
    const db = new Database(files.databasePath);
    const insert = db.prepare(
      `INSERT INTO email_schedules (id, contact_id, email_type, event_year, event_month, event_day, scheduled_send_date, status, actual_send_datetime)
       VALUES (CAST(? AS INTEGER), ?, 'aep', 2025, 9, 15, '2025-09-15', 'sent', '2025-09-15 13:30:00')`,
    );
    insert.run(ids[0], 2);
    insert.run(ids[1], 3);
    db.close();
    return files;
  };

  const senderRows = (files: OrganizationFiles) => {
    const db = new Database(files.databasePath, { readonly: true });
    try {
      return db.prepare(`SELECT CAST(id AS TEXT) AS id, * FROM email_schedules WHERE status NOT IN ('pre-scheduled', 'skipped') ORDER BY id`).all();
    } finally {
      db.close();
    }
  };

  const schedulerRows = (files: OrganizationFiles) => {
    const db = new Database(files.databasePath, { readonly: true });
    try {
      return db
        .prepare(
          `SELECT contact_id, email_type, event_year, event_month, event_day, scheduled_send_date, status, skip_reason, priority,
                  campaign_instance_id, email_template, sms_template, metadata
           FROM email_schedules WHERE status IN ('pre-scheduled', 'skipped') ORDER BY contact_id, email_type, scheduled_send_date`,
        )
        .all();
    } finally {
      db.close();
    }
  };

  it('moves its own rows on the next day and never another, with the rows of the same file under small ids', async () => {
    const big = organizationWithSenderRowsAt('big', [String(2n ** 60n), String(2n ** 60n + 1n)]);
    const small = organizationWithSenderRowsAt('small', ['900000', '900001']);
    const senderBefore = senderRows(big);
    for (const files of [big, small]) await fullRunThroughTasks(files, `run-${files.organization}-1`, '2026-11-28');
    const nextDay = await fullRunThroughTasks(big, 'run-big-2', '2026-11-29');
    await fullRunThroughTasks(small, 'run-small-2', '2026-11-29');
    // The next day moved rows (by id), all of them ids beyond 2^53 here.
    expect(nextDay.writes.updated).toBeGreaterThan(0);
    expect(senderRows(big)).toEqual(senderBefore);
    expect(schedulerRows(big)).toEqual(schedulerRows(small));
  });
});
