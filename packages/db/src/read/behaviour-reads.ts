import { formatIsoDate, type Behaviour, type BehaviourKind, type UtcDatetimeToDay } from '@scheduler/core';
import { withDatabaseErrors } from '../connection/database-errors';
import type { OrganizationDb } from '../connection/open-organization-db';
import type { IdRange } from './contact-reads';
import { parseMetadataObject } from './json-metadata';
import { storedText } from './stored-text';
import { countUnreadable, type UnreadableRows } from './unreadable-rows';

/** RULES.md §8: an answer "with conditions" has `has_medical_conditions: true` or `main_questions_yes_count > 0`. */
const answerKindOf = (answer: Record<string, unknown> | null): BehaviourKind => {
  if (answer === null) return 'answered_no_conditions';
  const yesCount = answer.main_questions_yes_count;
  return answer.has_medical_conditions === true || (typeof yesCount === 'number' && yesCount > 0)
    ? 'answered_with_conditions'
    : 'answered_no_conditions';
};

/** A field the rule reads, stored as another type than it compares with (`"true"`, `"2"`): read as written, and counted. */
const hasMistypedField = (answer: Record<string, unknown>): boolean => {
  const conditions = answer.has_medical_conditions;
  const yesCount = answer.main_questions_yes_count;
  return (conditions !== undefined && conditions !== null && typeof conditions !== 'boolean') ||
    (yesCount !== undefined && yesCount !== null && typeof yesCount !== 'number');
};

/**
 * A value that may be a stored UTC datetime (core's UtcDatetimeToDay reads it): the text filter on the lookback
 * keeps what sorts before it only when it is not even shaped like one. Such a value — a Unix time (numbers sort
 * before text), `1/8/2026` — is then read, and counted as malformed, rather than passed over unseen.
 */
const shapedLikeDatetime = (column: string): string =>
  `(typeof(${column}) = 'text' AND ${column} GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9][ T][0-9][0-9]:[0-9][0-9]*')`;

/**
 * Clicks and eligibility answers of the contacts in `range`, on their CT
 * day, grouped by contact id. With `sinceDay`, only behaviour from that day
 * on is read (the follow-up lookback window): stored datetimes are UTC, so
 * the text filter starts a day earlier and the day itself is checked after
 * conversion.
 */
export const readBehaviour = (
  db: OrganizationDb,
  range: IdRange,
  toDay: UtcDatetimeToDay,
  unreadable: UnreadableRows,
  sinceDay: number | null = null,
): Map<number, Behaviour[]> => {
  const since = sinceDay === null ? '' : formatIsoDate(sinceDay - 1);
  const context = `reading behaviour of contacts ${range.fromId}–${range.toId} of ${db.path}`;
  const clicks = withDatabaseErrors(context, () =>
    db.sqlite
      .prepare(
        `SELECT contact_id, clicked_at FROM tracking_clicks
         WHERE contact_id >= ? AND contact_id <= ? AND (clicked_at >= ? OR NOT ${shapedLikeDatetime('clicked_at')})`,
      )
      .raw()
      .all(range.fromId, range.toId, since),
  ) as unknown[][];
  const answers = withDatabaseErrors(context, () =>
    db.sqlite
      .prepare(
        `SELECT contact_id, created_at, metadata FROM contact_events
         WHERE contact_id >= ? AND contact_id <= ? AND event_type = 'eligibility_answered'
           AND (created_at >= ? OR NOT ${shapedLikeDatetime('created_at')})`,
      )
      .raw()
      .all(range.fromId, range.toId, since),
  ) as unknown[][];

  const byContact = new Map<number, Behaviour[]>();
  const add = (contactId: number, behaviour: Behaviour): void => {
    if (sinceDay !== null && behaviour.day < sinceDay) return;
    let list = byContact.get(contactId);
    if (list === undefined) byContact.set(contactId, (list = []));
    list.push(behaviour);
  };
  for (const row of clicks) {
    const day = toDay.dayOf(storedText(row[1]));
    if (day === null) countUnreadable(unreadable, 'tracking_clicks', 'malformed_clicked_at');
    else add(row[0] as number, { kind: 'click', day });
  }
  for (const row of answers) {
    const day = toDay.dayOf(storedText(row[1]));
    if (day === null) {
      countUnreadable(unreadable, 'contact_events', 'malformed_created_at');
      continue;
    }
    const metadata = storedText(row[2]);
    const answer = parseMetadataObject(metadata);
    // Read in part: an answer whose metadata says nothing readable is an answer without conditions.
    if (answer === null ? metadata !== null && metadata !== '' : hasMistypedField(answer)) {
      countUnreadable(unreadable, 'contact_events', 'malformed_metadata');
    }
    add(row[0] as number, { kind: answerKindOf(answer), day });
  }
  return byContact;
};
