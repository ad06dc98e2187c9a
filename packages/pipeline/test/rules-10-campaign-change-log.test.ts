/*
 * RULES.md §10 on campaign_change_log: a change-log row triggers a reschedule and is "then marked processed";
 * a full run "marks every pending campaign_change_log row processed" because it "covers every contact"; and
 * "Nothing lost. A reschedule requested while a full run is in flight is reflected after both finish."
 *
 * A change the main application logs after a run has read the campaign tables is not in that run's rows. If
 * the run marked its log row processed all the same, nothing would ever reschedule for it (the poll only looks
 * at unprocessed rows): the change would be lost until some later full run. These tests log such a change at
 * the moment a run is past its reads — through a SQLite trigger on the run's checkpoint for a reschedule, and
 * between the chunks and the finalizer for a full run — and check that its row stays pending and that the
 * next reschedule reflects it.
 *
 * The tasks run in this thread through runThreadTask (no queue, no Redis): the same code the fleet's threads run.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { migrateOrganizationDb } from '@scheduler/db';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { OrganizationFiles } from '../src/thread-tasks';
import { fullRunThroughTasks, runTask, silentLog } from './support/thread-task-runs';

const AS_OF = '2026-06-01';
const ORGANIZATION = 'change-log';

interface ChangeLogRow {
  readonly id: number;
  readonly processed_at: string | null;
}

/** One IL contact targeted by instance 1 (campaign type promo) on 2026-06-20, and one change-log row pending for it. */
const writeOrganization = (path: string): void => {
  migrateOrganizationDb(path);
  const db = new Database(path);
  try {
    db.exec(`
      INSERT INTO contacts (id, email, zip_code, state, birth_date, effective_date) VALUES (1, 'c1@example.com', '60601', 'IL', NULL, NULL);
      INSERT INTO campaign_types (name, respect_exclusion_windows, enable_followups, days_before_event, target_all_contacts, priority, active)
        VALUES ('promo', 1, 1, 0, 0, 5, 1);
      INSERT INTO campaign_instances (id, campaign_type, instance_name, email_template, sms_template, active_start_date, active_end_date, metadata)
        VALUES (1, 'promo', 'spring', 'promo_v1', NULL, NULL, NULL, NULL);
      INSERT INTO contact_campaigns (contact_id, campaign_instance_id, trigger_date, status) VALUES (1, 1, '2026-06-20', 'pending');
      INSERT INTO campaign_change_log (id, campaign_instance_id, field_changed, old_value, new_value, changed_at, changed_by, requires_rescheduling, processed_at)
        VALUES (1, 1, 'email_template', 'promo_v0', 'promo_v1', '2026-06-01 08:00:00', 'ops', 1, NULL);
    `);
  } finally {
    db.close();
  }
};

/** What the main application does when someone edits the instance: the change and its log row, together. */
const CHANGE_TEMPLATE_TO_V2 = `
  UPDATE campaign_instances SET email_template = 'promo_v2' WHERE id = 1;
  INSERT INTO campaign_change_log (id, campaign_instance_id, field_changed, old_value, new_value, changed_at, changed_by, requires_rescheduling, processed_at)
    VALUES (2, 1, 'email_template', 'promo_v1', 'promo_v2', '2026-06-01 12:00:00', 'ops', 1, NULL);
`;

describe('§10 campaign_change_log rows and the runs that mark them processed', () => {
  let directory: string;
  let files: OrganizationFiles;
  const sql = <T>(work: (db: Database.Database) => T): T => {
    const db = new Database(files.databasePath);
    try {
      return work(db);
    } finally {
      db.close();
    }
  };
  const changeLog = (): ChangeLogRow[] =>
    sql((db) => db.prepare('SELECT id, processed_at FROM campaign_change_log ORDER BY id').all() as ChangeLogRow[]);
  const campaignTemplate = (): string | null =>
    sql(
      (db) =>
        (db.prepare("SELECT email_template FROM email_schedules WHERE contact_id = 1 AND email_type = 'campaign_promo'").get() as
          | { email_template: string | null }
          | undefined)?.email_template ?? null,
    );
  const rescheduleInstance = (runId: string) =>
    runTask({
      kind: 'reschedule',
      files,
      runId,
      target: { campaignInstanceId: 1 },
      asOf: AS_OF,
      configJson: '{}',
      log: silentLog(files, runId),
    });

  const fullRun = (runId: string, afterChunks?: () => void) => fullRunThroughTasks(files, runId, AS_OF, afterChunks);

  beforeEach(() => {
    directory = mkdtempSync(join(tmpdir(), 'scheduler-change-log-'));
    files = { organization: ORGANIZATION, databasePath: join(directory, 'org.sqlite'), stagingPath: join(directory, 'org.staging.sqlite') };
    writeOrganization(files.databasePath);
  });

  afterEach(() => rmSync(directory, { recursive: true, force: true }));

  describe('when runs read the campaign tables (RULES.md §7: it does not modify them, except marking change-log rows)', () => {
    it('leaves campaign_types, campaign_instances and contact_campaigns as they were, and of campaign_change_log only processed_at changes', async () => {
      const snapshot = () =>
        sql((db) => ({
          types: db.prepare('SELECT * FROM campaign_types ORDER BY rowid').all(),
          instances: db.prepare('SELECT * FROM campaign_instances ORDER BY rowid').all(),
          targets: db.prepare('SELECT * FROM contact_campaigns ORDER BY rowid').all(),
          log: db.prepare('SELECT * FROM campaign_change_log ORDER BY rowid').all() as Record<string, unknown>[],
        }));
      const before = snapshot();
      const runId = 'run-reads-campaigns';
      await fullRun(runId);
      await rescheduleInstance('reschedule-reads-campaigns');
      const after = snapshot();
      expect(campaignTemplate()).toBe('promo_v1');
      expect(after.types).toEqual(before.types);
      expect(after.instances).toEqual(before.instances);
      expect(after.targets).toEqual(before.targets);
      const withoutProcessedAt = (rows: Record<string, unknown>[]) => rows.map(({ processed_at: _processedAt, ...rest }) => rest);
      expect(withoutProcessedAt(after.log)).toEqual(withoutProcessedAt(before.log));
      expect(after.log.map((row) => row.processed_at !== null)).toEqual([true]);
    });
  });

  describe('when a change is logged while a reschedule of the instance is past its reads', () => {
    it('marks processed only the rows logged before it read, and the next reschedule reflects the later change', async () => {
      // The reschedule writes its checkpoint after it has read the campaign tables and before it commits.
      sql((db) =>
        db.exec(`CREATE TRIGGER change_during_reschedule AFTER INSERT ON scheduler_checkpoints BEGIN ${CHANGE_TEMPLATE_TO_V2} END;`),
      );
      const first = await rescheduleInstance('reschedule-during-change');
      expect(first.status).toBe('completed');
      expect(campaignTemplate()).toBe('promo_v1');
      const [before, during] = changeLog();
      expect(before!.processed_at).not.toBeNull();
      expect(during!.processed_at).toBeNull();

      sql((db) => db.exec('DROP TRIGGER change_during_reschedule'));
      expect((await rescheduleInstance('reschedule-after-change')).status).toBe('completed');
      expect(campaignTemplate()).toBe('promo_v2');
      expect(changeLog().every((row) => row.processed_at !== null)).toBe(true);
    });
  });

  describe('when a change is logged while a full run is past its reads', () => {
    it('marks processed only the rows pending when the run began, and a reschedule then reflects the later change', async () => {
      const runId = 'run-change-during-full-run';
      await fullRun(runId, () => sql((db) => db.exec(CHANGE_TEMPLATE_TO_V2)));
      expect(campaignTemplate()).toBe('promo_v1');
      const [before, during] = changeLog();
      expect(before!.processed_at).not.toBeNull();
      expect(during!.processed_at).toBeNull();

      expect((await rescheduleInstance('reschedule-after-full-run')).status).toBe('completed');
      expect(campaignTemplate()).toBe('promo_v2');
      expect(changeLog().every((row) => row.processed_at !== null)).toBe(true);
    });

    it('still marks every row pending when it began, a row whose instance no longer exists included, and leaves a row that requires no rescheduling unmarked', async () => {
      sql((db) =>
        db.exec(`INSERT INTO campaign_change_log (id, campaign_instance_id, field_changed, old_value, new_value, changed_at, changed_by, requires_rescheduling, processed_at)
                 VALUES (3, 777, 'active_start_date', 'a', 'b', '2026-06-01 08:30:00', 'ops', 1, NULL),
                        (4, 1, 'instance_name', 'spring', 'spring sale', '2026-06-01 08:45:00', 'ops', 0, NULL)`),
      );
      const runId = 'run-marks-pending';
      await fullRun(runId);
      const marking = (processedAt: string | null): string =>
        processedAt === null ? 'unmarked' : /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/.test(processedAt) ? 'marked' : processedAt;
      expect(changeLog().map((row) => [row.id, marking(row.processed_at)])).toEqual([
        [1, 'marked'],
        [3, 'marked'],
        [4, 'unmarked'],
      ]);
    });
  });

  describe('when the main application takes a target off the instance (RULES.md §10: a reschedule of "a campaign instance\'s targets")', () => {
    // What the README tells other services to enqueue "after campaign instance 7's dates or targets changed".
    it.each([
      ['its contact_campaigns row is deleted', 'DELETE FROM contact_campaigns WHERE contact_id = 1'],
      ['its contact_campaigns row is cancelled', "UPDATE contact_campaigns SET status = 'cancelled' WHERE contact_id = 1"],
      ['the instance is deleted with its targets', 'DELETE FROM contact_campaigns WHERE campaign_instance_id = 1; DELETE FROM campaign_instances WHERE id = 1'],
    ])('removes the contact\'s email of the instance when %s, and keeps its other rows', async (_case, change) => {
      sql((db) => db.exec("UPDATE contacts SET birth_date = '1970-09-15' WHERE id = 1"));
      await fullRun('run-before-target-removed');
      expect(campaignTemplate()).toBe('promo_v1');
      const birthdayRows = () =>
        sql((db) => db.prepare("SELECT scheduled_send_date, status FROM email_schedules WHERE contact_id = 1 AND email_type = 'birthday'").all());
      const birthdayBefore = birthdayRows();
      expect(birthdayBefore).toHaveLength(1);

      sql((db) => db.exec(change));
      expect((await rescheduleInstance('reschedule-after-target-removed')).status).toBe('completed');
      expect(campaignTemplate()).toBeNull();
      expect(birthdayRows()).toEqual(birthdayBefore);
    });
  });
});
