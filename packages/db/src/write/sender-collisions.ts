import type Database from 'better-sqlite3';

const FOLLOWUP = `LIKE 'followup\\_%' ESCAPE '\\'`;
const INITIAL_EMAIL_ID = (table: string): string =>
  `CASE WHEN json_valid(${table}.metadata) THEN json_extract(${table}.metadata, '$.initial_email_id') END`;

/**
 * RULES.md §4 and §8, checked again inside a commit: a run's rows were computed from what it read earlier, and
 * the sender may have taken one of the contact's emails since (`pre-scheduled` → `processing`, `sent`…). The
 * run's row for that same email — its key, or a follow-up of the same initial email — would be sent again:
 * it goes. Only contacts whose rows someone else changed can hold such a row.
 */
const COLLIDING_ROWS = `
  DELETE FROM email_schedules WHERE id IN (
    SELECT mine.id FROM email_schedules AS mine JOIN email_schedules AS held ON held.contact_id = mine.contact_id
    WHERE mine.contact_id = ? AND mine.status IN ('pre-scheduled', 'skipped')
      AND held.status NOT IN ('pre-scheduled', 'skipped')
      AND (
        (mine.email_type NOT ${FOLLOWUP} AND held.email_type = mine.email_type AND held.event_year = mine.event_year
          AND held.event_month = mine.event_month AND held.event_day = mine.event_day)
        OR (mine.email_type ${FOLLOWUP} AND held.email_type ${FOLLOWUP}
          AND ${INITIAL_EMAIL_ID('held')} = ${INITIAL_EMAIL_ID('mine')})
      )
  )`;

/** Deletes the rows of `contactIds` that another writer's row of the same email has overtaken; how many went. */
export const dropRowsTheSenderTook = (sqlite: Database.Database, contactIds: Iterable<number>): number => {
  const drop = sqlite.prepare(COLLIDING_ROWS);
  let dropped = 0;
  for (const contactId of contactIds) dropped += drop.run(contactId).changes;
  return dropped;
};
