import {
  NO_DAY,
  SENDER_STATUSES,
  daysInMonth,
  epochDay,
  parseIsoDate,
  type HistoryEmail,
  type HistoryStatus,
  type UtcDatetimeToDay,
} from '@scheduler/core';
import { withDatabaseErrors } from '../connection/database-errors';
import type { OrganizationDb } from '../connection/open-organization-db';
import type { IdRange } from './contact-reads';
import { parseMetadataObject } from './json-metadata';
import { exactInteger, storedInteger, storedText } from './stored-text';
import { countUnreadable, type UnreadableRows } from './unreadable-rows';

const TABLE = 'email_schedules';
const SENDER_STATUS_SET: ReadonlySet<string> = new Set(SENDER_STATUSES);

const eventDayOf = (year: number | null, month: number | null, day: number | null): number | null => {
  if (year === null || month === null || day === null) return null;
  if (year < 1 || year > 9999 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return null;
  return epochDay(year, month, day);
};

const initialEmailIdOf = (metadata: string | null): number | null => {
  const id = parseMetadataObject(metadata)?.initial_email_id;
  return storedInteger(id ?? null);
};

/**
 * The sender's rows (status outside pre-scheduled/skipped) of the contacts in
 * `range`, as the core's `HistoryEmail`, grouped by contact id. Dates are CT
 * days: `sentDay` is the day of `actual_send_datetime` in `toDay`'s zone, else
 * `scheduled_send_date`. Unusable rows are counted in `unreadable` and left out;
 * a row whose `scheduled_send_date` is malformed but whose key is readable is
 * counted and kept, dated `NO_DAY`, so that it still blocks its key (RULES.md §4),
 * and so is a row whose status the contract does not name, as status `other`.
 * A row whose event fields are set but name no calendar date is counted and kept:
 * it blocks its own date, but no key.
 */
export const readHistory = (
  db: OrganizationDb,
  range: IdRange,
  toDay: UtcDatetimeToDay,
  unreadable: UnreadableRows,
): Map<number, HistoryEmail[]> => {
  const rows = withDatabaseErrors(`reading send history of contacts ${range.fromId}–${range.toId} of ${db.path}`, () =>
    db.sqlite
      .prepare(
        // The condition repeats the partial index's own, so SQLite reads only the sender's rows.
        `SELECT ${exactInteger('id')}, contact_id, email_type, status, scheduled_send_date, actual_send_datetime,
                event_year, event_month, event_day, ${exactInteger('campaign_instance_id')}, metadata
         FROM email_schedules
         WHERE contact_id >= ? AND contact_id <= ? AND status NOT IN ('pre-scheduled', 'skipped')
         ORDER BY contact_id, id`,
      )
      .raw()
      .all(range.fromId, range.toId),
  ) as unknown[][];
  const byContact = new Map<number, HistoryEmail[]>();
  for (const row of rows) {
    const storedStatus = storedText(row[3]);
    let status: HistoryStatus;
    if (storedStatus !== null && SENDER_STATUS_SET.has(storedStatus)) {
      status = storedStatus as HistoryStatus;
    } else {
      countUnreadable(unreadable, TABLE, 'unknown_status');
      // RULES.md §4: any status but pre-scheduled or skipped is the sender's, and blocks what it holds.
      if (storedStatus === null) continue;
      status = 'other';
    }
    const id = storedInteger(row[0]);
    if (id === null) {
      // No follow-up could name it exactly (its metadata's initial_email_id): it only blocks its key (RULES.md §4).
      countUnreadable(unreadable, TABLE, 'id_beyond_safe_integers');
      status = 'other';
    }
    const emailType = storedText(row[2]);
    if (emailType === null) {
      countUnreadable(unreadable, TABLE, 'missing_email_type');
      continue;
    }
    const eventDay = eventDayOf(storedInteger(row[6]), storedInteger(row[7]), storedInteger(row[8]));
    // Without its event the row blocks no key (RULES.md §4), only its own date: counted, so that someone looks.
    if (eventDay === null && (row[6] !== null || row[7] !== null || row[8] !== null)) countUnreadable(unreadable, TABLE, 'malformed_event_date');
    const initialEmailId = emailType.startsWith('followup_') ? initialEmailIdOf(storedText(row[10])) : null;
    // Read in part: a follow-up that names no initial email still blocks its key, but not a second follow-up of it.
    if (emailType.startsWith('followup_') && initialEmailId === null) countUnreadable(unreadable, TABLE, 'followup_without_initial_email_id');
    let scheduledDay = parseIsoDate(storedText(row[4]));
    if (scheduledDay === null) {
      countUnreadable(unreadable, TABLE, 'malformed_scheduled_send_date');
      // RULES.md §4 blocks by key, not by date: a row whose key is readable still blocks it (dated on no day).
      if (eventDay === null && initialEmailId === null) continue;
      scheduledDay = NO_DAY;
    }
    const actual = storedText(row[5]);
    let sentDay = scheduledDay;
    if (actual !== null && actual !== '') {
      const actualDay = toDay.dayOf(actual);
      if (actualDay === null) countUnreadable(unreadable, TABLE, 'malformed_actual_send_datetime');
      else sentDay = actualDay;
    }
    const contactId = row[1] as number;
    const campaignInstanceId = storedInteger(row[9]);
    if (campaignInstanceId === null && row[9] !== null) countUnreadable(unreadable, TABLE, 'malformed_campaign_instance_id');
    const email: HistoryEmail = {
      id: id ?? Number.NaN,
      emailType,
      status,
      scheduledDay,
      sentDay,
      eventDay,
      campaignInstanceId,
      initialEmailId,
    };
    let list = byContact.get(contactId);
    if (list === undefined) byContact.set(contactId, (list = []));
    list.push(email);
  }
  return byContact;
};
