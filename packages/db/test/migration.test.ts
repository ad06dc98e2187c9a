import Database from 'better-sqlite3';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DatabaseUnreadableError, migrateOrganizationDb, openOrganizationDb } from '../src';
import { writeFileSync } from 'node:fs';
import { useTempDirectory } from './support/temp-directory';

const CONTRACT_TABLES = [
  'contacts',
  'campaign_types',
  'campaign_instances',
  'contact_campaigns',
  'campaign_change_log',
  'email_schedules',
  'scheduler_checkpoints',
  'config_versions',
  'tracking_clicks',
  'contact_events',
];

const columnsOf = (db: Database.Database, table: string): string[] =>
  db.prepare(`SELECT name FROM pragma_table_info(?)`).pluck().all(table) as string[];

const indexColumns = (db: Database.Database, table: string): string[][] =>
  (db.prepare(`SELECT name FROM pragma_index_list(?)`).pluck().all(table) as string[]).map(
    (name) => db.prepare(`SELECT name FROM pragma_index_info(?) ORDER BY seqno`).pluck().all(name) as string[],
  );

/** A file as the main application and the sending service left it, before the scheduler ever ran. */
const createForeignOrganization = (path: string): void => {
  const db = new Database(path);
  db.exec(`
    CREATE TABLE contacts (id INTEGER PRIMARY KEY, email TEXT, zip_code TEXT, state TEXT, birth_date TEXT,
      effective_date TEXT, first_name TEXT, carrier TEXT);
    INSERT INTO contacts VALUES (1, 'a@example.com', '90210', 'CA', '1950-01-01', '2010-01-01', 'Ann', 'Acme');
    INSERT INTO contacts VALUES (2, 'b@example.com', '10001', 'NY', '1951-02-02', NULL, 'Bob', NULL);
    CREATE TABLE email_schedules (id INTEGER PRIMARY KEY, contact_id INTEGER NOT NULL,
      email_type TEXT NOT NULL, event_year INTEGER, event_month INTEGER, event_day INTEGER,
      scheduled_send_date TEXT NOT NULL, scheduled_send_time TEXT DEFAULT '08:30:00',
      status TEXT NOT NULL DEFAULT 'pre-scheduled', skip_reason TEXT,
      priority INTEGER DEFAULT 10, campaign_instance_id INTEGER,
      email_template TEXT, sms_template TEXT, metadata TEXT, created_at TEXT, updated_at TEXT,
      actual_send_datetime TEXT, sender_batch TEXT,
      UNIQUE(contact_id, email_type, scheduled_send_date));
    INSERT INTO email_schedules (contact_id, email_type, scheduled_send_date, status, actual_send_datetime, sender_batch)
      VALUES (1, 'birthday', '2025-12-18', 'sent', '2025-12-18 14:30:00', 'batch-7');
    INSERT INTO email_schedules (contact_id, email_type, scheduled_send_date, status, sender_batch)
      VALUES (2, 'aep', '2026-09-15', 'scheduled', 'batch-8');
  `);
  db.close();
};

describe('migrateOrganizationDb', () => {
  const directory = useTempDirectory();

  describe('when the file is new', () => {
    it('creates every contract table with the contract columns, and WAL mode', () => {
      const path = join(directory(), 'new.sqlite');
      const report = migrateOrganizationDb(path);
      expect(report.applied.length).toBeGreaterThan(0);
      const db = new Database(path);
      for (const table of CONTRACT_TABLES) expect(columnsOf(db, table).length, table).toBeGreaterThan(0);
      expect(columnsOf(db, 'email_schedules')).toEqual([
        'id', 'contact_id', 'email_type', 'event_year', 'event_month', 'event_day', 'scheduled_send_date',
        'scheduled_send_time', 'status', 'skip_reason', 'priority', 'campaign_instance_id', 'email_template',
        'sms_template', 'scheduler_run_id', 'metadata', 'created_at', 'updated_at', 'actual_send_datetime',
      ]);
      expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
      const scheduleIndexes = indexColumns(db, 'email_schedules');
      expect(scheduleIndexes).toContainEqual(['contact_id', 'email_type', 'scheduled_send_date']);
      expect(scheduleIndexes).toContainEqual(['status', 'scheduled_send_date', 'email_type']);
      expect(scheduleIndexes).not.toContainEqual(['scheduler_run_id']);
      expect(indexColumns(db, 'contacts')).toEqual(expect.arrayContaining([['birth_date'], ['effective_date']]));
      expect(indexColumns(db, 'campaign_instances')).toContainEqual(['active_start_date', 'active_end_date']);
      db.close();
    });

    it('reports no added column for a new file: a column a later migration adds to a table made in the same call is no change', () => {
      const report = migrateOrganizationDb(join(directory(), 'new.sqlite'));
      expect(report.applied.length).toBeGreaterThan(0);
      expect(report.addedColumns).toEqual([]);
    });

    it('applies nothing the second time', () => {
      const path = join(directory(), 'twice.sqlite');
      migrateOrganizationDb(path);
      expect(migrateOrganizationDb(path)).toEqual({ applied: [], addedColumns: [], equivalentIndexesKept: [] });
    });
  });

  describe('when the file was migrated before the index on email_schedules.scheduler_run_id was dropped', () => {
    /** The file as the migrations before 0006 left it: with that index under `name`, on `columns`. */
    const migratedBefore0006 = (path: string, name: string, columns: string): void => {
      migrateOrganizationDb(path);
      const db = new Database(path);
      db.exec(`CREATE INDEX ${name} ON email_schedules (${columns})`);
      db.exec(`DELETE FROM __drizzle_migrations WHERE created_at = (SELECT max(created_at) FROM __drizzle_migrations)`);
      db.close();
    };
    const indexNames = (path: string): string[] => {
      const db = new Database(path, { readonly: true });
      try {
        return db.prepare(`SELECT name FROM pragma_index_list('email_schedules') ORDER BY name`).pluck().all() as string[];
      } finally {
        db.close();
      }
    };

    it('drops the index 0000 made', () => {
      const path = join(directory(), 'before-0006.sqlite');
      migratedBefore0006(path, 'idx_email_schedules_run', 'scheduler_run_id');
      expect(indexNames(path)).toContain('idx_email_schedules_run');
      expect(migrateOrganizationDb(path).applied).toEqual(['0006_drop_schedule_run_index']);
      expect(indexNames(path)).not.toContain('idx_email_schedules_run');
    });

    it("keeps another system's index of that name on other columns", () => {
      const path = join(directory(), 'foreign-0006.sqlite');
      migratedBefore0006(path, 'idx_email_schedules_run', 'scheduler_run_id, id');
      expect(migrateOrganizationDb(path).applied).toEqual(['0006_drop_schedule_run_index']);
      expect(indexNames(path)).toContain('idx_email_schedules_run');
    });
  });

  describe('when another system already created some tables', () => {
    it('keeps their extra columns and rows, adds the missing contract columns, and leaves foreign rows untouched', () => {
      const path = join(directory(), 'foreign.sqlite');
      createForeignOrganization(path);
      const before = new Database(path);
      const schedulesBefore = before.prepare('SELECT * FROM email_schedules ORDER BY id').all();
      before.close();

      const report = migrateOrganizationDb(path);
      expect(report.addedColumns).toEqual(expect.arrayContaining(['contacts.phone_number', 'email_schedules.scheduler_run_id']));
      // The table's own UNIQUE constraint already is the contract's key: no second index on it.
      expect(report.equivalentIndexesKept).toEqual([expect.stringContaining('email_schedules_contact_type_date_unique')]);

      const db = new Database(path);
      expect(db.prepare('SELECT id, email, first_name, carrier, phone_number FROM contacts ORDER BY id').all()).toEqual([
        { id: 1, email: 'a@example.com', first_name: 'Ann', carrier: 'Acme', phone_number: null },
        { id: 2, email: 'b@example.com', first_name: 'Bob', carrier: null, phone_number: null },
      ]);
      const schedulesAfter = db.prepare('SELECT * FROM email_schedules ORDER BY id').all() as Record<string, unknown>[];
      expect(schedulesAfter).toEqual(
        (schedulesBefore as Record<string, unknown>[]).map((row) => ({ ...row, scheduler_run_id: null })),
      );
      expect(
        indexColumns(db, 'email_schedules').filter(
          (columns) => columns.join() === 'contact_id,email_type,scheduled_send_date',
        ),
      ).toHaveLength(1);
      for (const table of CONTRACT_TABLES) expect(columnsOf(db, table).length, table).toBeGreaterThan(0);
      db.close();
      expect(migrateOrganizationDb(path).applied).toEqual([]);
    });
  });

  describe('when a table the scheduler adds rows to has a column of its own that is NOT NULL without a default', () => {
    const FOREIGN_TABLES = [
      `CREATE TABLE config_versions (id INTEGER PRIMARY KEY, config_type TEXT NOT NULL, config_data TEXT NOT NULL,
         valid_from TEXT NOT NULL, valid_to TEXT, created_at TEXT NOT NULL, created_by TEXT, tenant_id INTEGER NOT NULL)`,
      `CREATE TABLE scheduler_checkpoints (id INTEGER PRIMARY KEY, run_timestamp TEXT NOT NULL, scheduler_run_id TEXT NOT NULL UNIQUE,
         contacts_checksum TEXT NOT NULL, status TEXT NOT NULL, host TEXT NOT NULL)`,
    ];

    it.each(FOREIGN_TABLES)('refuses the file, naming the column, and changes nothing: %s', (create) => {
      const path = join(directory(), 'required-column.sqlite');
      const db = new Database(path);
      db.exec(create);
      db.close();
      const column = create.includes('tenant_id') ? 'config_versions.tenant_id' : 'scheduler_checkpoints.host';
      expect(() => migrateOrganizationDb(path)).toThrow(new RegExp(`${column} NOT NULL without a default`));
      const after = new Database(path, { readonly: true });
      expect(after.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name`).pluck().all()).toEqual([column.split('.')[0]]);
      after.close();
    });
  });

  describe('when the file is not a database', () => {
    it('fails with DatabaseUnreadableError, keeping the cause', () => {
      const path = join(directory(), 'garbage.sqlite');
      writeFileSync(path, 'this is not an SQLite file, only text that is long enough to hold a header '.repeat(20));
      let caught: unknown;
      try {
        migrateOrganizationDb(path);
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(DatabaseUnreadableError);
      expect((caught as Error).cause).toBeDefined();
    });

    it('refuses to open a missing file read-only', () => {
      expect(() => openOrganizationDb(join(directory(), 'missing.sqlite'), { readonly: true })).toThrow(
        DatabaseUnreadableError,
      );
    });
  });
});
