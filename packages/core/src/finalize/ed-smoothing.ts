import { STATUS_PRE_SCHEDULED, type CandidateTable } from './candidate-table';
import type { ExistingDayCounts } from './day-counts';
import { MoveRules } from './move-rules';

/**
 * RULES.md §9.1: on each day holding more than `edLimit` effective-date
 * emails, each of the run's moves by (hash mod W) − floor(W/2) days, unless
 * that move would break a rule. Days are judged on the counts before any move.
 * Returns how many emails moved.
 */
export const smoothEffectiveDates = (
  table: CandidateTable,
  existing: ExistingDayCounts,
  today: number,
  edLimit: number,
  windowDays: number,
  /** Shared with the daily cap by `finalizeRun`: built once, over millions of emails. */
  shared?: MoveRules,
): number => {
  const edType = table.typeNames.indexOf('effective_date');
  if (edType < 0) return 0;
  const perDay = new Map<number, number>();
  const emails: number[] = [];
  for (let e = 0; e < table.emailCount; e++) {
    if (table.typeCode[e] !== edType || table.status[e] !== STATUS_PRE_SCHEDULED) continue;
    emails.push(e);
    const day = table.day[e]!;
    perDay.set(day, (perDay.get(day) ?? existing.get(day)?.effectiveDate ?? 0) + 1);
  }
  const half = Math.floor(windowDays / 2);
  let moves = shared ?? null; // else built once a day is over the limit
  let moved = 0;
  for (const e of emails) {
    const day = table.day[e]!;
    if (perDay.get(day)! <= edLimit) continue;
    const target = day + ((table.keyHash[e]! % windowDays) - half);
    if (target === day) continue;
    moves ??= new MoveRules(table);
    if (moves.mayMoveTo(e, target, today)) {
      moves.moveTo(e, target);
      moved++;
    }
  }
  moves?.writeDays();
  return moved;
};
