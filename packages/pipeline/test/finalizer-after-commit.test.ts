/*
 * RULES.md §10, "Nothing lost": a finalizer whose worker dies after its COMMIT, before the staging file says
 * the run completed, is taken again by another worker. A reschedule may have committed in between (the run's
 * checkpoint says completed, so nothing waits for it): the retry must not commit the run's staged results again.
 *
 * The tasks run in this thread (no queue, no Redis): the same code the fleet's threads run. The death is a
 * trigger that refuses the staging file's "completed", which the finalizer logs and leaves, as a dead worker would.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { StagingStore } from '../src/staging/staging-store';
import type { OrganizationFiles } from '../src/thread-tasks';
import { committedRows } from './support/committed-schedule';
import { writeOrganization } from './support/organization-fixture';
import { fullRunThroughTasks, runTask, silentLog } from './support/thread-task-runs';

const AS_OF = '2026-11-28';
const RUN_ID = 'run-acme-after-commit';

let directory: string;
let files: OrganizationFiles;

beforeEach(() => {
  directory = mkdtempSync(join(tmpdir(), 'finalizer-after-commit-'));
  files = { organization: 'acme', databasePath: join(directory, 'acme.sqlite'), stagingPath: join(directory, 'acme.staging.sqlite') };
  writeOrganization(files.databasePath, { contacts: 1_000, today: AS_OF });
});
afterEach(() => rmSync(directory, { recursive: true, force: true }));

const sql = (path: string, statements: string): void => {
  const db = new Database(path);
  try {
    db.exec(statements);
  } finally {
    db.close();
  }
};

const stagedStatus = (): string | undefined => {
  const staging = new StagingStore(files.stagingPath);
  try {
    return staging.run(RUN_ID)?.status;
  } finally {
    staging.close();
  }
};

it('answers a finalizer taken again after its COMMIT with the committed summary, and keeps a reschedule committed since', async () => {
  const log = silentLog(files, RUN_ID);
  // The worker dies after the COMMIT, before the staging file says the run completed.
  const committed = await fullRunThroughTasks(files, RUN_ID, AS_OF, () =>
    sql(
      files.stagingPath,
      `CREATE TRIGGER worker_died BEFORE UPDATE OF status ON staged_runs WHEN NEW.status = 'completed'
         BEGIN SELECT RAISE(ABORT, 'the worker died'); END;`,
    ),
  );
  sql(files.stagingPath, 'DROP TRIGGER worker_died;');
  expect(stagedStatus()).toBe('planned');

  // A contact changes, and its reschedule commits: the run's checkpoint says completed, so it does not wait.
  const contactId = committedRows(files.databasePath)[0]!.contactId;
  sql(files.databasePath, `UPDATE contacts SET email = 'not an email' WHERE id = ${contactId}`);
  const rescheduleId = 'reschedule-acme-1';
  const rescheduled = await runTask({
    kind: 'reschedule',
    files,
    runId: rescheduleId,
    target: { contactIds: [contactId] },
    asOf: AS_OF,
    configJson: '{}',
    log: silentLog(files, rescheduleId),
  });
  expect(rescheduled.status).toBe('completed');
  const afterReschedule = committedRows(files.databasePath);
  expect(afterReschedule.some((row) => row.contactId === contactId)).toBe(false);

  // The stalled finalizer, taken again.
  // Kept just before the COMMIT, its duration is that much shorter.
  expect(await runTask({ kind: 'finalize-run', files, runId: RUN_ID, log })).toEqual({ ...committed, duration_ms: expect.any(Number) });
  expect(committedRows(files.databasePath)).toEqual(afterReschedule);
  expect(stagedStatus()).toBe('completed');
});
