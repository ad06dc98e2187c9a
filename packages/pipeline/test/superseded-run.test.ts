/*
 * RULES.md §10: a run's rows replace the schedule. A run whose command was killed leaves its jobs behind,
 * and workers pick them up later, maybe after a run asked for since (its inputs changed) has completed.
 * The older run's rows, read before, must not replace the newer run's: a contact who moved to a year-round
 * state would get marketing email again.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runThreadTask } from '../src/run-thread-task';
import { isTaskFailure, type OrganizationFiles } from '../src/thread-tasks';
import { writeOrganization } from './support/organization-fixture';
import { computeThroughTasks, fullRunThroughTasks, runTask, silentLog } from './support/thread-task-runs';

const AS_OF = '2026-11-28';

describe('a full run that another run, planned after it, has overtaken', () => {
  let directory: string;
  let files: OrganizationFiles;

  beforeEach(() => {
    directory = mkdtempSync(join(tmpdir(), 'scheduler-superseded-'));
    files = { organization: 'acme', databasePath: join(directory, 'acme.sqlite'), stagingPath: join(directory, 'acme.staging.sqlite') };
    writeOrganization(files.databasePath, { contacts: 400, today: AS_OF });
  });
  afterEach(() => rmSync(directory, { recursive: true, force: true }));

  const query = <T>(sql: string): T[] => {
    const db = new Database(files.databasePath, { readonly: true });
    try {
      return db.prepare(sql).all() as T[];
    } finally {
      db.close();
    }
  };
  /** Emails that respect windows (all but campaigns of types that ignore them) due to go to New York contacts. */
  const newYorkEmails = (): number =>
    query<{ n: number }>(
      `SELECT count(*) AS n FROM email_schedules JOIN contacts ON contacts.id = contact_id
        WHERE contacts.zip_code = '10001' AND email_schedules.status = 'pre-scheduled' AND email_type NOT LIKE 'campaign_%'`,
    )[0]!.n;

  it('does not commit once that run has completed, fails for good saying which, and leaves its rows', async () => {
    const older = 'run-acme-2026-11-28-older';
    await computeThroughTasks(files, older, AS_OF);

    // Its command is gone; meanwhile contacts move to New York (no marketing email ever), and a run sees it.
    const db = new Database(files.databasePath);
    db.exec(`UPDATE contacts SET zip_code = '10001', state = 'NY' WHERE id <= 100`);
    db.close();
    await fullRunThroughTasks(files, 'run-acme-2026-11-28-newer', AS_OF);
    const newerRows = query(`SELECT * FROM email_schedules ORDER BY id`);
    expect(newYorkEmails()).toBe(0);

    const result = await runThreadTask({ kind: 'finalize-run', files, runId: older, log: silentLog(files, older) });
    expect(isTaskFailure(result) && result).toMatchObject({ name: 'SupersededRunError', retryable: false });
    expect(query(`SELECT * FROM email_schedules ORDER BY id`)).toEqual(newerRows);
    expect(newYorkEmails()).toBe(0);
    expect(query(`SELECT status, error_message FROM scheduler_checkpoints WHERE scheduler_run_id = '${older}'`)).toEqual([
      { status: 'failed', error_message: expect.stringContaining('run-acme-2026-11-28-newer') },
    ]);
  });

  it('commits when the run that completed after it was planned is as of an earlier day (ops looking back)', async () => {
    const today = 'run-acme-2026-11-29-nightly';
    // Planned and computed, as a killed command's workers would have left it.
    await computeThroughTasks(files, today, '2026-11-29');
    await fullRunThroughTasks(files, 'run-acme-2026-11-28-lookback', AS_OF);
    const summary = await runTask({ kind: 'finalize-run', files, runId: today, log: silentLog(files, today) });
    expect(summary).toMatchObject({ status: 'completed', as_of: '2026-11-29' });
  });

  it('commits when no run planned after it has completed', async () => {
    await fullRunThroughTasks(files, 'run-acme-2026-11-27-before', '2026-11-27');
    const summary = await fullRunThroughTasks(files, 'run-acme-2026-11-28-after', AS_OF);
    expect(summary.status).toBe('completed');
    expect(query(`SELECT status FROM scheduler_checkpoints ORDER BY id`)).toEqual([{ status: 'completed' }, { status: 'completed' }]);
  });
});
