import { STATUS_PRE_SCHEDULED, type CandidateTable } from './candidate-table';
import type { ExistingDayCounts } from './day-counts';
import { mayMoveTo } from './move-rules';
import { precedenceOrder, type PrecedenceOrder } from './precedence-order';

/** How far past the day it is leaving an email without a deadline may look. */
export const MAX_LOOK_AHEAD_DAYS = 365;

const NONE = -1;

export interface DailyCapResult {
  readonly moved: number;
  /** Days still over the threshold because nothing on them could move. */
  readonly daysLeftOver: number;
}

/** The first day after `day` the email may move to, up to its deadline and the look-ahead; NONE if none. */
const nextAllowedDay = (table: CandidateTable, e: number, day: number, today: number): number => {
  const limit = Math.min(table.deadline[e]!, day + MAX_LOOK_AHEAD_DAYS);
  for (let candidate = day + 1; candidate <= limit; candidate++) {
    if (mayMoveTo(table, e, candidate, today)) return candidate;
  }
  return NONE;
};

/**
 * RULES.md §9.2: walking forward from today, a day holding more than
 * floor(cap × overage) emails keeps `cap` — existing rows and emails that
 * cannot move first, then lowest priority number, then hash — and the rest
 * move to their next allowed day, where they count in turn.
 */
export const enforceDailyCap = (
  table: CandidateTable,
  existing: ExistingDayCounts,
  today: number,
  cap: number,
  overageThreshold: number,
): DailyCapResult => {
  const threshold = Math.floor(cap * overageThreshold);
  const emailsOn = new Map<number, number[]>();
  for (let e = 0; e < table.emailCount; e++) {
    if (table.status[e] !== STATUS_PRE_SCHEDULED) continue;
    const day = table.day[e]!;
    const list = emailsOn.get(day);
    if (list === undefined) emailsOn.set(day, [e]);
    else list.push(e);
  }
  let precedence: PrecedenceOrder | null = null;
  let lastDay = Math.max(today, ...emailsOn.keys());
  let moved = 0;
  let daysLeftOver = 0;
  const target = new Int32Array(table.emailCount);

  for (let day = today; day <= lastDay; day++) {
    const list = emailsOn.get(day);
    if (list === undefined) continue;
    emailsOn.delete(day);
    const fixed = existing.get(day)?.all ?? 0;
    if (fixed + list.length <= threshold) continue;

    precedence ??= precedenceOrder(table);
    const { rankOf, emailAt } = precedence;
    const byRank = Int32Array.from(list, (e) => rankOf[e]!).sort();
    let unmovable = 0;
    for (const e of list) {
      target[e] = nextAllowedDay(table, e, day, today);
      if (target[e] === NONE) unmovable++;
    }
    if (fixed + unmovable > threshold) daysLeftOver++;
    let room = cap - fixed - unmovable;
    for (let r = 0; r < byRank.length; r++) {
      const e = emailAt[byRank[r]!]!;
      const to = target[e]!;
      if (to === NONE) continue;
      if (room > 0) {
        room--;
        continue;
      }
      table.day[e] = to;
      const destination = emailsOn.get(to);
      if (destination === undefined) emailsOn.set(to, [e]);
      else destination.push(e);
      if (to > lastDay) lastDay = to;
      moved++;
    }
  }
  return { moved, daysLeftOver };
};
