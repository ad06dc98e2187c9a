import Database from 'better-sqlite3';

/**
 * Organization files as other systems left them before the scheduler ever
 * ran, written in plain SQL (foreign-database-migration.test.ts): the main
 * application's `contacts` and campaign tables, the sending service's
 * `email_schedules`, with their own extra columns, indexes, triggers, views,
 * foreign keys and odd values.
 */

/** A tiny deterministic generator (LCG), so the files are the same on every run. */
class Draw {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0;
  }
  next(): number {
    this.state = (Math.imul(this.state, 1664525) + 1013904223) >>> 0;
    return this.state / 4294967296;
  }
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)]!;
  }
}

/** ZIPs of states with every kind of rule (RULES.md §5) and of states without one. */
const ZIPS = ['90210', '10001', '33101', '75201', '60601', '02108', '98101', '89101', '63101', '19103', '83702', '40202', '21201', '73102', '97201', '23219', '06103', '85001', '30301', '0501', '07030-1234', '441011234'];
const pad = (n: number): string => String(n).padStart(2, '0');
const isoDay = (year: number, month: number, day: number): string => `${year}-${pad(month)}-${pad(day)}`;

const insertContactsCrm = (db: Database.Database, count: number): void => {
  const draw = new Draw(17);
  const insert = db.prepare(
    `INSERT INTO contacts (id, email, zip_code, state, birth_date, effective_date, first_name, "last name", score, premium, is_vip, avatar, tags, created_at, "order")
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const odd = [
    // Odd values of every storage class in the extra columns: they must come back bit for bit.
    { score: 3.141592653589793, premium: '12.50', is_vip: 1, avatar: Buffer.from([0, 1, 2, 255, 254]), tags: '["vip", "ca"]', order: 9223372036854775807n },
    { score: -0.0, premium: 12.5, is_vip: 'yes', avatar: Buffer.alloc(0), tags: '{not json', order: -9223372036854775808n },
    { score: 1e308, premium: 'n/a', is_vip: null, avatar: 'text in a blob column', tags: null, order: 0 },
    { score: 'not a number', premium: 1234567890123, is_vip: 0, avatar: null, tags: '', order: 1.5 },
    { score: 5e-324, premium: -0.01, is_vip: 2, avatar: Buffer.from('x'.repeat(3000)), tags: 'Zoë 🎉 "quoted" \n newline', order: null },
  ];
  db.transaction(() => {
    for (let id = 1; id <= count; id++) {
      const extra = odd[id % odd.length]!;
      const year = draw.int(1931, 1961);
      const month = draw.int(1, 12);
      insert.run(
        id,
        id % 97 === 0 ? null : id % 89 === 0 ? 'not-an-email' : `Person.${id}@Example.COM`,
        id % 83 === 0 ? '' : id % 79 === 0 ? '99999' : draw.pick(ZIPS),
        id % 3 === 0 ? null : draw.pick(['CA', 'NY', 'FL', 'TX', 'xx', '']),
        id % 71 === 0 ? '1950-02-30' : id % 67 === 0 ? null : month === 2 && id % 5 === 0 ? '1952-02-29' : isoDay(year, month, draw.int(1, 28)),
        id % 61 === 0 ? '03/01/2015' : id % 7 === 0 ? null : isoDay(draw.int(2005, 2026), draw.int(1, 12), draw.next() < 0.8 ? 1 : draw.int(2, 28)),
        id % 11 === 0 ? '' : `Name ${id}`,
        id % 13 === 0 ? null : `O'Brien-${id}`,
        extra.score,
        extra.premium,
        extra.is_vip,
        extra.avatar,
        extra.tags,
        id % 2 === 0 ? '2019-03-04 05:06:07' : '2019-03-04T05:06:07.123Z',
        extra.order,
      );
    }
  })();
};

/**
 * The main application and the sending service, long before the scheduler:
 * `contacts` without `phone_number` (a contract column) and with extra
 * columns of every type (a generated one too); `email_schedules` without
 * `scheduler_run_id` nor the contract's NOT NULLs, AUTOINCREMENT, extra
 * columns, its own indexes (one named like a scheduler index, on other
 * columns), and rows of every sender status and odd values (NULL or mistyped
 * status, type, dates and contact, unreadable metadata); triggers auditing any change to the sender's rows and to
 * contacts; views; other tables with foreign keys into both; campaign tables
 * missing columns; user_version and application_id set.
 */
export const createCrmAndSenderOrganization = (path: string, contacts: number): void => {
  const db = new Database(path);
  db.pragma('foreign_keys = ON');
  db.exec(`
    PRAGMA user_version = 42;
    PRAGMA application_id = 1129467213;
    CREATE TABLE contacts (
      id INTEGER PRIMARY KEY,
      email TEXT COLLATE NOCASE,
      zip_code TEXT,
      state TEXT,
      birth_date TEXT,
      effective_date TEXT,
      first_name TEXT NOT NULL DEFAULT '',
      "last name" VARCHAR(80),
      score REAL,
      premium NUMERIC(10, 2),
      is_vip BOOLEAN DEFAULT 0,
      avatar BLOB,
      tags JSON,
      created_at DATETIME DEFAULT CURRENT_TIMESTAMP,
      "order" INTEGER,
      email_domain TEXT GENERATED ALWAYS AS (lower(substr(email, instr(email, '@') + 1))) VIRTUAL
    );
    CREATE INDEX crm_contacts_email_lower ON contacts (lower(email));
    CREATE UNIQUE INDEX crm_contacts_email_unique ON contacts (email) WHERE email IS NOT NULL AND email <> 'not-an-email';
    CREATE INDEX crm_contacts_vip ON contacts ("last name", first_name) WHERE is_vip = 1;
    CREATE TABLE contacts_audit (id INTEGER PRIMARY KEY, contact_id INTEGER, what TEXT, at TEXT);
    CREATE TRIGGER crm_contacts_changed AFTER UPDATE ON contacts BEGIN
      INSERT INTO contacts_audit (contact_id, what, at) VALUES (OLD.id, 'update', 'now');
    END;
    CREATE TRIGGER crm_contacts_deleted AFTER DELETE ON contacts BEGIN
      INSERT INTO contacts_audit (contact_id, what, at) VALUES (OLD.id, 'delete', 'now');
    END;
    CREATE VIEW crm_all_contacts AS SELECT * FROM contacts;
    CREATE TABLE policies (
      id INTEGER PRIMARY KEY,
      contact_id INTEGER NOT NULL REFERENCES contacts (id) ON DELETE CASCADE ON UPDATE CASCADE,
      carrier TEXT,
      premium REAL
    );

    CREATE TABLE campaign_types (
      name TEXT PRIMARY KEY,
      respect_exclusion_windows BOOLEAN DEFAULT 1,
      enable_followups BOOLEAN DEFAULT 1,
      days_before_event INTEGER DEFAULT 0,
      target_all_contacts BOOLEAN DEFAULT 0,
      active BOOLEAN DEFAULT 1,
      owner TEXT
    );
    INSERT INTO campaign_types (name, respect_exclusion_windows, enable_followups, days_before_event, target_all_contacts, active, owner)
      VALUES ('winter_promo', 1, 1, 3, 0, 1, 'marketing'), ('legacy_blast', 0, 0, 0, 0, 0, NULL);
    CREATE TABLE campaign_instances (
      id INTEGER PRIMARY KEY,
      campaign_type TEXT NOT NULL,
      instance_name TEXT NOT NULL,
      email_template TEXT,
      active_start_date TEXT,
      active_end_date TEXT,
      metadata TEXT,
      budget REAL,
      UNIQUE (campaign_type, instance_name)
    );
    INSERT INTO campaign_instances VALUES (1, 'winter_promo', 'winter_2026', 'winter_v1', '2026-11-01', '2027-01-31', '{"followup_email_template": "winter_fu"}', 1500.25);

    CREATE TABLE email_schedules (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      contact_id INTEGER,
      email_type TEXT,
      event_year INTEGER,
      event_month INTEGER,
      event_day INTEGER,
      scheduled_send_date TEXT,
      scheduled_send_time TEXT DEFAULT '08:30:00',
      status TEXT DEFAULT 'pre-scheduled',
      skip_reason TEXT,
      priority INTEGER DEFAULT 10,
      campaign_instance_id INTEGER,
      email_template TEXT,
      sms_template TEXT,
      metadata TEXT,
      created_at TEXT,
      updated_at TEXT,
      actual_send_datetime,
      provider_message_id TEXT,
      sender_batch INTEGER,
      cost_cents REAL,
      raw_payload BLOB,
      opened BOOLEAN DEFAULT 0,
      UNIQUE (contact_id, email_type, scheduled_send_date)
    );
    CREATE INDEX sender_pick ON email_schedules (status, scheduled_send_date, scheduled_send_time);
    CREATE UNIQUE INDEX sender_provider_message ON email_schedules (provider_message_id) WHERE provider_message_id IS NOT NULL;
    CREATE INDEX sender_send_month ON email_schedules (substr(scheduled_send_date, 1, 7));
    -- The sender's own index under a name the scheduler's migrations also use, on other columns.
    CREATE INDEX idx_email_schedules_run ON email_schedules (sender_batch, id);
    CREATE TABLE sender_audit (id INTEGER PRIMARY KEY, schedule_id INTEGER, what TEXT, old_status TEXT);
    CREATE TRIGGER sender_row_updated AFTER UPDATE ON email_schedules
      WHEN OLD.status NOT IN ('pre-scheduled', 'skipped') OR OLD.status IS NULL
    BEGIN
      INSERT INTO sender_audit (schedule_id, what, old_status) VALUES (OLD.id, 'update', OLD.status);
    END;
    CREATE TRIGGER sender_row_deleted AFTER DELETE ON email_schedules
      WHEN OLD.status NOT IN ('pre-scheduled', 'skipped') OR OLD.status IS NULL
    BEGIN
      INSERT INTO sender_audit (schedule_id, what, old_status) VALUES (OLD.id, 'delete', OLD.status);
    END;
    CREATE VIEW sender_outbox AS
      SELECT s.id, c.email, s.email_type, s.scheduled_send_date, s.scheduled_send_time
      FROM email_schedules AS s JOIN contacts AS c ON c.id = s.contact_id
      WHERE s.status = 'scheduled';
    CREATE TABLE delivery_receipts (
      id INTEGER PRIMARY KEY,
      schedule_id INTEGER NOT NULL REFERENCES email_schedules (id) ON DELETE CASCADE,
      received_at TEXT
    );
  `);
  insertContactsCrm(db, contacts);
  const policy = db.prepare('INSERT INTO policies (contact_id, carrier, premium) VALUES (?, ?, ?)');
  for (let id = 5; id <= contacts; id += 9) policy.run(id, id % 2 === 0 ? 'Acme' : 'Globex', id / 7);

  const schedule = db.prepare(
    `INSERT INTO email_schedules (id, contact_id, email_type, event_year, event_month, event_day, scheduled_send_date, scheduled_send_time,
       status, skip_reason, priority, campaign_instance_id, email_template, sms_template, metadata, created_at, updated_at,
       actual_send_datetime, provider_message_id, sender_batch, cost_cents, raw_payload, opened)
     VALUES (@id, @contact, @type, @ey, @em, @ed, @date, @time, @status, @skip, @priority, @instance, @template, @sms, @metadata,
       @created, @updated, @actual, @message, @batch, @cost, @payload, @opened)`,
  );
  const draw = new Draw(99);
  const statuses = ['sent', 'delivered', 'scheduled', 'processing', 'failed', 'pre-scheduled', 'skipped', 'bounced', 'SENT', 'Pre-Scheduled', 'skipped ', '', 'cancelled'];
  let id = 1;
  db.transaction(() => {
    for (let contact = 1; contact <= contacts; contact += 3) {
      const status = statuses[(contact * 7) % statuses.length]!;
      // The sender's past (November, before 2026-11-28) and its queue (December).
      const upcoming = ['scheduled', 'processing', 'pre-scheduled', 'Pre-Scheduled'].includes(status);
      const sendDate = upcoming ? isoDay(2026, 12, draw.int(1, 20)) : isoDay(2026, 11, draw.int(1, 27));
      const type = draw.pick(['birthday', 'effective_date', 'aep', 'post_window', 'campaign_winter_promo', 'legacy_newsletter']);
      schedule.run({
        id,
        contact,
        type,
        ey: 2026,
        em: 12,
        ed: draw.int(1, 28),
        date: sendDate,
        time: draw.pick(['08:30:00', '09:00', null]),
        status,
        skip: status.startsWith('skipped') ? 'exclusion_window: from another system' : null,
        priority: draw.pick([10, 20, null, 5.5]),
        instance: type === 'campaign_winter_promo' ? 1 : null,
        template: `${type}_legacy`,
        sms: null,
        metadata: draw.pick([null, '{"source": "sender"}', 'not json', '[]']),
        created: '2026-10-01 00:00:00',
        updated: null,
        actual: ['sent', 'delivered', 'SENT', 'bounced'].includes(status)
          ? draw.pick([`${sendDate} 14:3${draw.int(0, 9)}:00`, `${sendDate}T14:31:07Z`, null])
          : null,
        message: status === 'sent' || status === 'delivered' ? `msg-${id}` : null,
        batch: draw.int(1, 40),
        cost: draw.pick([0.25, 0, -0.0, 1e-7, null]),
        payload: id % 4 === 0 ? Buffer.from([id % 256, 0, 7]) : null,
        opened: draw.pick([0, 1, 'true', null]),
      });
      id++;
      if (status === 'sent' && contact % 2 === 1) {
        // A sent follow-up of that email, and one pointing at an email that no longer exists.
        schedule.run({
          id, contact, type: 'followup_1_cold', ey: 2026, em: 12, ed: 1, date: isoDay(2026, 11, 28), time: '08:30:00', status: 'sent',
          skip: null, priority: 50, instance: null, template: 'followup_1_cold', sms: null,
          metadata: JSON.stringify({ initial_email_id: contact % 4 === 1 ? id - 1 : 999_999, initial_email_type: type }),
          created: '2026-10-01 00:00:00', updated: null, actual: '2026-11-28 14:30:00', message: `msg-${id}`, batch: 41, cost: 0.25, payload: null, opened: 0,
        });
        id++;
      }
    }
    // Rows of contacts the main application has since deleted.
    for (const orphan of [contacts + 1, contacts + 50]) {
      schedule.run({
        id: id++, contact: orphan, type: 'birthday', ey: 2026, em: 10, ed: 1, date: '2026-09-17', time: '08:30:00', status: 'delivered',
        skip: null, priority: 10, instance: null, template: 'birthday', sms: null, metadata: null, created: '2026-09-01 00:00:00',
        updated: null, actual: '2026-09-17 13:45:00', message: null, batch: 1, cost: null, payload: null, opened: 1,
      });
    }
    // Rows no sender should have written, but some did (the contract's NOT NULLs are not declared here).
    db.exec(`
      INSERT INTO email_schedules (id, contact_id, email_type, scheduled_send_date, status, actual_send_datetime, metadata) VALUES
        (${id}, 1, 'birthday', '2026-11-20', NULL, NULL, NULL),
        (${id + 1}, 2, NULL, '2026-11-20', 'sent', '2026-11-20 14:00:00', NULL),
        (${id + 2}, 3, 'aep', NULL, 'sent', NULL, NULL),
        (${id + 3}, NULL, 'aep', '2026-09-15', 'delivered', '2026-09-15 14:00:00', NULL),
        (${id + 4}, 5, 'birthday', 'soon', 'scheduled', NULL, NULL),
        (${id + 5}, 6, 'aep', '2026-11-25', 'sent', 'yesterday', '{"x":'),
        (${id + 6}, 7, 12345, 20261120, 'sent', 20261120, X'00FF'),
        (${id + 7}, 9, 'effective_date', '2026-12-02', 'processing', NULL, '{"initial_email_id": "x"}');
    `);
    id += 8;
    // The highest ids were deleted: AUTOINCREMENT must never give them out again.
    db.exec(`DELETE FROM email_schedules WHERE id > (SELECT max(id) - 3 FROM email_schedules)`);
  })();
  db.exec(`DELETE FROM sender_audit`);
  const receipt = db.prepare('INSERT INTO delivery_receipts (schedule_id, received_at) VALUES (?, ?)');
  for (const scheduleId of db.prepare(`SELECT id FROM email_schedules WHERE status IN ('sent', 'delivered') ORDER BY id`).pluck().all() as number[]) {
    receipt.run(scheduleId, '2026-11-20 15:00:00');
  }
  db.close();
};

/**
 * A stricter sending service: `contacts` WITHOUT ROWID, lacking `state` and
 * `phone_number`; `email_schedules` with every contract column but
 * `scheduler_run_id`, a foreign key to contacts, a CHECK on the statuses,
 * extra columns, a view over it and no triggers; AUTOINCREMENT ids whose
 * highest were deleted. `contacts` usable contacts. With `generatedColumn`,
 * `email_schedules` also has a generated (VIRTUAL) column.
 */
export const createStrictSenderOrganization = (path: string, contacts: number, options: { generatedColumn?: boolean } = {}): void => {
  const db = new Database(path);
  db.pragma('foreign_keys = ON');
  db.exec(`
    PRAGMA user_version = 3;
    CREATE TABLE contacts (
      id INTEGER NOT NULL PRIMARY KEY,
      email TEXT NOT NULL,
      zip_code TEXT,
      birth_date TEXT,
      effective_date TEXT,
      agent_id INTEGER NOT NULL DEFAULT 1,
      notes TEXT
    ) WITHOUT ROWID;
    CREATE INDEX strict_contacts_agent ON contacts (agent_id, id);
    CREATE TABLE email_schedules (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      contact_id INTEGER NOT NULL REFERENCES contacts (id) ON DELETE CASCADE,
      email_type TEXT NOT NULL,
      event_year INTEGER,
      event_month INTEGER,
      event_day INTEGER,
      scheduled_send_date TEXT NOT NULL,
      scheduled_send_time TEXT DEFAULT '08:30:00',
      status TEXT NOT NULL DEFAULT 'pre-scheduled'
        CHECK (status IN ('pre-scheduled', 'skipped', 'scheduled', 'processing', 'sent', 'delivered', 'failed')),
      skip_reason TEXT,
      priority INTEGER DEFAULT 10,
      campaign_instance_id INTEGER,
      email_template TEXT,
      sms_template TEXT,
      metadata TEXT,
      created_at TEXT,
      updated_at TEXT,
      actual_send_datetime TEXT,
      attempts INTEGER NOT NULL DEFAULT 0,
      last_error TEXT,${options.generatedColumn === true ? `
      send_month TEXT GENERATED ALWAYS AS (substr(scheduled_send_date, 1, 7)) VIRTUAL,` : ''}
      UNIQUE (contact_id, email_type, scheduled_send_date)
    );
    CREATE INDEX strict_sender_queue ON email_schedules (scheduled_send_date, status) WHERE status IN ('scheduled', 'processing');
    CREATE VIEW strict_sent_per_day AS
      SELECT substr(actual_send_datetime, 1, 10) AS day, count(*) AS sent FROM email_schedules
      WHERE status IN ('sent', 'delivered') GROUP BY 1;
  `);
  const draw = new Draw(5);
  const contact = db.prepare('INSERT INTO contacts (id, email, zip_code, birth_date, effective_date, agent_id, notes) VALUES (?, ?, ?, ?, ?, ?, ?)');
  const schedule = db.prepare(
    `INSERT INTO email_schedules (contact_id, email_type, event_year, event_month, event_day, scheduled_send_date, status, priority,
       email_template, created_at, actual_send_datetime, attempts, last_error)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  db.transaction(() => {
    for (let id = 1; id <= contacts; id++) {
      contact.run(
        id,
        `c${id}@example.org`,
        draw.pick(ZIPS),
        isoDay(draw.int(1931, 1961), draw.int(1, 12), draw.int(1, 28)),
        isoDay(draw.int(2010, 2026), draw.int(1, 12), 1),
        draw.int(1, 9),
        id % 10 === 0 ? null : `note ${id}`,
      );
      if (id % 4 === 0) {
        const day = draw.int(1, 25);
        const status = draw.pick(['sent', 'delivered', 'failed', 'scheduled', 'processing', 'pre-scheduled', 'skipped']);
        const past = ['sent', 'delivered', 'failed'].includes(status);
        const date = past ? isoDay(2026, 11, day) : isoDay(2026, 12, day);
        schedule.run(id, draw.pick(['birthday', 'aep', 'effective_date']), 2026, 12, day, date, status, 10, 'legacy', '2026-10-01 00:00:00',
          status === 'sent' || status === 'delivered' ? `${date} 14:30:00` : null, draw.int(0, 3), status === 'failed' ? 'mailbox full' : null);
      }
    }
    db.exec(`DELETE FROM email_schedules WHERE id > (SELECT max(id) - 5 FROM email_schedules)`);
  })();
  db.close();
};

/**
 * A small, loosely declared sender table: no NOT NULL, no UNIQUE, untyped
 * columns, and rows no sender should have written but some did: NULL or
 * mistyped status, type, dates and contact, unreadable metadata. With
 * `requiredExtraColumn`, `email_schedules` also has `tenant_id INTEGER NOT NULL`
 * without a default, as a multi-tenant sender might.
 */
export const createLooseSenderOrganization = (path: string, contacts: number, options: { requiredExtraColumn?: boolean } = {}): void => {
  const db = new Database(path);
  db.exec(`
    CREATE TABLE contacts (id INTEGER PRIMARY KEY, email TEXT, zip_code TEXT, birth_date TEXT, effective_date TEXT);
    CREATE TABLE email_schedules (id INTEGER PRIMARY KEY, contact_id, email_type, event_year, event_month, event_day,
      scheduled_send_date, status, actual_send_datetime, metadata${options.requiredExtraColumn === true ? ', tenant_id INTEGER NOT NULL' : ''});
  `);
  const insert = db.prepare('INSERT INTO contacts VALUES (?, ?, ?, ?, ?)');
  for (let id = 1; id <= contacts; id++) {
    insert.run(id, `c${id}@example.com`, ZIPS[id % ZIPS.length], isoDay(1940 + (id % 20), 1 + (id % 12), 1 + (id % 28)), isoDay(2015, 1 + (id % 12), 1));
  }
  const tenant = options.requiredExtraColumn === true ? ', tenant_id' : '';
  const value = options.requiredExtraColumn === true ? ', 7' : '';
  db.exec(`
    INSERT INTO email_schedules (id, contact_id, email_type, scheduled_send_date, status, actual_send_datetime, metadata${tenant}) VALUES
      (1, 1, 'birthday', '2026-11-20', NULL, NULL, NULL${value}),
      (2, 2, NULL, '2026-11-20', 'sent', '2026-11-20 14:00:00', NULL${value}),
      (3, 3, 'aep', NULL, 'sent', NULL, NULL${value}),
      (4, NULL, 'aep', '2026-09-15', 'delivered', '2026-09-15 14:00:00', NULL${value}),
      (5, 5, 'birthday', 'soon', 'scheduled', NULL, NULL${value}),
      (6, 6, 'aep', '2026-11-25', 'sent', 'yesterday', '{"x":'${value}),
      (7, 7, 12345, 20261120, 'sent', 20261120, X'00FF'${value}),
      (8, 8, 'birthday', '2026-11-26', 'sent', '2026-11-26 14:00:00', NULL${value}),
      (9, 8, 'birthday', '2026-11-27', 'failed', NULL, NULL${value}),
      (10, 9, 'effective_date', '2026-12-02', 'processing', NULL, '{"initial_email_id": "x"}'${value});
  `);
  db.close();
};
