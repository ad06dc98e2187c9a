import { BAD_DATE_REASONS, UNUSABLE_REASONS, type BadDateReason, type ContactSummary, type UnusableReason } from '@scheduler/core';

/** What a chunk (or a whole run) found in the contacts it read. */
export interface ContactStats {
  total: number;
  usable: number;
  invalid: Record<UnusableReason, number>;
  badDates: Record<BadDateReason, number>;
  /** `contacts.state` disagreed with the state of the ZIP (the ZIP wins). */
  stateDisagreements: number;
  /** Campaign targets whose trigger date was malformed (not scheduled). */
  malformedTriggers: number;
  /**
   * Rows of the contacts' other inputs (send history, targets, clicks, answers) left out, or read in part,
   * because a value could not be read: by `table.reason` (db's UnreadableRows).
   */
  unreadableRows: Record<string, number>;
}

/** Adds counts by key into `into`. */
export const addCounts = (into: Record<string, number>, from: Readonly<Record<string, number>>): void => {
  for (const [key, count] of Object.entries(from)) into[key] = (into[key] ?? 0) + count;
};

export const emptyContactStats = (): ContactStats => ({
  total: 0,
  usable: 0,
  invalid: Object.fromEntries(UNUSABLE_REASONS.map((reason) => [reason, 0])) as Record<UnusableReason, number>,
  badDates: Object.fromEntries(BAD_DATE_REASONS.map((reason) => [reason, 0])) as Record<BadDateReason, number>,
  stateDisagreements: 0,
  malformedTriggers: 0,
  unreadableRows: {},
});

export const countOutcome = (stats: ContactStats, outcome: ContactSummary): void => {
  stats.total++;
  if (!outcome.usable) {
    stats.invalid[outcome.reason]++;
    return;
  }
  stats.usable++;
  for (const reason of outcome.badDates) stats.badDates[reason]++;
  if (outcome.stateDisagrees) stats.stateDisagreements++;
  stats.malformedTriggers += outcome.malformedTriggers;
};

export const addContactStats = (into: ContactStats, from: ContactStats): void => {
  into.total += from.total;
  into.usable += from.usable;
  for (const reason of UNUSABLE_REASONS) into.invalid[reason] += from.invalid[reason];
  for (const reason of BAD_DATE_REASONS) into.badDates[reason] += from.badDates[reason];
  into.stateDisagreements += from.stateDisagreements;
  into.malformedTriggers += from.malformedTriggers;
  // A chunk staged before these were counted has none.
  addCounts(into.unreadableRows, from.unreadableRows ?? {});
};
