import type { ScheduleRow } from './schedule-row';

/**
 * One text per schedule row over the columns that make it "the same row"
 * (every column but ids, run ids and timestamps), used both to detect
 * unchanged rows and for checksums. `SCHEDULE_ROW_TEXT_SQL` builds the very
 * same text inside SQLite, so a checksum computed while writing equals one
 * computed by reading the table back.
 */
const SEPARATOR = '\u001f';
const NULL_MARK = '\u0001';

const part = (value: string | number | null): string => (value === null ? NULL_MARK : String(value));

export const scheduleRowText = (row: ScheduleRow): string =>
  row.emailType +
  SEPARATOR +
  part(row.eventYear) +
  SEPARATOR +
  part(row.eventMonth) +
  SEPARATOR +
  part(row.eventDay) +
  SEPARATOR +
  row.scheduledSendDate +
  SEPARATOR +
  part(row.scheduledSendTime) +
  SEPARATOR +
  row.status +
  SEPARATOR +
  part(row.skipReason) +
  SEPARATOR +
  part(row.priority) +
  SEPARATOR +
  part(row.campaignInstanceId) +
  SEPARATOR +
  part(row.emailTemplate) +
  SEPARATOR +
  part(row.smsTemplate) +
  SEPARATOR +
  part(row.metadata);

/** The text of a stored row from its raw column values, in `STORED_ROW_COLUMNS` order after the id. */
export const storedRowText = (values: readonly unknown[], offset: number): string => {
  let text = '';
  for (let i = 0; i < 13; i++) {
    const value = values[offset + i];
    if (i > 0) text += SEPARATOR;
    text += value === null || value === undefined ? NULL_MARK : String(value);
  }
  return text;
};

/** The compared columns, in the order both texts use. */
export const STORED_ROW_COLUMNS =
  'email_type, event_year, event_month, event_day, scheduled_send_date, scheduled_send_time, status, skip_reason, priority, campaign_instance_id, email_template, sms_template, metadata';

export const SCHEDULE_ROW_TEXT_SQL = STORED_ROW_COLUMNS.split(', ')
  .map((column) => `ifnull(${column}, char(1))`)
  .join(' || char(31) || ');

/** Rows of one contact are digested in key order (email_type, scheduled_send_date), as SQLite's BINARY collation orders them. */
export const compareRowKeys = (a: ScheduleRow, b: ScheduleRow): number =>
  a.emailType < b.emailType
    ? -1
    : a.emailType > b.emailType
      ? 1
      : a.scheduledSendDate < b.scheduledSendDate
        ? -1
        : a.scheduledSendDate > b.scheduledSendDate
          ? 1
          : 0;
