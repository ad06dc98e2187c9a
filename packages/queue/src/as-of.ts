/**
 * The latest day a run may be as of. A schedule reaches about twelve years past its day at most (the next
 * anniversary, a follow-up delay of up to 3650 days, a catch-up spread), and every date it writes must keep a
 * four-digit year (CONTRACT.md: `YYYY-MM-DD`, compared as text by the sender).
 */
export const LATEST_AS_OF = '9979-12-31';
export const AS_OF_TOO_LATE = `must be no later than ${LATEST_AS_OF}, so that every date of the schedule has a four-digit year`;
/** The years up to LATEST_AS_OF's, 0000–9979, as the start of a date: a pattern, so that the JSON Schema files carry it. */
export const AS_OF_YEAR_PATTERN = /^(?:[0-8]\d{3}|9[0-8]\d{2}|99[0-6]\d|997\d)-/;
