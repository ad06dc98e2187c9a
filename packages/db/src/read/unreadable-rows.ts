/**
 * Rows a read skipped (or read in part) because a value could not be
 * understood, by table and reason, e.g. `email_schedules.malformed_scheduled_send_date`.
 * A malformed row is reported, never a reason for a read to fail.
 */
export type UnreadableRows = Record<string, number>;

export const countUnreadable = (counts: UnreadableRows, table: string, reason: string): void => {
  const key = `${table}.${reason}`;
  counts[key] = (counts[key] ?? 0) + 1;
};
