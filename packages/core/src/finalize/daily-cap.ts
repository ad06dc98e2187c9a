import { STATUS_PRE_SCHEDULED, type CandidateTable } from './candidate-table';
import type { ExistingDayCounts } from './day-counts';
import { mayMoveTo } from './move-rules';
import { precedenceOrder } from './precedence-order';

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

const isAscending = (values: readonly number[]): boolean => {
  for (let i = 1; i < values.length; i++) if (values[i - 1]! > values[i]!) return false;
  return true;
};

/** Two ascending lists as one. */
const mergeAscending = (a: readonly number[], b: readonly number[]): number[] => {
  if (b.length === 0) return a as number[];
  if (a.length === 0) return b as number[];
  const merged = new Array<number>(a.length + b.length);
  let i = 0;
  let j = 0;
  let k = 0;
  while (i < a.length && j < b.length) merged[k++] = a[i]! <= b[j]! ? a[i++]! : b[j++]!;
  while (i < a.length) merged[k++] = a[i++]!;
  while (j < b.length) merged[k++] = b[j++]!;
  return merged;
};

const pushTo = (lists: Map<number, number[]>, day: number, value: number): void => {
  const list = lists.get(day);
  if (list === undefined) lists.set(day, [value]);
  else list.push(value);
};

/**
 * RULES.md §9.2: walking forward from today, a day holding more than
 * floor(cap × overage) emails keeps `cap` — existing rows and emails that
 * cannot move first, then lowest priority number, then hash — and the rest
 * move to their next allowed day, where they count in turn.
 *
 * Emails are handled by rank in that order of precedence, so each day's
 * emails arrive already sorted (or as a few sorted runs) and a day costs a
 * merge rather than a sort, however long a backlog cascades.
 */
export const enforceDailyCap = (
  table: CandidateTable,
  existing: ExistingDayCounts,
  today: number,
  cap: number,
  overageThreshold: number,
): DailyCapResult => {
  const threshold = Math.floor(cap * overageThreshold);
  const perDay = new Map<number, number>();
  for (let e = 0; e < table.emailCount; e++) {
    if (table.status[e] === STATUS_PRE_SCHEDULED) perDay.set(table.day[e]!, (perDay.get(table.day[e]!) ?? 0) + 1);
  }
  const anyDayOver = [...perDay].some(([day, count]) => count + (existing.get(day)?.all ?? 0) > threshold);
  if (!anyDayOver) return { moved: 0, daysLeftOver: 0 };

  const { emailAt } = precedenceOrder(table);
  // Ranks of the emails on each day, ascending because they are bucketed in rank order.
  const placed = new Map<number, number[]>();
  for (let r = 0; r < emailAt.length; r++) pushTo(placed, table.day[emailAt[r]!]!, r);
  const arriving = new Map<number, number[]>();
  let lastDay = Math.max(...placed.keys());
  let moved = 0;
  let daysLeftOver = 0;
  const target = new Int32Array(table.emailCount);

  for (let day = today; day <= lastDay; day++) {
    const here = placed.get(day) ?? [];
    const incoming = arriving.get(day) ?? [];
    placed.delete(day);
    arriving.delete(day);
    const fixed = existing.get(day)?.all ?? 0;
    if (fixed + here.length + incoming.length <= threshold) continue;
    if (!isAscending(incoming)) incoming.sort((a, b) => a - b);
    const ranks = mergeAscending(here, incoming);

    let unmovable = 0;
    for (const r of ranks) {
      const e = emailAt[r]!;
      target[e] = nextAllowedDay(table, e, day, today);
      if (target[e] === NONE) unmovable++;
    }
    if (fixed + unmovable > threshold) daysLeftOver++;
    let room = cap - fixed - unmovable;
    for (const r of ranks) {
      const e = emailAt[r]!;
      const to = target[e]!;
      if (to === NONE) continue;
      if (room > 0) {
        room--;
        continue;
      }
      table.day[e] = to;
      pushTo(arriving, to, r);
      if (to > lastDay) lastDay = to;
      moved++;
    }
  }
  return { moved, daysLeftOver };
};
