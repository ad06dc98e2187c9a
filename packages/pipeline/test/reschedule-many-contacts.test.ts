import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RunSummary } from '../src/run-summary';
import type { OrganizationFiles } from '../src/thread-tasks';
import { writeOrganization } from './support/organization-fixture';
import { runTask, silentLog } from './support/thread-task-runs';

const AS_OF = '2026-11-28';
/** Past SQLite's 32,766 parameters of one statement, within the 100,000 a job may name. */
const ASKED = 40_000;

describe('a reschedule of more contacts than one SQLite statement can name', () => {
  let directory: string;
  let files: OrganizationFiles;

  beforeEach(() => {
    directory = mkdtempSync(join(tmpdir(), 'scheduler-many-'));
    files = { organization: 'many', databasePath: join(directory, 'many.sqlite'), stagingPath: join(directory, 'many.staging.sqlite') };
    writeOrganization(files.databasePath, { contacts: 300, today: AS_OF });
  });
  afterEach(() => rmSync(directory, { recursive: true, force: true }));

  it('commits, completes its checkpoint and lists the ids that are no contact as not found', async () => {
    const contactIds = Array.from({ length: ASKED }, (_, i) => i + 1);
    const result = await runTask({
      kind: 'reschedule',
      files,
      runId: 'reschedule-many',
      asOf: AS_OF,
      configJson: '{}',
      target: { contactIds },
      log: silentLog(files, 'reschedule-many'),
    });
    expect(result).toMatchObject({ status: 'completed' });
    const summary = (result as { summary: RunSummary }).summary;
    const db = new Database(files.databasePath, { readonly: true });
    try {
      const contactCount = db.prepare('SELECT count(*) FROM contacts').pluck().get() as number;
      expect(summary.contacts.total).toBe(contactCount);
      expect(summary.contacts.not_found).toHaveLength(ASKED - contactCount);
      const checkpoint = db.prepare("SELECT status, contacts_checksum FROM scheduler_checkpoints WHERE scheduler_run_id = 'reschedule-many'").get();
      expect(checkpoint).toEqual({ status: 'completed', contacts_checksum: expect.stringMatching(/^[0-9a-f]{64}$/) });
      const rows = db.prepare("SELECT count(*) FROM email_schedules WHERE status IN ('pre-scheduled', 'skipped')").pluck().get();
      expect(rows).toBe(summary.emails.pre_scheduled + summary.emails.skipped);
    } finally {
      db.close();
    }
  });
});
