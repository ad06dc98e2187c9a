import Database from 'better-sqlite3';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  DatabaseConstraintError,
  migrateOrganizationDb,
  openOrganizationDb,
  replaceContactsSchedule,
  replaceOrganizationSchedule,
  RowOrderError,
  schedulesChecksum,
  schedulesChecksumFromDigests,
  type OrganizationDb,
  type ReplaceOptions,
  type ScheduleRow,
} from '../src';
import { freshOrganization, insertContacts, scheduleRow, storedRows } from './support/organization-fixture';
import { useTempDirectory } from './support/temp-directory';

const schedulerRowsOf = (db: OrganizationDb) =>
  storedRows(db).filter((row) => row.status === 'pre-scheduled' || row.status === 'skipped');

const keysOf = (db: OrganizationDb) =>
  schedulerRowsOf(db).map((row) => `${row.contact_id}|${row.email_type}|${row.scheduled_send_date}|${row.status}`);

/** Three rows per contact, shifted by `variant` for the contacts `changes` picks. */
const runRows = (contactIds: readonly number[], changes: (id: number) => boolean = () => false): ScheduleRow[] =>
  contactIds.flatMap((id) => {
    const moved = changes(id);
    return [
      scheduleRow(id, 'aep', '2026-09-15'),
      scheduleRow(id, 'birthday', moved ? '2026-06-02' : '2026-06-01', { priority: 10 }),
      scheduleRow(id, 'effective_date', '2026-02-01', moved ? { status: 'skipped', skipReason: 'exclusion_window: CA birthday window' } : {}),
    ];
  });

const senderRows = (db: OrganizationDb): void => {
  db.sqlite.exec(`
    INSERT INTO email_schedules (contact_id, email_type, scheduled_send_date, status, actual_send_datetime) VALUES
      (1, 'birthday', '2025-06-01', 'sent', '2025-06-01 13:30:00'),
      (2, 'aep', '2026-09-15', 'scheduled', NULL),
      (3, 'birthday', '2026-01-01', 'failed', NULL);
  `);
};

const senderSnapshot = (db: OrganizationDb) =>
  db.sqlite.prepare(`SELECT * FROM email_schedules WHERE status NOT IN ('pre-scheduled', 'skipped') ORDER BY id`).all();

const MODES: { name: string; options: ReplaceOptions; mode: string }[] = [
  { name: 'row by row', options: { rebuild: 'never' }, mode: 'incremental' },
  { name: 'by rebuilding the table', options: { rebuild: 'always', probeRows: 1 }, mode: 'rebuild' },
];

describe('replaceOrganizationSchedule', () => {
  const directory = useTempDirectory();

  for (const { name, options, mode } of MODES) {
    describe(`when it writes ${name}`, () => {
      it('makes the scheduler rows exactly the run’s rows and never touches other statuses', () => {
        const db = freshOrganization(directory());
        insertContacts(db, [1, 2, 3, 4, 9000]);
        senderRows(db);
        const sender = senderSnapshot(db);
        replaceOrganizationSchedule(db, 'run-1', runRows([1, 2, 3, 4, 9000]), options);
        // Contact 9000 lies in another digest block: the stream crosses a block's end, where a rebuild may start.
        const summary = replaceOrganizationSchedule(db, 'run-2', runRows([1, 3, 9000], (id) => id === 3), options);
        expect(summary.mode).toBe(mode);
        expect(senderSnapshot(db)).toEqual(sender);
        // Contact 2's aep key is the sender's: the run's row stays out (and is counted).
        expect(keysOf(db)).toEqual([
          '1|aep|2026-09-15|pre-scheduled',
          '1|birthday|2026-06-01|pre-scheduled',
          '1|effective_date|2026-02-01|pre-scheduled',
          '3|aep|2026-09-15|pre-scheduled',
          '3|birthday|2026-06-02|pre-scheduled',
          '3|effective_date|2026-02-01|skipped',
          '9000|aep|2026-09-15|pre-scheduled',
          '9000|birthday|2026-06-01|pre-scheduled',
          '9000|effective_date|2026-02-01|pre-scheduled',
        ]);
        expect(summary.schedulesChecksum).toBe(schedulesChecksum(db));
        db.close();
      });
    });
  }

  it('fills an empty schedule with its indexes built after, and keeps every index', () => {
    const db = freshOrganization(directory());
    const indexes = () => db.sqlite.prepare(`SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'email_schedules' ORDER BY name`).all();
    const before = indexes();
    insertContacts(db, [1, 2]);
    senderRows(db);
    const summary = replaceOrganizationSchedule(db, 'run-1', runRows([1, 2, 3]));
    expect(summary).toMatchObject({ mode: 'bulk-insert', rowsInserted: 8, conflictsIgnored: 1 });
    expect(indexes()).toEqual(before);
    // The checksum written while committing describes the table, the row kept out by the sender's key included.
    expect(summary.schedulesChecksum).toBe(schedulesChecksum(db));
    const rerun = replaceOrganizationSchedule(db, 'run-2', runRows([1, 2, 3]));
    expect(rerun).toMatchObject({ mode: 'incremental', contactsChanged: 0, conflictsIgnored: 1, rowsKept: 8 });
    expect(rerun.schedulesChecksum).toBe(summary.schedulesChecksum);
    expect(db.sqlite.prepare('PRAGMA integrity_check').pluck().get()).toBe('ok');
    db.close();
  });

  it('keeps unchanged rows as they were (id, run id) and rewrites only what changed', () => {
    const db = freshOrganization(directory());
    const contacts = Array.from({ length: 50 }, (_, i) => i + 1);
    insertContacts(db, contacts);
    replaceOrganizationSchedule(db, 'run-1', runRows(contacts), { rebuild: 'never' });
    const before = new Map(schedulerRowsOf(db).map((row) => [`${row.contact_id}|${row.email_type}`, row]));
    const summary = replaceOrganizationSchedule(db, 'run-2', runRows(contacts, (id) => id % 10 === 0), { rebuild: 'never' });
    // A row whose date changed moves (same id, new date) rather than being deleted and inserted.
    expect(summary).toMatchObject({ mode: 'incremental', contacts: 50, contactsChanged: 5, rowsKept: 140, rowsUpdated: 10, rowsInserted: 0, rowsDeleted: 0 });
    for (const row of schedulerRowsOf(db)) {
      const old = before.get(`${row.contact_id}|${row.email_type}`)!;
      if (row.contact_id % 10 !== 0) expect(row).toEqual(old);
      else if (row.email_type === 'effective_date') expect(row).toMatchObject({ id: old.id, status: 'skipped', scheduler_run_id: 'run-2' });
      else if (row.email_type === 'birthday') expect(row).toMatchObject({ id: old.id, scheduled_send_date: '2026-06-02', scheduler_run_id: 'run-2' });
    }
    const rerun = replaceOrganizationSchedule(db, 'run-3', runRows(contacts, (id) => id % 10 === 0));
    expect(rerun).toMatchObject({ contactsChanged: 0, rowsKept: 150, rowsInserted: 0, rowsDeleted: 0, rowsUpdated: 0 });
    expect(rerun.schedulesChecksum).toBe(summary.schedulesChecksum);
    db.close();
  });

  it('switches to a rebuild when most rows change, with the same result as row by row', () => {
    // Spread over many digest blocks of 1024 ids: the switch happens at a block's end.
    const contacts = Array.from({ length: 300 }, (_, i) => (i + 1) * 37);
    const results = ['auto', 'never'].map((rebuild, i) => {
      const db = freshOrganization(directory(), `org-${i}.sqlite`);
      insertContacts(db, contacts);
      senderRows(db);
      replaceOrganizationSchedule(db, 'run-1', runRows(contacts), { rebuild: rebuild as 'auto' | 'never', probeRows: 30 });
      const summary = replaceOrganizationSchedule(db, 'run-2', runRows(contacts, () => true), {
        rebuild: rebuild as 'auto' | 'never',
        probeRows: 30,
      });
      const rows = keysOf(db);
      const sender = senderSnapshot(db);
      db.close();
      return { summary, rows, sender };
    });
    expect(results[0]!.summary.mode).toBe('rebuild');
    expect(results[1]!.summary.mode).toBe('incremental');
    expect(results[0]!.rows).toEqual(results[1]!.rows);
    expect(results[0]!.sender).toEqual(results[1]!.sender);
    expect(results[0]!.summary.schedulesChecksum).toBe(results[1]!.summary.schedulesChecksum);
  });

  it('rebuilds a table created by another system under its own definition', () => {
    const db = freshOrganization(directory());
    db.sqlite.exec(`
      DROP TABLE email_schedules;
      CREATE TABLE email_schedules (id INTEGER PRIMARY KEY, contact_id INTEGER NOT NULL, email_type TEXT NOT NULL,
        event_year INTEGER, event_month INTEGER, event_day INTEGER, scheduled_send_date TEXT NOT NULL,
        scheduled_send_time TEXT DEFAULT '08:30:00', status TEXT NOT NULL DEFAULT 'pre-scheduled', skip_reason TEXT,
        priority INTEGER DEFAULT 10, campaign_instance_id INTEGER, email_template TEXT, sms_template TEXT,
        scheduler_run_id TEXT, metadata TEXT, created_at TEXT, updated_at TEXT, actual_send_datetime TEXT,
        sender_batch TEXT DEFAULT 'none', UNIQUE(contact_id, email_type, scheduled_send_date));
      CREATE INDEX sender_batch_index ON email_schedules(sender_batch);
      CREATE VIEW todays_sends AS SELECT * FROM email_schedules WHERE status = 'scheduled';
      INSERT INTO email_schedules (contact_id, email_type, scheduled_send_date, status, sender_batch) VALUES (1, 'aep', '2025-09-15', 'sent', 'b-1');
      INSERT INTO email_schedules (contact_id, email_type, scheduled_send_date, status) VALUES (1, 'aep', '2030-09-15', 'pre-scheduled');
    `);
    insertContacts(db, [1, 5000]);
    const summary = replaceOrganizationSchedule(db, 'run-1', runRows([1, 5000]), { rebuild: 'always', probeRows: 1 });
    expect(summary.mode).toBe('rebuild');
    expect(db.sqlite.prepare(`SELECT sender_batch FROM email_schedules WHERE status = 'sent'`).pluck().all()).toEqual(['b-1']);
    expect(keysOf(db)).toHaveLength(6);
    expect(db.sqlite.prepare(`SELECT name FROM sqlite_master WHERE tbl_name = 'email_schedules' AND type = 'index' ORDER BY name`).pluck().all()).toEqual([
      'sender_batch_index',
      'sqlite_autoindex_email_schedules_1',
    ]);
    expect(db.sqlite.prepare('SELECT count(*) FROM todays_sends').pluck().get()).toBe(0);
    db.close();
  });

  it('is atomic for a reader on another connection', () => {
    const db = freshOrganization(directory());
    const contacts = Array.from({ length: 200 }, (_, i) => (i + 1) * 37);
    insertContacts(db, contacts);
    replaceOrganizationSchedule(db, 'run-1', runRows(contacts));
    const reader = openOrganizationDb(db.path, { readonly: true });
    const before = schedulerRowsOf(reader);
    const seenDuringWrite: number[] = [];
    function* rowsWhileWatching(): Generator<ScheduleRow> {
      for (const row of runRows(contacts, () => true)) {
        // The writer is mid-transaction here: the reader must still see the whole previous schedule.
        if (row.emailType === 'aep' && row.contactId % 50 === 0) seenDuringWrite.push(schedulerRowsOf(reader).length);
        yield row;
      }
    }
    const modes = (['never', 'always'] as const).map((rebuild) => {
      const summary = replaceOrganizationSchedule(db, `run-${rebuild}`, rowsWhileWatching(), { rebuild, probeRows: 10 });
      expect(seenDuringWrite.length).toBeGreaterThan(0);
      expect(seenDuringWrite.every((count) => count === before.length)).toBe(true);
      seenDuringWrite.length = 0;
      return summary.mode;
    });
    expect(modes).toEqual(['incremental', 'rebuild']);
    expect(keysOf(reader)).toEqual(keysOf(db));
    expect(keysOf(reader)).not.toEqual(before.map((row) => `${row.contact_id}|${row.email_type}|${row.scheduled_send_date}|${row.status}`));
    reader.close();
    db.close();
  });

  it('refuses rows out of contact order and leaves the schedule as it was', () => {
    const db = freshOrganization(directory());
    insertContacts(db, [1, 2]);
    replaceOrganizationSchedule(db, 'run-1', runRows([1, 2]));
    const before = storedRows(db);
    expect(() => replaceOrganizationSchedule(db, 'run-2', [...runRows([2]), ...runRows([1], () => true)])).toThrow(RowOrderError);
    expect(storedRows(db)).toEqual(before);
    db.close();
  });

  it('never trusts digests stored in an older digest format, even ones that match the new rows', () => {
    const contacts = [1, 2, 3];
    const changes = (id: number): boolean => id === 2;
    // File B holds the digests of run-2's rows; file A holds run-1's rows, then B's digests under the format-1 mark.
    const other = freshOrganization(directory(), 'other.sqlite');
    insertContacts(other, contacts);
    replaceOrganizationSchedule(other, 'run-2', runRows(contacts, changes));
    other.close();
    const db = freshOrganization(directory());
    insertContacts(db, contacts);
    replaceOrganizationSchedule(db, 'run-1', runRows(contacts));
    db.sqlite.prepare('ATTACH DATABASE ? AS other').run(`${directory()}/other.sqlite`);
    db.sqlite.exec(`DELETE FROM schedule_digest_blocks; INSERT INTO schedule_digest_blocks SELECT * FROM other.schedule_digest_blocks;
      UPDATE scheduler_state SET value = 'complete' WHERE key = 'schedule_digest_blocks'`);
    db.sqlite.exec('DETACH DATABASE other');
    expect(schedulesChecksumFromDigests(db)).toBeNull();
    const summary = replaceOrganizationSchedule(db, 'run-2', runRows(contacts, changes), { rebuild: 'never' });
    expect(summary).toMatchObject({ contactsChanged: 1, rowsUpdated: 2 });
    expect(keysOf(db)).toContain('2|birthday|2026-06-02|pre-scheduled');
    expect(schedulesChecksumFromDigests(db)).toBe(schedulesChecksum(db));
    db.close();
  });
});

/** CONTRACT.md's `email_schedules`, as another system made it before the scheduler migrated the file, with `extra` constraints. */
const contractEmailSchedules = (extra = ''): string => `
  CREATE TABLE email_schedules (id INTEGER PRIMARY KEY, contact_id INTEGER NOT NULL, email_type TEXT NOT NULL,
    event_year INTEGER, event_month INTEGER, event_day INTEGER, scheduled_send_date TEXT NOT NULL,
    scheduled_send_time TEXT DEFAULT '08:30:00', status TEXT NOT NULL DEFAULT 'pre-scheduled', skip_reason TEXT,
    priority INTEGER DEFAULT 10, campaign_instance_id INTEGER, email_template TEXT, sms_template TEXT,
    scheduler_run_id TEXT, metadata TEXT, created_at TEXT, updated_at TEXT, actual_send_datetime TEXT,
    UNIQUE (contact_id, email_type, scheduled_send_date)${extra});`;

// RULES.md §10: a full run's result replaces all `pre-scheduled` AND `skipped` rows. A file that already held
// scheduler rows when it was migrated (an older scheduler's, before our triggers recorded who changed what) has no
// digest a first commit can trust: a contact whose rows there are all skipped must be compared row by row like any
// other, and none of its stale rows may outlive the run.
describe('a first commit on a file whose contact held only stale skipped rows before it was migrated', () => {
  const directory = useTempDirectory();
  /** An older scheduler's file: contact 1's rows all skipped, and `preScheduled` contacts holding a pre-scheduled row. */
  const olderSchedulerOrganization = (preScheduled: readonly number[]): OrganizationDb => {
    const path = join(directory(), 'older-scheduler.sqlite');
    const older = new Database(path);
    older.exec(`
      ${contractEmailSchedules()}
      INSERT INTO email_schedules (contact_id, email_type, scheduled_send_date, status, skip_reason, scheduler_run_id) VALUES
        (1, 'birthday', '2026-06-01', 'skipped', 'exclusion_window: CA birthday window', 'older-run'),
        (1, 'aep', '2025-09-15', 'skipped', 'frequency_cap: 3 emails in 30 days', 'older-run'),
        (1, 'post_window', '2026-08-01', 'skipped', 'exclusion_window: CA birthday window', 'older-run');
    `);
    const preScheduledRow = older.prepare(
      `INSERT INTO email_schedules (contact_id, email_type, scheduled_send_date, status, scheduler_run_id) VALUES (?, 'birthday', '2026-05-01', 'pre-scheduled', 'older-run')`,
    );
    for (const contactId of preScheduled) preScheduledRow.run(contactId);
    older.close();
    migrateOrganizationDb(path);
    return openOrganizationDb(path);
  };
  // In storedRows' order: contact id, then type and date as SQLite compares text (byte by byte).
  const byText = (x: string, y: string): number => (x < y ? -1 : x > y ? 1 : 0);
  const expectedKeys = (rows: readonly ScheduleRow[]): string[] =>
    [...rows]
      .sort((a, b) => a.contactId - b.contactId || byText(a.emailType, b.emailType) || byText(a.scheduledSendDate, b.scheduledSendDate))
      .map((row) => `${row.contactId}|${row.emailType}|${row.scheduledSendDate}|${row.status}`);

  for (const { name, options } of MODES) {
    it(`leaves exactly the run's rows for that contact, written ${name}`, () => {
      const db = olderSchedulerOrganization([]);
      insertContacts(db, [1, 2]);
      const rows = runRows([1, 2]);
      replaceOrganizationSchedule(db, 'run-1', rows, options);
      expect(keysOf(db)).toEqual(expectedKeys(rows));
      expect(schedulerRowsOf(db).filter((row) => row.scheduler_run_id === 'older-run')).toEqual([]);
      db.close();
    });

    it(`does so beside a contact whose rows were pre-scheduled, written ${name}`, () => {
      const db = olderSchedulerOrganization([3]);
      insertContacts(db, [1, 2, 3]);
      const rows = runRows([1, 2, 3]);
      replaceOrganizationSchedule(db, 'run-1', rows, options);
      expect(keysOf(db)).toEqual(expectedKeys(rows));
      expect(schedulerRowsOf(db).filter((row) => row.scheduler_run_id === 'older-run')).toEqual([]);
      db.close();
    });
  }
});

/** Every column a run writes besides the date and status, each with a value other than the fixture's. */
const CONTENT_CHANGES: { column: string; change: Partial<ScheduleRow> }[] = [
  { column: 'event_year', change: { eventYear: 2027 } },
  { column: 'event_month', change: { eventMonth: 7 } },
  { column: 'event_day', change: { eventDay: 16 } },
  { column: 'scheduled_send_time', change: { scheduledSendTime: '09:15:00' } },
  { column: 'skip_reason', change: { status: 'skipped', skipReason: 'exclusion_window: NY birthday window' } },
  { column: 'priority', change: { priority: 3 } },
  { column: 'campaign_instance_id', change: { campaignInstanceId: 9 } },
  { column: 'email_template', change: { emailTemplate: 'birthday_v2' } },
  { column: 'sms_template', change: { smsTemplate: 'birthday_sms' } },
  { column: 'metadata', change: { metadata: '{"initial_email_id":7,"behaviour":{"clicked":true}}' } },
];

const COMMITS: { name: string; commit: (db: OrganizationDb, runId: string, rows: ScheduleRow[]) => void }[] = [
  ...MODES.map(({ name, options }) => ({ name: `a full run ${name}`, commit: (db: OrganizationDb, runId: string, rows: ScheduleRow[]) => void replaceOrganizationSchedule(db, runId, rows, options) })),
  { name: 'a reschedule of the contacts', commit: (db, runId, rows) => void replaceContactsSchedule(db, runId, [1, 2, 3], rows) },
];

describe.each(COMMITS)('when $name changes only one column of a row', ({ commit }) => {
  const directory = useTempDirectory();
  // Skipped rows on both sides for the skip reason: only the column named changes.
  const base = (change: Partial<ScheduleRow>): Partial<ScheduleRow> => (change.skipReason === undefined ? {} : { status: 'skipped', skipReason: 'exclusion_window: CA birthday window' });

  it.each(CONTENT_CHANGES)('writes the new $column, and the next commit of the same rows changes nothing', ({ column, change }) => {
    const db = freshOrganization(directory());
    insertContacts(db, [1, 2, 3]);
    const rows = (changed: boolean) => [1, 2, 3].map((id) => scheduleRow(id, 'birthday', '2026-06-01', { ...base(change), ...(changed && id === 2 ? change : {}) }));
    replaceOrganizationSchedule(db, 'run-1', rows(false));
    commit(db, 'run-2', rows(true));
    const stored = db.sqlite.prepare(`SELECT contact_id, ${column} AS value, scheduler_run_id FROM email_schedules ORDER BY contact_id`).all();
    const field = Object.keys(change).find((key) => key !== 'status') as keyof ScheduleRow;
    const expected = (id: number) => rows(true)[id - 1]![field];
    expect(stored).toEqual([1, 2, 3].map((id) => ({ contact_id: id, value: expected(id), scheduler_run_id: id === 2 ? 'run-2' : 'run-1' })));
    expect(replaceOrganizationSchedule(db, 'run-3', rows(true))).toMatchObject({ contactsChanged: 0, rowsUpdated: 0, rowsInserted: 0, rowsDeleted: 0 });
    db.close();
  });
});

describe('replaceContactsSchedule', () => {
  const directory = useTempDirectory();

  it('replaces only the given contacts’ scheduler rows', () => {
    const db = freshOrganization(directory());
    insertContacts(db, [1, 2, 3, 4]);
    senderRows(db);
    replaceOrganizationSchedule(db, 'run-1', runRows([1, 2, 3, 4]));
    const sender = senderSnapshot(db);
    const untouched = schedulerRowsOf(db).filter((row) => row.contact_id === 1 || row.contact_id === 4);
    const summary = replaceContactsSchedule(db, 'reschedule-1', [3, 2], runRows([3], () => true));
    expect(summary).toMatchObject({ mode: 'targeted', contacts: 2, contactsChanged: 2 });
    expect(senderSnapshot(db)).toEqual(sender);
    expect(schedulerRowsOf(db).filter((row) => row.contact_id === 1 || row.contact_id === 4)).toEqual(untouched);
    expect(schedulerRowsOf(db).filter((row) => row.contact_id === 2)).toEqual([]);
    expect(keysOf(db).filter((key) => key.startsWith('3|'))).toEqual([
      '3|aep|2026-09-15|pre-scheduled',
      '3|birthday|2026-06-02|pre-scheduled',
      '3|effective_date|2026-02-01|skipped',
    ]);
    // The digests stay true: a full run with the same rows changes nothing.
    const full = replaceOrganizationSchedule(db, 'run-2', [...runRows([1]), ...runRows([3], () => true), ...runRows([4])]);
    expect(full).toMatchObject({ contactsChanged: 0, rowsInserted: 0, rowsDeleted: 0, rowsUpdated: 0 });
    db.close();
  });

  it('clears the rows of listed contacts that get none, whether they come before or after those that do', () => {
    const db = freshOrganization(directory());
    insertContacts(db, [1, 2, 3, 4]);
    replaceOrganizationSchedule(db, 'run-1', runRows([1, 2, 3, 4]));
    replaceContactsSchedule(db, 'reschedule-1', [1, 2, 3, 4], runRows([2]));
    expect([...new Set(schedulerRowsOf(db).map((row) => row.contact_id))]).toEqual([2]);
    db.close();
  });

  it('refuses a row of a contact outside the list', () => {
    const db = freshOrganization(directory());
    insertContacts(db, [1, 2]);
    expect(() => replaceContactsSchedule(db, 'reschedule-1', [1], runRows([2]))).toThrow(RangeError);
    db.close();
  });
});

// RULES.md §4 ("what the sender has touched is never scheduled again") and §8 ("at most one follow-up per initial
// email"), when the sender takes an email between a run's reads and its commit.
describe('a commit after the sender took one of its emails meanwhile', () => {
  const directory = useTempDirectory();
  const initial = { metadata: '{"initial_email_id": 77, "initial_email_type": "birthday"}', eventMonth: 11, eventDay: 20 };
  /** What a run computed before the sender moved: a birthday email and a follow-up of email 77, and an aep email. */
  const computed = (birthdayDate: string, followupType: string): ScheduleRow[] => [
    scheduleRow(1, 'aep', '2026-09-15', { eventMonth: 9 }),
    scheduleRow(1, 'birthday', birthdayDate),
    scheduleRow(1, followupType, '2026-12-02', initial),
  ];
  const takenBySender = (db: OrganizationDb): void => {
    db.sqlite.exec(`UPDATE email_schedules SET status = 'processing' WHERE contact_id = 1 AND email_type IN ('birthday', 'followup_3_hq_no_yes')`);
  };
  const afterwards = (db: OrganizationDb) => ({
    ours: keysOf(db),
    sender: senderSnapshot(db).map((row) => `${(row as { email_type: string }).email_type} ${(row as { status: string }).status}`),
  });
  const expected = { ours: ['1|aep|2026-09-15|pre-scheduled'], sender: ['birthday processing', 'followup_3_hq_no_yes processing'] };

  it('a full run writes neither the same email re-dated nor another follow-up of the same initial email', () => {
    const db = freshOrganization(directory());
    insertContacts(db, [1]);
    replaceOrganizationSchedule(db, 'run-1', computed('2026-06-01', 'followup_3_hq_no_yes'));
    takenBySender(db);
    replaceOrganizationSchedule(db, 'run-2', computed('2026-06-08', 'followup_4_hq_with_yes'));
    expect(afterwards(db)).toEqual(expected);
    db.close();
  });

  it('nor does a reschedule of the contact', () => {
    const db = freshOrganization(directory());
    insertContacts(db, [1]);
    replaceOrganizationSchedule(db, 'run-1', computed('2026-06-01', 'followup_3_hq_no_yes'));
    takenBySender(db);
    replaceContactsSchedule(db, 'reschedule-1', [1], computed('2026-06-08', 'followup_4_hq_with_yes'));
    expect(afterwards(db)).toEqual(expected);
    db.close();
  });
});

// CONTRACT.md: the scheduler works on an email_schedules another system made. The writes use OR IGNORE so that a key
// the sender holds keeps the sender's row; a CHECK of that system's that refuses a row the run writes must not pass
// for such a key: the commit fails, naming the kind of error, and the schedule stays as it was (RULES.md §10).
describe('when email_schedules has a CHECK of another system that refuses a row the run writes', () => {
  const directory = useTempDirectory();
  /** A sender that sends on weekdays only, and says so in its table; one email of its own already sent. */
  const weekdaySenderOrganization = (): OrganizationDb => {
    const path = join(directory(), 'weekday-sender.sqlite');
    const foreign = new Database(path);
    foreign.exec(`
      ${contractEmailSchedules(", CHECK (strftime('%w', scheduled_send_date) NOT IN ('0', '6'))")}
      INSERT INTO email_schedules (contact_id, email_type, scheduled_send_date, status, actual_send_datetime)
        VALUES (1, 'birthday', '2025-06-02', 'sent', '2025-06-02 13:30:00');
    `);
    foreign.close();
    migrateOrganizationDb(path);
    const db = openOrganizationDb(path);
    insertContacts(db, [1, 2]);
    return db;
  };
  const weekend = (db: OrganizationDb, date: string): boolean =>
    ['0', '6'].includes(db.sqlite.prepare(`SELECT strftime('%w', ?)`).pluck().get(date) as string);
  const allRows = (db: OrganizationDb) => db.sqlite.prepare('SELECT * FROM email_schedules ORDER BY id').all();
  const failureOf = (commit: () => unknown): unknown => {
    try {
      commit();
    } catch (error) {
      return error;
    }
    return null;
  };
  const weekdayRows = (contactIds: readonly number[]): ScheduleRow[] =>
    contactIds.flatMap((id) => [scheduleRow(id, 'aep', '2026-09-15'), scheduleRow(id, 'birthday', '2026-06-01')]);
  const SUNDAY = '2026-06-07';

  it('a first commit that would insert the refused row fails with a DatabaseConstraintError and writes nothing', () => {
    const db = weekdaySenderOrganization();
    expect(weekend(db, SUNDAY)).toBe(true);
    expect(weekdayRows([1, 2]).some((row) => weekend(db, row.scheduledSendDate))).toBe(false);
    const before = allRows(db);
    const rows = [...weekdayRows([1]), scheduleRow(2, 'aep', '2026-09-15'), scheduleRow(2, 'birthday', SUNDAY)];
    const failure = failureOf(() => replaceOrganizationSchedule(db, 'run-1', rows));
    expect(failure).toBeInstanceOf(DatabaseConstraintError);
    expect((failure as Error).name).toBe('DatabaseConstraintError');
    expect(allRows(db)).toEqual(before);
    db.close();
  });

  it('a commit row by row that would move a row onto the refused date fails and keeps the previous schedule', () => {
    const db = weekdaySenderOrganization();
    replaceOrganizationSchedule(db, 'run-1', weekdayRows([1, 2]));
    const before = allRows(db);
    const rows = [...weekdayRows([1]), scheduleRow(2, 'aep', '2026-09-15'), scheduleRow(2, 'birthday', SUNDAY)];
    const failure = failureOf(() => replaceOrganizationSchedule(db, 'run-2', rows, { rebuild: 'never' }));
    expect(failure).toBeInstanceOf(DatabaseConstraintError);
    expect(allRows(db)).toEqual(before);
    db.close();
  });

  it('a reschedule that would insert the refused row fails and keeps the previous schedule', () => {
    const db = weekdaySenderOrganization();
    replaceOrganizationSchedule(db, 'run-1', weekdayRows([1]));
    const before = allRows(db);
    const failure = failureOf(() => replaceContactsSchedule(db, 'reschedule-1', [2], [scheduleRow(2, 'birthday', SUNDAY)]));
    expect(failure).toBeInstanceOf(DatabaseConstraintError);
    expect(allRows(db)).toEqual(before);
    db.close();
  });
});
