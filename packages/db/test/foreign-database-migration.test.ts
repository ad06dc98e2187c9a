import Database from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCrmAndSenderOrganization, createLooseSenderOrganization, createStrictSenderOrganization } from './support/foreign-organizations';
import { columnsOf, openPlain, scheduler, schedulerAsync, schemaObjects, tableNames, tableRows, type ColumnInfo, type SchemaObject } from './support/plain-sqlite';

/*
 * An independent, black-box audit of CONTRACT.md's promise that `scheduler
 * migrate --db FILE` "must work on an existing database that already has
 * `contacts` (with extra columns and rows) and an `email_schedules` from
 * another system: nothing of it is dropped or rewritten", and of RULES.md §10's
 * "rows with other statuses are never touched" by a full run on such a file.
 * Files are built here in plain SQL (support/foreign-organizations.ts), the CLI
 * runs them as an operator would, and every check reads the file with plain
 * SQL. migration.test.ts already checks one small foreign file through the db
 * package (extra columns kept, missing contract columns added, the UNIQUE key
 * not doubled); this goes further: values of every storage class bit for bit,
 * indexes, triggers, views, foreign keys, WITHOUT ROWID, AUTOINCREMENT,
 * pragmas, idempotence, a full run after it, and files that cannot be migrated.
 */

/** CONTRACT.md's tables and columns, written down from it for this test. */
const CONTRACT: Record<string, readonly string[]> = {
  contacts: ['id', 'email', 'zip_code', 'state', 'birth_date', 'effective_date', 'phone_number'],
  campaign_types: ['name', 'respect_exclusion_windows', 'enable_followups', 'days_before_event', 'target_all_contacts', 'priority', 'active', 'created_at', 'updated_at'],
  campaign_instances: ['id', 'campaign_type', 'instance_name', 'email_template', 'sms_template', 'active_start_date', 'active_end_date', 'metadata', 'created_at', 'updated_at'],
  contact_campaigns: ['id', 'contact_id', 'campaign_instance_id', 'trigger_date', 'status', 'metadata', 'created_at', 'updated_at'],
  campaign_change_log: ['id', 'campaign_instance_id', 'field_changed', 'old_value', 'new_value', 'changed_at', 'changed_by', 'requires_rescheduling', 'processed_at'],
  email_schedules: [
    'id', 'contact_id', 'email_type', 'event_year', 'event_month', 'event_day', 'scheduled_send_date', 'scheduled_send_time', 'status',
    'skip_reason', 'priority', 'campaign_instance_id', 'email_template', 'sms_template', 'scheduler_run_id', 'metadata', 'created_at',
    'updated_at', 'actual_send_datetime',
  ],
  scheduler_checkpoints: [
    'id', 'run_timestamp', 'scheduler_run_id', 'contacts_checksum', 'schedules_before_checksum', 'schedules_after_checksum',
    'contacts_processed', 'emails_scheduled', 'emails_skipped', 'status', 'error_message', 'completed_at',
  ],
  config_versions: ['id', 'config_type', 'config_data', 'valid_from', 'valid_to', 'created_at', 'created_by'],
  tracking_clicks: ['id', 'contact_id', 'email_schedule_id', 'clicked_at'],
  contact_events: ['id', 'contact_id', 'event_type', 'created_at', 'metadata'],
};

/** Everything of a file that another system could have relied on. */
interface Snapshot {
  readonly objects: SchemaObject[];
  readonly columns: Map<string, ColumnInfo[]>;
  readonly rows: Map<string, Map<string, string>>;
  readonly pragmas: { user_version: number; application_id: number };
  readonly sequence: Map<string, number>;
}

const snapshot = (path: string): Snapshot => {
  const db = openPlain(path);
  try {
    const tables = tableNames(db);
    return {
      objects: schemaObjects(db),
      columns: new Map(tables.map((table) => [table, columnsOf(db, table)])),
      rows: new Map(tables.map((table) => [table, tableRows(db, table)])),
      pragmas: {
        user_version: db.pragma('user_version', { simple: true }) as number,
        application_id: db.pragma('application_id', { simple: true }) as number,
      },
      sequence: new Map(
        tables.includes('sqlite_sequence')
          ? (db.prepare('SELECT name, seq FROM sqlite_sequence').raw().all() as [string, number][])
          : [],
      ),
    };
  } finally {
    db.close();
  }
};

/** The rows of `table` in `after`, read on the columns `before` had, compared with `before`'s. */
const rowsOnOriginalColumns = (path: string, table: string, before: Snapshot): Map<string, string> => {
  const db = openPlain(path);
  try {
    return tableRows(db, table, before.columns.get(table)!.map((column) => column.name));
  } finally {
    db.close();
  }
};

const differences = (before: Map<string, string>, after: Map<string, string>, keys: Iterable<string> = before.keys()): string[] => {
  const found: string[] = [];
  for (const key of keys) {
    if (!after.has(key)) found.push(`row ${key} is gone: ${before.get(key)}`);
    else if (after.get(key) !== before.get(key)) found.push(`row ${key}:\n  before ${before.get(key)}\n  after  ${after.get(key)}`);
  }
  return found.slice(0, 5);
};

/** Every index, trigger and view the file had is still there, with the same SQL on the same table. */
const keptObjects = (before: Snapshot, after: Snapshot): string[] =>
  before.objects
    .filter((object) => object.type !== 'table' && object.sql !== null)
    .filter((object) => !after.objects.some((kept) => kept.type === object.type && kept.name === object.name && kept.tbl_name === object.tbl_name && kept.sql === object.sql))
    .map((object) => `${object.type} ${object.name} is gone or changed`);

/** The columns a table had, still first and declared the same way. */
const keptColumns = (before: Snapshot, after: Snapshot): string[] =>
  [...before.columns].flatMap(([table, columns]) => {
    const now = after.columns.get(table);
    if (now === undefined) return [`table ${table} is gone`];
    return columns.flatMap((column, i) => (JSON.stringify(now[i]) === JSON.stringify(column) ? [] : [`${table}.${column.name}: ${JSON.stringify(column)} became ${JSON.stringify(now[i])}`]));
  });

const missingContract = (path: string): string[] => {
  const db = openPlain(path);
  try {
    return Object.entries(CONTRACT).flatMap(([table, columns]) => {
      const present = new Set(columnsOf(db, table).map((column) => column.name.toLowerCase()));
      if (present.size === 0) return [`table ${table}`];
      return columns.filter((column) => !present.has(column)).map((column) => `${table}.${column}`);
    });
  } finally {
    db.close();
  }
};

const plainChecks = (path: string): { integrity: string; foreignKeys: unknown[] } => {
  const db = openPlain(path);
  try {
    return { integrity: db.pragma('integrity_check', { simple: true }) as string, foreignKeys: db.pragma('foreign_key_check') as unknown[] };
  } finally {
    db.close();
  }
};

const SCHEDULER_STATUSES = new Set(["'pre-scheduled'", "'skipped'"]);
/** Row keys of `email_schedules` whose status is not exactly `pre-scheduled` or `skipped`: the sender's, never to be touched. */
const senderRowKeys = (snap: Snapshot): string[] =>
  [...snap.rows.get('email_schedules')!].filter(([, row]) => !/status=text:("pre-scheduled"|"skipped")( \||$)/.test(row)).map(([key]) => key);

const redisUrl = (): string => {
  const url = process.env.REDIS_URL;
  if (url === undefined) throw new Error('REDIS_URL must name a Redis server (bash scripts/test.sh starts one)');
  return url;
};

const runArgs = (path: string, asOf: string): [string[], Record<string, string>] => [
  ['run', '--db', path, '--as-of', asOf, '--json'],
  { REDIS_URL: redisUrl(), SCHEDULER_QUEUE_PREFIX: `foreign-migration-${randomUUID()}` },
];
const fullRun = (path: string, asOf: string) => scheduler(...runArgs(path, asOf), 170_000);
const fullRunAsync = (path: string, asOf: string) => schedulerAsync(...runArgs(path, asOf), 170_000);
const RUN_TEST_TIMEOUT = 180_000;

const lastJson = (stdout: string): Record<string, any> => JSON.parse(stdout.trim().split('\n').at(-1)!) as Record<string, any>;

describe('scheduler migrate on files other systems made (CONTRACT.md)', () => {
  let directory: string;
  beforeAll(() => {
    directory = mkdtempSync(join(tmpdir(), 'foreign-migration-'));
  });
  afterAll(() => rmSync(directory, { recursive: true, force: true }));

  describe('the main application and a sending service with their own columns, indexes, triggers, views and foreign keys', () => {
    let path: string;
    let original: Snapshot;
    let migrated: Snapshot;
    let first: ReturnType<typeof scheduler>;

    beforeAll(() => {
      path = join(directory, 'crm.sqlite');
      createCrmAndSenderOrganization(path, 2000);
      original = snapshot(path);
      first = scheduler(['migrate', '--db', path]);
      migrated = snapshot(path);
    });

    it('migrates, adding the missing contract columns', () => {
      expect(first.stderr).toBe('');
      expect(first.status).toBe(0);
      expect(first.stdout).toContain('added column contacts.phone_number');
      expect(first.stdout).toContain('added column email_schedules.scheduler_run_id');
      expect(missingContract(path)).toEqual([]);
      // CONTRACT.md: WAL mode.
      const db = openPlain(path);
      expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
      db.close();
    });

    it('keeps every row and every value of every table bit for bit, and the added columns empty or at their default', () => {
      for (const [table, rows] of original.rows) {
        expect(rows.size, table).toBeGreaterThan(table === 'contacts_audit' || table === 'sender_audit' ? -1 : 0);
        expect(differences(rows, rowsOnOriginalColumns(path, table, original)), table).toEqual([]);
      }
      const db = openPlain(path);
      expect(db.prepare('SELECT count(*) FROM contacts WHERE phone_number IS NOT NULL').pluck().get()).toBe(0);
      expect(db.prepare('SELECT count(*) FROM email_schedules WHERE scheduler_run_id IS NOT NULL').pluck().get()).toBe(0);
      db.close();
    });

    it('keeps every column declaration, index, trigger and view, and the pragmas and sequences of the other systems', () => {
      expect(keptColumns(original, migrated)).toEqual([]);
      expect(keptObjects(original, migrated)).toEqual([]);
      expect(migrated.pragmas).toEqual(original.pragmas);
      expect(migrated.sequence.get('email_schedules')).toBe(original.sequence.get('email_schedules'));
      // The sender's index named like one of the scheduler's stays on its own columns.
      expect(migrated.objects.find((object) => object.name === 'idx_email_schedules_run')!.sql).toContain('(sender_batch, id)');
      // Views still read, triggers still fire: the file still works for its owners.
      const db = openPlain(path, false);
      expect(db.prepare('SELECT count(*) FROM sender_outbox').pluck().get()).toBeGreaterThan(0);
      expect(db.prepare('SELECT count(*) FROM crm_all_contacts').pluck().get()).toBe(2000);
      db.close();
      expect(plainChecks(path)).toEqual({ integrity: 'ok', foreignKeys: [] });
    });

    it('changes nothing at all when run again', () => {
      const again = scheduler(['migrate', '--db', path]);
      expect(again.status).toBe(0);
      expect(again.stdout.trim()).toBe(`${path}: up to date`);
      const twice = snapshot(path);
      expect(twice.objects).toEqual(migrated.objects);
      for (const [table, rows] of migrated.rows) expect(differences(rows, twice.rows.get(table)!), table).toEqual([]);
      expect([...twice.rows.keys()]).toEqual([...migrated.rows.keys()]);
      expect(twice.pragmas).toEqual(migrated.pragmas);
    });

    it('then lets a full run replace only pre-scheduled and skipped rows: every other row, table, index, trigger and view untouched', () => {
      const run = fullRun(path, '2026-11-28');
      expect(run.stderr.split('\n').filter((line) => /error|fail/i.test(line))).toEqual([]);
      expect(run.status).toBe(0);
      expect(lastJson(run.stdout)).toMatchObject({ status: 'completed', as_of: '2026-11-28' });
      const after = snapshot(path);

      const sender = senderRowKeys(migrated);
      // Every odd status of the sender is among the rows that must stay.
      const statuses = new Set(sender.map((key) => / status=(text:"(?:[^"\\]|\\.)*"|\S+)/.exec(migrated.rows.get('email_schedules')!.get(key)!)![1]));
      expect(statuses).toEqual(new Set(['text:"sent"', 'text:"delivered"', 'text:"scheduled"', 'text:"processing"', 'text:"failed"', 'text:"bounced"', 'text:"SENT"', 'text:"Pre-Scheduled"', 'text:"skipped "', 'text:""', 'text:"cancelled"', 'null']));
      expect(differences(migrated.rows.get('email_schedules')!, after.rows.get('email_schedules')!, sender)).toEqual([]);
      const db = openPlain(path);
      // The sender's triggers saw no update and no delete of its rows, nor of contacts.
      expect(db.prepare('SELECT * FROM sender_audit').all()).toEqual([]);
      expect(db.prepare('SELECT * FROM contacts_audit').all()).toEqual([]);
      // The run wrote rows, and only with the scheduler's statuses.
      const written = db.prepare(`SELECT DISTINCT status FROM email_schedules WHERE scheduler_run_id IS NOT NULL`).pluck().all();
      expect(written.length).toBeGreaterThan(0);
      expect(written.every((status) => SCHEDULER_STATUSES.has(`'${status}'`))).toBe(true);
      // AUTOINCREMENT: no row the run wrote takes an id the sender used (or deleted); a pre-scheduled or skipped
      // row of the old system may keep its id when the run updates it in place.
      const replaceable = [...migrated.rows.get('email_schedules')!.keys()].filter((key) => !sender.includes(key)).map(Number);
      const reused = db
        .prepare('SELECT id FROM email_schedules WHERE scheduler_run_id IS NOT NULL AND id <= ? AND id NOT IN (SELECT value FROM json_each(?))')
        .pluck()
        .all(original.sequence.get('email_schedules'), JSON.stringify(replaceable));
      expect(reused).toEqual([]);
      db.close();
      expect(after.sequence.get('email_schedules')!).toBeGreaterThanOrEqual(original.sequence.get('email_schedules')!);

      for (const table of ['contacts', 'policies', 'delivery_receipts', 'campaign_types', 'campaign_instances', 'contacts_audit', 'sender_audit']) {
        expect(differences(migrated.rows.get(table)!, after.rows.get(table)!), table).toEqual([]);
        expect(after.rows.get(table)!.size, table).toBe(migrated.rows.get(table)!.size);
      }
      expect(keptColumns(migrated, after)).toEqual([]);
      expect(keptObjects(original, after)).toEqual([]);
      expect(after.pragmas).toEqual(original.pragmas);
      expect(plainChecks(path)).toEqual({ integrity: 'ok', foreignKeys: [] });
    }, RUN_TEST_TIMEOUT);
  });

  describe('a stricter sender: contacts WITHOUT ROWID lacking contract columns, email_schedules with a foreign key, a CHECK and a view', () => {
    let path: string;
    let original: Snapshot;
    let migrated: Snapshot;

    beforeAll(() => {
      path = join(directory, 'strict.sqlite');
      createStrictSenderOrganization(path, 10_000);
      original = snapshot(path);
      const first = scheduler(['migrate', '--db', path]);
      if (first.status !== 0) throw new Error(`migrate failed: ${first.stderr}`);
      migrated = snapshot(path);
    });

    it('migrates additively', () => {
      expect(missingContract(path)).toEqual([]);
      for (const [table, rows] of original.rows) expect(differences(rows, rowsOnOriginalColumns(path, table, original)), table).toEqual([]);
      expect(keptColumns(original, migrated)).toEqual([]);
      expect(keptObjects(original, migrated)).toEqual([]);
      expect(migrated.pragmas).toEqual(original.pragmas);
    });

    // With 10,000 contacts and the sender's rows already there, the run rebuilds email_schedules under its own
    // definition and swaps it in (write/rebuild-schedule-table.ts): this is the path where a table is dropped.
    it('keeps the sender rows, the view, the index and the AUTOINCREMENT sequence through a full run', () => {
      const sender = senderRowKeys(migrated);
      expect(sender.length).toBeGreaterThan(1000);
      let previousSequence = original.sequence.get('email_schedules')!;
      for (const asOf of ['2026-11-28']) {
        const run = fullRun(path, asOf);
        expect(run.status, run.stderr).toBe(0);
        expect(lastJson(run.stdout)).toMatchObject({ status: 'completed', as_of: asOf });
        const after = snapshot(path);
        expect(differences(migrated.rows.get('email_schedules')!, after.rows.get('email_schedules')!, sender), asOf).toEqual([]);
        expect(differences(migrated.rows.get('contacts')!, after.rows.get('contacts')!), asOf).toEqual([]);
        expect(keptObjects(original, after), asOf).toEqual([]);
        expect(keptColumns(migrated, after), asOf).toEqual([]);
        expect(after.pragmas).toEqual(original.pragmas);
        const db = openPlain(path);
        const newIds = db.prepare('SELECT min(id) FROM email_schedules WHERE scheduler_run_id IS NOT NULL AND id <= ?').pluck().get(previousSequence);
        // A row the run wrote may keep its id from one run to the next only if it was the scheduler's already.
        const reusedSenderIds = db
          .prepare(`SELECT count(*) FROM email_schedules WHERE scheduler_run_id IS NOT NULL AND id <= ? AND id NOT IN (SELECT value FROM json_each(?))`)
          .pluck()
          .get(original.sequence.get('email_schedules'), JSON.stringify([...migrated.rows.get('email_schedules')!.keys()].filter((key) => !sender.includes(key)).map(Number)));
        expect(reusedSenderIds, `${asOf}: new rows took ids the sender had used (lowest ${newIds})`).toBe(0);
        expect(db.prepare('SELECT sum(sent) FROM strict_sent_per_day').pluck().get()).toBeGreaterThan(0);
        db.close();
        expect(after.sequence.get('email_schedules')!, asOf).toBeGreaterThanOrEqual(previousSequence);
        previousSequence = after.sequence.get('email_schedules')!;
        expect(plainChecks(path), asOf).toEqual({ integrity: 'ok', foreignKeys: [] });
      }
    }, RUN_TEST_TIMEOUT);
  });

  // Runs take long on a busy machine: these tests get three minutes.
  describe('files a run cannot work on as it should', () => {
    // OR IGNORE, meant for keys the sender holds, would also drop every row that breaks NOT NULL, and the run
    // would report rows it never wrote: the file is refused instead, by migrate and by a run (which migrates first).
    it('refuses an email_schedules with a NOT NULL column of its own without a default, rather than drop every row', async () => {
      const path = join(directory, 'required-column.sqlite');
      createLooseSenderOrganization(path, 200, { requiredExtraColumn: true });
      const migrate = await schedulerAsync(['migrate', '--db', path]);
      expect(migrate.status).not.toBe(0);
      expect(migrate.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^scheduler: .*tenant_id.*NOT NULL/)]);
      const run = await fullRunAsync(path, '2026-11-28');
      expect(run.status).not.toBe(0);
      expect(run.stderr.trim().split('\n').filter((line) => line.startsWith('scheduler:'))).toEqual([expect.stringMatching(/tenant_id/)]);
    }, RUN_TEST_TIMEOUT);

    // CONTRACT: an existing database "with extra columns it ignores"; this file's first run rebuilds the table.
    it('runs on a file whose email_schedules has a generated column among its extra columns', async () => {
      const path = join(directory, 'generated.sqlite');
      createStrictSenderOrganization(path, 10_000, { generatedColumn: true });
      const migrate = await schedulerAsync(['migrate', '--db', path]);
      expect(migrate.status).toBe(0);
      const migrated = snapshot(path);
      const run = await fullRunAsync(path, '2026-11-28');
      expect(run.stderr).not.toContain('columns but');
      expect(run.status).toBe(0);
      const after = snapshot(path);
      expect(differences(migrated.rows.get('email_schedules')!, after.rows.get('email_schedules')!, senderRowKeys(migrated))).toEqual([]);
    }, RUN_TEST_TIMEOUT);

    // Rows written without an id could never be replaced: later runs find rows by id.
    it('refuses an email_schedules whose id is not its INTEGER PRIMARY KEY, or gives every row it writes an id', async () => {
      const path = join(directory, 'id-not-key.sqlite');
      createLooseSenderOrganization(path, 100);
      const db = new Database(path);
      // The loose table replaced by one keyed by rowid, whose id is a plain column.
      db.exec(`
        CREATE TABLE email_schedules_by_rowid (id INTEGER, contact_id INTEGER NOT NULL, email_type TEXT NOT NULL, scheduled_send_date TEXT NOT NULL,
          status TEXT NOT NULL, actual_send_datetime TEXT, UNIQUE (contact_id, email_type, scheduled_send_date));
        INSERT INTO email_schedules_by_rowid VALUES (1001, 1, 'birthday', '2026-11-26', 'sent', '2026-11-26 14:30:00');
        DROP TABLE email_schedules;
        ALTER TABLE email_schedules_by_rowid RENAME TO email_schedules;
      `);
      db.close();
      const migrate = await schedulerAsync(['migrate', '--db', path]);
      if (migrate.status !== 0) {
        expect(migrate.stderr.trim().split('\n')).toHaveLength(1);
        return;
      }
      const run = await fullRunAsync(path, '2026-11-28');
      expect(run.status, run.stderr).toBe(0);
      const after = openPlain(path);
      const withoutId = after.prepare('SELECT count(*) FROM email_schedules WHERE id IS NULL').pluck().get();
      after.close();
      expect(withoutId).toBe(0);
    }, RUN_TEST_TIMEOUT);
  });

  // CONTRACT "nothing of it is dropped or rewritten": with a status column added at its default, `pre-scheduled`,
  // the sender's delivered rows would read as the scheduler's own, which a full run replaces (RULES.md §10).
  it('refuses an email_schedules without a status column, or keeps its rows out of the scheduler\'s reach', () => {
    const path = join(directory, 'no-status.sqlite');
    const db = new Database(path);
    db.exec(`
      CREATE TABLE contacts (id INTEGER PRIMARY KEY, email TEXT, zip_code TEXT, birth_date TEXT, effective_date TEXT);
      INSERT INTO contacts VALUES (1, 'a@example.com', '90210', '1950-12-10', '2015-01-01'), (2, 'b@example.com', '33101', '1951-03-05', NULL);
      CREATE TABLE email_schedules (id INTEGER PRIMARY KEY, contact_id INTEGER NOT NULL, email_type TEXT NOT NULL,
        scheduled_send_date TEXT NOT NULL, delivery_state TEXT NOT NULL, sent_at TEXT, UNIQUE (contact_id, email_type, scheduled_send_date));
      INSERT INTO email_schedules VALUES (1, 1, 'birthday', '2026-11-26', 'delivered', '2026-11-26 14:30:00'),
        (2, 2, 'aep', '2026-09-15', 'delivered', '2026-09-15 14:30:00'), (3, 1, 'effective_date', '2026-12-02', 'queued', NULL);
    `);
    db.close();
    const before = snapshot(path);
    const result = scheduler(['migrate', '--db', path]);
    if (result.status !== 0) {
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
      const after = snapshot(path);
      expect(after.objects).toEqual(before.objects);
      for (const [table, rows] of before.rows) expect(differences(rows, after.rows.get(table)!), table).toEqual([]);
      return;
    }
    const migrated = openPlain(path);
    const replaceable = migrated.prepare(`SELECT id FROM email_schedules WHERE status IN ('pre-scheduled', 'skipped')`).pluck().all();
    migrated.close();
    expect(replaceable).toEqual([]);
  });

  describe('a file that cannot be migrated', () => {
    const cases: [string, string, RegExp?][] = [
      [
        'email_schedules without its id column',
        `CREATE TABLE contacts (id INTEGER PRIMARY KEY, email TEXT, zip_code TEXT, legacy_flag INTEGER);
         INSERT INTO contacts VALUES (1, 'a@example.com', '90210', 7);
         CREATE TABLE email_schedules (contact_id INTEGER NOT NULL, email_type TEXT NOT NULL, scheduled_send_date TEXT NOT NULL,
           status TEXT NOT NULL, actual_send_datetime TEXT, UNIQUE (contact_id, email_type, scheduled_send_date));
         INSERT INTO email_schedules VALUES (1, 'birthday', '2026-11-01', 'sent', '2026-11-01 14:30:00');
         CREATE INDEX sender_status ON email_schedules (status);`,
      ],
      [
        'email_schedules holding two sender rows for one contact, type and date (no UNIQUE key)',
        `CREATE TABLE contacts (id INTEGER PRIMARY KEY, email TEXT, zip_code TEXT);
         INSERT INTO contacts VALUES (1, 'a@example.com', '90210');
         CREATE TABLE email_schedules (id INTEGER PRIMARY KEY, contact_id INTEGER NOT NULL, email_type TEXT NOT NULL,
           scheduled_send_date TEXT NOT NULL, status TEXT NOT NULL, actual_send_datetime TEXT);
         INSERT INTO email_schedules VALUES (1, 1, 'birthday', '2026-11-01', 'failed', NULL);
         INSERT INTO email_schedules VALUES (2, 1, 'birthday', '2026-11-01', 'sent', '2026-11-01 15:00:00');`,
        /email_schedules holds rows that share \(contact_id, email_type, scheduled_send_date\), which the scheduler needs unique: \(1, "birthday", "2026-11-01"\) 2 times\./,
      ],
      [
        'email_schedules that is a view',
        `CREATE TABLE contacts (id INTEGER PRIMARY KEY, email TEXT, zip_code TEXT);
         INSERT INTO contacts VALUES (1, 'a@example.com', '90210');
         CREATE TABLE outbox (id INTEGER PRIMARY KEY, contact_id INTEGER, kind TEXT, day TEXT, state TEXT);
         INSERT INTO outbox VALUES (1, 1, 'birthday', '2026-11-01', 'sent');
         CREATE VIEW email_schedules AS SELECT id, contact_id, kind AS email_type, day AS scheduled_send_date, state AS status FROM outbox;`,
      ],
      [
        'contacts keyed by a text id (CONTRACT: contacts(id INTEGER PRIMARY KEY, …))',
        `CREATE TABLE contacts (id TEXT PRIMARY KEY, email TEXT, zip_code TEXT);
         INSERT INTO contacts VALUES ('1', 'a@example.com', '90210'), ('abc', 'b@example.com', '10001');`,
        /contacts\.id/,
      ],
      // CONTRACT "nothing of it is dropped or rewritten": a status added at its default would make the sender's rows
      // `pre-scheduled`, which a full run replaces (RULES.md §10). Every other column here could be migrated: the
      // missing status alone must refuse the file.
      [
        'email_schedules with rows but no status column, and nothing else in the way',
        `CREATE TABLE contacts (id INTEGER PRIMARY KEY, email TEXT, zip_code TEXT);
         INSERT INTO contacts VALUES (1, 'a@example.com', '90210'), (2, 'b@example.com', '33101');
         CREATE TABLE email_schedules (id INTEGER PRIMARY KEY, contact_id INTEGER NOT NULL, email_type TEXT NOT NULL,
           scheduled_send_date TEXT NOT NULL, actual_send_datetime TEXT, sender_batch TEXT, opened_at TEXT,
           UNIQUE (contact_id, email_type, scheduled_send_date));
         INSERT INTO email_schedules VALUES (1, 1, 'birthday', '2026-11-26', '2026-11-26 14:30:00', 'b-7', '2026-11-27 09:00:00'),
           (2, 2, 'aep', '2026-09-15', '2026-09-15 14:30:00', NULL, NULL);`,
        /email_schedules holds 2 rows but no status column/,
      ],
    ];

    const build = (name: string, sql: string): string => {
      const path = join(directory, `${name.replace(/\W+/g, '-')}.sqlite`);
      const db = new Database(path);
      db.exec(sql);
      db.pragma('user_version = 9');
      db.close();
      return path;
    };

    for (const [name, sql, mention = /email_schedules/] of cases) {
      describe(name, () => {
        let path: string;
        let bytesBefore: Buffer;
        let before: Snapshot;
        let filesBefore: string[];
        let result: ReturnType<typeof scheduler>;
        let filesAfter: string[];
        let bytesAfter: Buffer;

        beforeAll(() => {
          path = build(name, sql);
          bytesBefore = readFileSync(path);
          before = snapshot(path);
          filesBefore = readdirSync(directory).sort();
          result = scheduler(['migrate', '--db', path]);
          filesAfter = readdirSync(directory).sort();
          bytesAfter = readFileSync(path);
        });

        it('ends with one clear line on stderr and a non-zero exit, and leaves the schema, the rows and the pragmas as they were', () => {
          expect(result.status).not.toBe(0);
          expect(result.stdout).toBe('');
          const lines = result.stderr.trim().split('\n');
          expect(lines).toHaveLength(1);
          expect(lines[0]).toMatch(new RegExp(`^scheduler: .*${mention.source}`));
          expect(result.stderr).not.toMatch(/^\s+at /m);
          expect(filesAfter).toEqual(filesBefore);
          const after = snapshot(path);
          expect(after.objects).toEqual(before.objects);
          for (const [table, rows] of before.rows) expect(differences(rows, after.rows.get(table)!), table).toEqual([]);
          expect([...after.rows.keys()]).toEqual([...before.rows.keys()]);
          expect(after.pragmas).toEqual(before.pragmas);
        });

        // A file that cannot be migrated is left as it was, its journal mode (header bytes 18–19) included.
        it('leaves the file byte for byte the same', () => {
          expect(result.status).not.toBe(0);
          const changed = [...bytesBefore.keys()].filter((i) => bytesBefore[i] !== bytesAfter[i]);
          expect(changed).toEqual([]);
        });
      });
    }
  });
});
