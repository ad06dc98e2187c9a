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
import { fullRunThroughTasks } from './support/thread-task-runs';

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
