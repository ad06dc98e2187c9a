import type Database from 'better-sqlite3';
import type { ScheduleRow } from './schedule-row';
import { STORED_ROW_COLUMNS } from './schedule-row-content';

export interface StoredRow {
  readonly id: number;
  readonly key: string;
  /** Raw column values: the id, then STORED_ROW_COLUMNS. */
  readonly values: readonly unknown[];
}

export const rowKey = (emailType: string, scheduledSendDate: string): string => `${emailType}\u0000${scheduledSendDate}`;

/**
 * The prepared statements the schedule writes use, made once per connection
 * and table (prepare again after the table is swapped).
 */
export class ScheduleStatements {
  private readonly insertRow: Database.Statement;
  private readonly updateRow: Database.Statement;
  private readonly deleteRow: Database.Statement;
  private readonly selectContactRows: Database.Statement;
  private readonly upsertDigest: Database.Statement;
  private readonly insertDigest: Database.Statement;
  private readonly deleteDigest: Database.Statement;

  constructor(sqlite: Database.Database) {
    // OR IGNORE: a row whose key the sender already holds stays the sender's (counted by the caller).
    this.insertRow = sqlite.prepare(
      `INSERT OR IGNORE INTO email_schedules (contact_id, email_type, event_year, event_month, event_day,
         scheduled_send_date, scheduled_send_time, status, skip_reason, priority, campaign_instance_id,
         email_template, sms_template, scheduler_run_id, metadata, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.updateRow = sqlite.prepare(
      `UPDATE email_schedules SET event_year = ?, event_month = ?, event_day = ?, scheduled_send_time = ?,
         status = ?, skip_reason = ?, priority = ?, campaign_instance_id = ?, email_template = ?,
         sms_template = ?, scheduler_run_id = ?, metadata = ?, updated_at = ?
       WHERE id = ?`,
    );
    this.deleteRow = sqlite.prepare(`DELETE FROM email_schedules WHERE id = ?`);
    this.selectContactRows = sqlite
      .prepare(
        `SELECT id, ${STORED_ROW_COLUMNS} FROM email_schedules
         WHERE contact_id = ? AND +status IN ('pre-scheduled', 'skipped')`,
      )
      .raw();
    this.upsertDigest = sqlite.prepare(
      `INSERT INTO schedule_digests (contact_id, digest, row_count) VALUES (?, ?, ?)
       ON CONFLICT (contact_id) DO UPDATE SET digest = excluded.digest, row_count = excluded.row_count`,
    );
    this.insertDigest = sqlite.prepare(`INSERT INTO schedule_digests (contact_id, digest, row_count) VALUES (?, ?, ?)`);
    this.deleteDigest = sqlite.prepare(`DELETE FROM schedule_digests WHERE contact_id = ?`);
  }

  /** False when the key was already taken (by a sender's row). */
  insert(row: ScheduleRow, runId: string): boolean {
    return (
      this.insertRow.run(
        row.contactId,
        row.emailType,
        row.eventYear,
        row.eventMonth,
        row.eventDay,
        row.scheduledSendDate,
        row.scheduledSendTime,
        row.status,
        row.skipReason,
        row.priority,
        row.campaignInstanceId,
        row.emailTemplate,
        row.smsTemplate,
        runId,
        row.metadata,
        row.createdAt,
        row.updatedAt,
      ).changes === 1
    );
  }

  /** Rewrites a stored row with the same key; created_at stays. */
  update(id: number, row: ScheduleRow, runId: string): void {
    this.updateRow.run(
      row.eventYear,
      row.eventMonth,
      row.eventDay,
      row.scheduledSendTime,
      row.status,
      row.skipReason,
      row.priority,
      row.campaignInstanceId,
      row.emailTemplate,
      row.smsTemplate,
      runId,
      row.metadata,
      row.updatedAt,
      id,
    );
  }

  delete(id: number): void {
    this.deleteRow.run(id);
  }

  /** A contact's pre-scheduled/skipped rows as stored. */
  storedRows(contactId: number): StoredRow[] {
    return (this.selectContactRows.all(contactId) as unknown[][]).map((values) => ({
      id: values[0] as number,
      key: rowKey(String(values[1]), String(values[5])),
      values,
    }));
  }

  setDigest(contactId: number, digest: number, rowCount: number): void {
    if (rowCount === 0) this.deleteDigest.run(contactId);
    else this.upsertDigest.run(contactId, digest, rowCount);
  }

  /** For a contact known to have no digest row yet (rebuild mode appends in contact order). */
  appendDigest(contactId: number, digest: number, rowCount: number): void {
    if (rowCount > 0) this.insertDigest.run(contactId, digest, rowCount);
  }
}
