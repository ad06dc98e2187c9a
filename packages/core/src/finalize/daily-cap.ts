import { NO_DAY } from '../dates/epoch-day';
import { STATUS_PRE_SCHEDULED, type CandidateTable } from './candidate-table';
import { floorOfProduct } from './decimal-floor';
import type { ExistingDayCounts } from './day-counts';
import { ensureLength } from './grow';
import { MoveRules, NO_ALLOWED_DAY } from './move-rules';
import { precedenceOrder } from './precedence-order';

/** How far past the day it is leaving an email without a deadline may look. */
const MAX_LOOK_AHEAD_DAYS = 365;

export interface DailyCapResult {
  readonly moved: number;
  /** Days still over the threshold because nothing on them could move. */
  readonly daysLeftOver: number;
}

const isAscending = (values: Int32Array): boolean => {
  for (let i = 1; i < values.length; i++) if (values[i - 1]! > values[i]!) return false;
  return true;
};

/** Two ascending lists into `into`; returns how many were written. */
const mergeAscending = (a: Int32Array, b: Int32Array, into: Int32Array): number => {
  let i = 0;
  let j = 0;
  let k = 0;
  while (i < a.length && j < b.length) into[k++] = a[i]! <= b[j]! ? a[i++]! : b[j++]!;
  while (i < a.length) into[k++] = a[i++]!;
  while (j < b.length) into[k++] = b[j++]!;
  return k;
};

/**
 * Emails (by rank) waiting for a day they were moved to: one first-in,
 * first-out list per day, linked through the ranks. A rank waits on one day
 * at a time, so one `next` array serves every list.
 */
class Arrivals {
  /** Per day after `firstDay`: the first and last rank + 1 of its list, 0 when empty. */
  private head = new Int32Array(0);
  private tail = new Int32Array(0);
  private readonly next: Int32Array;

  constructor(
    private readonly firstDay: number,
    ranks: number,
  ) {
    this.next = new Int32Array(ranks);
  }

  push(day: number, rank: number): void {
    const d = day - this.firstDay;
    if (d >= this.head.length) {
      this.head = ensureLength(this.head, d + 1);
      this.tail = ensureLength(this.tail, d + 1);
    }
    this.next[rank] = 0;
    if (this.head[d] === 0) this.head[d] = rank + 1;
    else this.next[this.tail[d]! - 1] = rank + 1;
    this.tail[d] = rank + 1;
  }

  /** Takes the day's list into `into` (in arrival order); returns its length. */
  take(day: number, into: Int32Array): number {
    const d = day - this.firstDay;
    if (d >= this.head.length) return 0;
    let count = 0;
    for (let link = this.head[d]!; link !== 0; link = this.next[link - 1]!) into[count++] = link - 1;
    this.head[d] = 0;
    return count;
  }
}

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
  /** Shared with effective-date smoothing by `finalizeRun`. */
  shared?: MoveRules,
): DailyCapResult => {
  const threshold = floorOfProduct(cap, overageThreshold);
  // A day over the threshold keeps `cap` emails: with a cap below 1 no day could ever be brought under it.
  if (!Number.isInteger(cap) || cap < 1 || threshold < cap) {
    throw new RangeError(`the daily cap must be a whole number of at least 1, and at most its threshold: cap ${cap}, threshold ${threshold}`);
  }
  let firstDay = Number.POSITIVE_INFINITY;
  let lastDay = Number.NEGATIVE_INFINITY;
  for (let e = 0; e < table.emailCount; e++) {
    if (table.status[e] !== STATUS_PRE_SCHEDULED) continue;
    if (table.day[e]! < firstDay) firstDay = table.day[e]!;
    if (table.day[e]! > lastDay) lastDay = table.day[e]!;
  }
  if (firstDay > lastDay) return { moved: 0, daysLeftOver: 0 };
  // Ranks bucketed by day: `dayStart[d − firstDay]` .. `dayStart[d − firstDay + 1]`.
  const dayStart = new Int32Array(lastDay - firstDay + 2);
  for (let e = 0; e < table.emailCount; e++) {
    if (table.status[e] === STATUS_PRE_SCHEDULED) dayStart[table.day[e]! - firstDay + 1]!++;
  }
  let anyDayOver = false;
  for (let d = 0; d <= lastDay - firstDay && !anyDayOver; d++) {
    const count = dayStart[d + 1]!;
    anyDayOver = count > 0 && count + (existing.get(firstDay + d)?.all ?? 0) > threshold;
  }
  if (!anyDayOver) return { moved: 0, daysLeftOver: 0 };
  for (let d = 0; d <= lastDay - firstDay; d++) dayStart[d + 1]! += dayStart[d]!;

  // The sort's spare buffers serve as byDay, allowedThrough and dayRanks: at millions of emails, tens of MB each.
  const { emailAt, spare } = precedenceOrder(table);
  const ranks = emailAt.length;
  const byDay = spare[0];
  const fill = dayStart.slice(0, -1);
  // Filled in rank order, so each day's ranks are ascending.
  for (let r = 0; r < ranks; r++) byDay[fill[table.day[emailAt[r]!]! - firstDay]!++] = r;

  const moves = shared ?? new MoveRules(table);
  // Per rank, the last day of the run of allowed days its email was moved
  // into: carried on through a pile, it is asked for the next day again on
  // every day, and the answer is known without reading its contact.
  const allowedThrough = spare[1].fill(NO_ALLOWED_DAY);
  const arrivals = new Arrivals(today, ranks);
  // Scratch: a day's ranks, and first its arrivals then its emails' targets.
  const dayRanks = spare[2];
  const scratch = new Int32Array(ranks);
  let moved = 0;
  let daysLeftOver = 0;

  for (let day = today; day <= lastDay; day++) {
    const d = day - firstDay;
    const here = d >= 0 && d < dayStart.length - 1 ? byDay.subarray(dayStart[d]!, dayStart[d + 1]!) : byDay.subarray(0, 0);
    const incoming = scratch.subarray(0, arrivals.take(day, scratch));
    const fixed = existing.get(day)?.all ?? 0;
    if (fixed + here.length + incoming.length <= threshold) continue;
    if (!isAscending(incoming)) incoming.sort();
    const count = mergeAscending(here, incoming, dayRanks);

    const target = scratch;
    let unmovable = 0;
    for (let i = 0; i < count; i++) {
      const r = dayRanks[i]!;
      const e = emailAt[r]!;
      // An email with a deadline tries every day up to it, however far; one without looks 365 days ahead.
      const limit = table.deadline[e] === NO_DAY ? day + MAX_LOOK_AHEAD_DAYS : NO_DAY;
      target[i] = day + 1 <= allowedThrough[r]! ? day + 1 : moves.nextAllowedDay(e, day, today, limit);
      if (target[i] === NO_ALLOWED_DAY) unmovable++;
    }
    if (fixed + unmovable > threshold) daysLeftOver++;
    let room = cap - fixed - unmovable;
    for (let i = 0; i < count; i++) {
      const to = target[i]!;
      if (to === NO_ALLOWED_DAY) continue;
      if (room > 0) {
        room--;
        continue;
      }
      const r = dayRanks[i]!;
      const e = emailAt[r]!;
      moves.moveTo(e, to);
      if (to > allowedThrough[r]!) allowedThrough[r] = moves.allowedThrough(e, to);
      arrivals.push(to, r);
      if (to > lastDay) lastDay = to;
      moved++;
    }
  }
  moves.writeDays();
  return { moved, daysLeftOver };
};
