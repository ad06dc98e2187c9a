import Database from 'better-sqlite3';
import type { ScheduleRow } from '@scheduler/db';

/**
 * CONTRACT.md's email_schedules with the indexes the scheduler's table has: the reference floor measured it
 * with a run-id index as well, which the scheduler's table no longer has (migration 0006). The floor is the
 * least a first run must write, so it writes the same indexes.
 */
const CONTRACT_SCHEDULES = `
  CREATE TABLE email_schedules (id INTEGER PRIMARY KEY, contact_id INTEGER NOT NULL,
    email_type TEXT NOT NULL, event_year INTEGER, event_month INTEGER, event_day INTEGER,
    scheduled_send_date TEXT NOT NULL, scheduled_send_time TEXT DEFAULT '08:30:00',
    status TEXT NOT NULL DEFAULT 'pre-scheduled', skip_reason TEXT,
    priority INTEGER DEFAULT 10, campaign_instance_id INTEGER,
    email_template TEXT, sms_template TEXT, scheduler_run_id TEXT,
    metadata TEXT, created_at TEXT, updated_at TEXT, actual_send_datetime TEXT,
    UNIQUE(contact_id, email_type, scheduled_send_date));
  CREATE INDEX idx_status_date ON email_schedules(status, scheduled_send_date);`;

/**
 * The floor: the run's rows, sorted by contact, into an empty table with the
 * indexes above, one transaction, one prepared statement, raw
 * better-sqlite3, WAL, synchronous=NORMAL, 512 MB page cache.
 */
export const insertFloor = (path: string, rows: Iterable<ScheduleRow>): number => {
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('cache_size = -524288');
  db.exec(CONTRACT_SCHEDULES);
  const insert = db.prepare(
    `INSERT INTO email_schedules (contact_id, email_type, event_year, event_month, event_day, scheduled_send_date,
       scheduled_send_time, status, skip_reason, priority, campaign_instance_id, email_template, sms_template,
       scheduler_run_id, metadata, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  let count = 0;
  db.transaction(() => {
    for (const r of rows) {
      insert.run(r.contactId, r.emailType, r.eventYear, r.eventMonth, r.eventDay, r.scheduledSendDate, r.scheduledSendTime, r.status,
        r.skipReason, r.priority, r.campaignInstanceId, r.emailTemplate, r.smsTemplate, r.schedulerRunId, r.metadata, r.createdAt, r.updatedAt);
      count++;
    }
  })();
  db.close();
  return count;
};
