/**
 * The earliest day a run may be as of: a year before it is a typing mistake (every email of such a schedule
 * would be overdue by more than a century, and would replace the schedule in force).
 */
export const EARLIEST_AS_OF = '1900-01-01';
/**
 * The latest day a run may be as of. A schedule reaches about twelve years past its day at most (the next
 * anniversary, a follow-up delay of up to 3650 days, a catch-up spread), and every date it writes must keep a
 * four-digit year (CONTRACT.md: `YYYY-MM-DD`, compared as text by the sender).
 */
export const LATEST_AS_OF = '9979-12-31';
export const AS_OF_OUT_OF_RANGE =
  `must be from ${EARLIEST_AS_OF} to ${LATEST_AS_OF}: an earlier year is a mistake, and a later one would give ` +
  'the schedule dates past the four-digit years';
/** The years 1900–9979, as the start of a date: a pattern, so that the JSON Schema files carry it. */
export const AS_OF_YEAR_PATTERN = /^(?:19\d{2}|[2-8]\d{3}|9[0-8]\d{2}|99[0-6]\d|997\d)-/;
