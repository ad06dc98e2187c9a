import type { ContactDigest } from './contact-digest';
import type { ScheduleRow } from './schedule-row';

/*
 * What makes two schedule rows "the same row": every column but the id, the
 * run id and the timestamps. Used to keep unchanged rows, to digest a
 * contact's rows, and for checksums; the stored and the new side read the
 * same columns in the same order.
 */

/** The compared columns, in the order of `contentOf` below. */
export const STORED_ROW_COLUMNS =
  'email_type, event_year, event_month, event_day, scheduled_send_date, scheduled_send_time, status, skip_reason, priority, campaign_instance_id, email_template, sms_template, metadata';

const CONTENT_COLUMN_COUNT = 13;

/**
 * Feeds a new row's compared values to a digest: the same sequence
 * `digestStoredRow` feeds for the stored row, without dispatching on types
 * the row's fields already have.
 */
export const digestRow = (digest: ContactDigest, row: ScheduleRow): void => {
  digest.addText(row.emailType);
  digest.addIntegerOrNull(row.eventYear);
  digest.addIntegerOrNull(row.eventMonth);
  digest.addIntegerOrNull(row.eventDay);
  digest.addText(row.scheduledSendDate);
  digest.addTextOrNull(row.scheduledSendTime);
  digest.addText(row.status);
  digest.addTextOrNull(row.skipReason);
  digest.addIntegerOrNull(row.priority);
  digest.addIntegerOrNull(row.campaignInstanceId);
  digest.addTextOrNull(row.emailTemplate);
  digest.addTextOrNull(row.smsTemplate);
  digest.addTextOrNull(row.metadata);
  digest.endRow();
};

/** Feeds a stored row's values (raw, in STORED_ROW_COLUMNS order from `offset`) to a digest. */
export const digestStoredRow = (digest: ContactDigest, values: readonly unknown[], offset: number): void => {
  for (let i = 0; i < CONTENT_COLUMN_COUNT; i++) digest.addValue(values[offset + i]);
  digest.endRow();
};

/** Whether a stored row (raw values from `offset`) holds exactly a new row's compared values. */
export const sameContent = (values: readonly unknown[], offset: number, row: ScheduleRow): boolean =>
  values[offset] === row.emailType &&
  values[offset + 1] === row.eventYear &&
  values[offset + 2] === row.eventMonth &&
  values[offset + 3] === row.eventDay &&
  values[offset + 4] === row.scheduledSendDate &&
  values[offset + 5] === row.scheduledSendTime &&
  values[offset + 6] === row.status &&
  values[offset + 7] === row.skipReason &&
  values[offset + 8] === row.priority &&
  values[offset + 9] === row.campaignInstanceId &&
  values[offset + 10] === row.emailTemplate &&
  values[offset + 11] === row.smsTemplate &&
  values[offset + 12] === row.metadata;

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
