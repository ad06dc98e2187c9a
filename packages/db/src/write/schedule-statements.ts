import type Database from 'better-sqlite3';
import { DatabaseConstraintError } from '../connection/database-errors';
import { exactInteger } from '../read/stored-text';
import type { DayCountDeltas } from './day-count-deltas';
import type { ScheduleRow } from './schedule-row';
import { STORED_ROW_COLUMNS } from './schedule-row-content';

export interface StoredRow {
  /** Text for an id beyond ±(2^53 − 1), which a number would round to another row's (see exactInteger). */
  readonly id: number | string;
  readonly key: string;
  readonly emailType: string;
  /** Raw column values: the id, then STORED_ROW_COLUMNS. */
  readonly values: readonly unknown[];
}

// Positions in StoredRow.values (the id, then STORED_ROW_COLUMNS).
const STORED_TYPE = 1;
const STORED_DATE = 5;
const STORED_STATUS = 7;

export const rowKey = (emailType: string, scheduledSendDate: string): string => `${emailType}\u0000${scheduledSendDate}`;

/** The columns a new row gives values to; any other column of the table must accept its default. */
export const INSERTED_COLUMNS = [
  'contact_id', 'email_type', 'event_year', 'event_month', 'event_day', 'scheduled_send_date', 'scheduled_send_time',
  'status', 'skip_reason', 'priority', 'campaign_instance_id', 'email_template', 'sms_template', 'scheduler_run_id',
  'metadata', 'created_at', 'updated_at',
] as const;

/** What an update and a move both set, in their statements' order (a move sets the date first). */
const rewrittenValues = (row: ScheduleRow, runId: string): unknown[] => [
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
];

/**
 * The prepared statements the schedule writes use, made once per connection
 * and table (prepare again after the table is swapped).
 */
export class ScheduleStatements {
  private readonly insertRow: Database.Statement;
  private readonly updateRow: Database.Statement;
  private readonly moveRow: Database.Statement;
  private readonly deleteRow: Database.Statement;
  private readonly selectContactRows: Database.Statement;
  private readonly keyHolder: Database.Statement;

  /** `dayCounts`: where the writes' changes to day counts go while our triggers are suspended. */
  constructor(
    sqlite: Database.Database,
    private readonly dayCounts: DayCountDeltas | null = null,
  ) {
    // OR IGNORE: a row whose key the sender already holds stays the sender's (counted by the caller).
    this.insertRow = sqlite.prepare(
      `INSERT OR IGNORE INTO email_schedules (${INSERTED_COLUMNS.join(', ')})
       VALUES (${INSERTED_COLUMNS.map(() => '?').join(', ')})`,
    );
    this.updateRow = sqlite.prepare(
      `UPDATE email_schedules SET event_year = ?, event_month = ?, event_day = ?, scheduled_send_time = ?,
         status = ?, skip_reason = ?, priority = ?, campaign_instance_id = ?, email_template = ?,
         sms_template = ?, scheduler_run_id = ?, metadata = ?, updated_at = ?
       WHERE id = ?`,
    );
    // OR IGNORE: the new date may be a key the sender holds; the caller then deletes the row instead.
    this.moveRow = sqlite.prepare(
      `UPDATE OR IGNORE email_schedules SET scheduled_send_date = ?, event_year = ?, event_month = ?, event_day = ?,
         scheduled_send_time = ?, status = ?, skip_reason = ?, priority = ?, campaign_instance_id = ?,
         email_template = ?, sms_template = ?, scheduler_run_id = ?, metadata = ?, updated_at = ?
       WHERE id = ?`,
    );
    this.deleteRow = sqlite.prepare(`DELETE FROM email_schedules WHERE id = ?`);
    this.keyHolder = sqlite.prepare(
      `SELECT 1 FROM email_schedules WHERE contact_id = ? AND email_type = ? AND scheduled_send_date = ?`,
    );
    this.selectContactRows = sqlite
      .prepare(
        `SELECT ${exactInteger('id')}, ${STORED_ROW_COLUMNS} FROM email_schedules
         WHERE contact_id = ? AND +status IN ('pre-scheduled', 'skipped')`,
      )
      .raw();
  }

  /** False when the key was already taken (by a sender's row). */
  insert(row: ScheduleRow, runId: string): boolean {
    const inserted =
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
      ).changes === 1;
    if (inserted) this.counted(row, 1);
    else this.mustBeKeyHeld(row, 'insert');
    return inserted;
  }

  /**
   * OR IGNORE is there for keys the sender holds, but it also ignores a row
   * that breaks a NOT NULL or CHECK constraint of a table made elsewhere:
   * that must fail the write, never pass for a sender's key.
   */
  private mustBeKeyHeld(row: ScheduleRow, write: 'insert' | 'move'): void {
    if (this.keyHolder.get(row.contactId, row.emailType, row.scheduledSendDate) !== undefined) return;
    throw new DatabaseConstraintError(
      `email_schedules refused the ${write} of contact ${row.contactId}'s ${row.emailType} email on ${row.scheduledSendDate} ` +
        'although no row holds its key: a constraint of the table (NOT NULL without a default, or CHECK) rejects the rows the scheduler writes',
    );
  }

  /** Rewrites a stored row with the same key; created_at stays. */
  update(old: StoredRow, row: ScheduleRow, runId: string): void {
    this.uncounted(old);
    this.counted(row, 1);
    this.updateRow.run(...rewrittenValues(row, runId), old.id);
  }

  /**
   * Rewrites a stored row of the same contact and type as a new row with
   * another date: fewer pages change than with a delete and an insert.
   * False when the new key is taken.
   */
  move(old: StoredRow, row: ScheduleRow, runId: string): boolean {
    const moved = this.moveRow.run(row.scheduledSendDate, ...rewrittenValues(row, runId), old.id).changes === 1;
    if (moved) {
      this.uncounted(old);
      this.counted(row, 1);
    } else {
      this.mustBeKeyHeld(row, 'move');
    }
    return moved;
  }

  delete(old: StoredRow): void {
    this.deleteRow.run(old.id);
    this.uncounted(old);
  }

  private counted(row: ScheduleRow, delta: number): void {
    this.dayCounts?.add(row.scheduledSendDate, row.status, row.emailType, delta);
  }

  private uncounted(old: StoredRow): void {
    this.dayCounts?.add(String(old.values[STORED_DATE]), String(old.values[STORED_STATUS]), String(old.values[STORED_TYPE]), -1);
  }

  /** A contact's pre-scheduled/skipped rows as stored. */
  storedRows(contactId: number): StoredRow[] {
    return (this.selectContactRows.all(contactId) as unknown[][]).map((values) => ({
      id: values[0] as number | string,
      key: rowKey(String(values[STORED_TYPE]), String(values[STORED_DATE])),
      emailType: String(values[STORED_TYPE]),
      values,
    }));
  }
}
