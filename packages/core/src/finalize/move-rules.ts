import { windowYearAt } from '../rules/exclusion';
import { FLAG_RESPECTS_WINDOWS, type CandidateTable } from './candidate-table';

/** Whether `day` is inside contact `c`'s exclusion (window or year-round). */
export const isExcludedAt = (table: CandidateTable, c: number, day: number): boolean => {
  if (day >= table.yearRoundFrom[c]!) return true;
  const anchorMonth = table.windowAnchorMonth[c]!;
  return (
    anchorMonth !== 0 &&
    windowYearAt(
      table.windowAnchorYear[c]!,
      anchorMonth,
      table.windowAnchorDay[c]!,
      table.windowUsesMonthStart[c] === 1,
      table.windowDaysBefore[c]!,
      table.windowDaysAfter[c]!,
      day,
    ) !== 0
  );
};

/** The contact already has a row of email `e`'s type on `day`: one of the run's (either status) or a kept history row. */
export const sameTypeRowOn = (table: CandidateTable, e: number, day: number): boolean => {
  const c = table.contactIndex[e]!;
  const type = table.typeCode[e]!;
  for (let j = table.emailStart[c]!; j < table.emailStart[c + 1]!; j++) {
    if (j !== e && table.typeCode[j] === type && table.day[j] === day) return true;
  }
  for (let h = table.historyStart[c]!; h < table.historyStart[c + 1]!; h++) {
    if (table.historyType[h] === type && table.historyScheduledDay[h] === day) return true;
  }
  return false;
};

/**
 * RULES.md §9, "a move never breaks a rule": not before today, not past the
 * deadline, not into the contact's exclusion, not onto a same-type row.
 */
export const mayMoveTo = (table: CandidateTable, e: number, day: number, today: number): boolean =>
  day >= today &&
  day <= table.deadline[e]! &&
  !((table.flags[e]! & FLAG_RESPECTS_WINDOWS) !== 0 && isExcludedAt(table, table.contactIndex[e]!, day)) &&
  !sameTypeRowOn(table, e, day);
