/*
 * A contact's other inputs (send history, campaign targets, clicks, answers) may hold values no reading
 * can use. Such a row is left out (or read in part, as RULES.md §4 still needs it to block its key), and
 * the run says how many, by table and reason: nothing is dropped without a word.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { formatRunSummary } from '../src/run-summary';
import type { OrganizationFiles } from '../src/thread-tasks';
import { writeOrganization } from './support/organization-fixture';
import { fullRunThroughTasks, runTask, silentLog } from './support/thread-task-runs';

const AS_OF = '2026-11-28';

describe('unreadable rows of the inputs', () => {
  let directory: string;
  let files: OrganizationFiles;

  beforeEach(() => {
    directory = mkdtempSync(join(tmpdir(), 'scheduler-unreadable-'));
    files = { organization: 'odd', databasePath: join(directory, 'odd.sqlite'), stagingPath: join(directory, 'odd.staging.sqlite') };
    writeOrganization(files.databasePath, { contacts: 300, today: AS_OF });
    const db = new Database(files.databasePath);
    db.exec(`
      INSERT INTO tracking_clicks (contact_id, clicked_at) VALUES (5, 'yesterday'), (6, '2026-11-31 10:00:00');
      INSERT INTO contact_events (contact_id, event_type, created_at, metadata) VALUES
        (7, 'eligibility_answered', 'not a date', '{}'),
        (7, 'eligibility_answered', '2026-11-27 10:00:00', '{"has_medical_conditions": tru');
      INSERT INTO contact_campaigns (contact_id, campaign_instance_id, trigger_date, status) VALUES (8, 'abc', NULL, 'pending');
      INSERT INTO email_schedules (contact_id, email_type, scheduled_send_date, status, metadata) VALUES
        (9, 'birthday', '2026-11-20', 'bounced', NULL),
        (10, 'followup_1_cold', '2026-11-21', 'sent', '{"initial_email_type": "birthday"}');
    `);
    db.close();
  });
  afterEach(() => rmSync(directory, { recursive: true, force: true }));

  const expected = {
    'tracking_clicks.malformed_clicked_at': 2,
    'contact_events.malformed_created_at': 1,
    'contact_events.malformed_metadata': 1,
    'contact_campaigns.malformed_campaign_instance_id': 1,
    'email_schedules.unknown_status': 1,
    'email_schedules.followup_without_initial_email_id': 1,
  };

  it('are counted in a full run\'s summary, by table and reason, and shown on a terminal', async () => {
    const summary = await fullRunThroughTasks(files, 'run-odd', AS_OF);
    expect(summary.contacts.unreadable_rows).toEqual(expected);
    expect(formatRunSummary(summary)).toMatch(/unreadable .*tracking_clicks\.malformed_clicked_at 2/);
  });

  it("are counted in a reschedule's summary, for the contacts it reads", async () => {
    const result = await runTask({
      kind: 'reschedule',
      files,
      runId: 'reschedule-odd',
      asOf: AS_OF,
      configJson: '{}',
      target: { contactIds: [5, 8, 9, 10] },
      log: silentLog(files, 'reschedule-odd'),
    });
    expect(result).toMatchObject({ status: 'completed' });
    expect((result as { summary: { contacts: { unreadable_rows: unknown } } }).summary.contacts.unreadable_rows).toEqual({
      'tracking_clicks.malformed_clicked_at': 1,
      'contact_campaigns.malformed_campaign_instance_id': 1,
      'email_schedules.unknown_status': 1,
      'email_schedules.followup_without_initial_email_id': 1,
    });
  });
});
