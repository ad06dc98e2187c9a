import { STATUS_PRE_SCHEDULED, type CandidateTable } from './candidate-table';
import type { ExistingDayCounts } from './day-counts';
import { ensureLength } from './grow';
import { mayMoveTo } from './move-rules';

/** How far past the day it is leaving an email without a deadline may look. */
export const MAX_LOOK_AHEAD_DAYS = 365;

const NONE = -1;

export interface DailyCapResult {
  readonly moved: number;
  /** Days still over the threshold because nothing on them could move. */
  readonly daysLeftOver: number;
}

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
  const typeRank = table.typeRanks();
  // Per-day singly linked lists of the run's pre-scheduled emails, by offset from today.
  let head = new Int32Array(0);
  let load = new Int32Array(0);
  const next = new Int32Array(table.emailCount);
  const ensureOffsets = (length: number): void => {
    if (head.length < length) {
      const previous = head.length;
      head = ensureLength(head, length);
      head.fill(NONE, previous);
      load = ensureLength(load, length);
    }
  };
  const push = (e: number, offset: number): void => {
    ensureOffsets(offset + 1);
    next[e] = head[offset]!;
    head[offset] = e;
    load[offset]!++;
  };
  let lastOffset = 0;
  for (let e = 0; e < table.emailCount; e++) {
    if (table.status[e] !== STATUS_PRE_SCHEDULED) continue;
    const offset = table.day[e]! - today;
    push(e, offset);
    lastOffset = Math.max(lastOffset, offset);
  }
  const existingOn = (offset: number): number => existing.get(today + offset)?.all ?? 0;

  let moved = 0;
  let daysLeftOver = 0;
  const targets = new Map<number, number>();
  for (let offset = 0; offset <= lastOffset; offset++) {
    ensureOffsets(offset + 1);
    const fixed = existingOn(offset);
    if (fixed + load[offset]! <= threshold) continue;
    const day = today + offset;
    const unmovable: number[] = [];
    const movable: number[] = [];
    targets.clear();
    for (let e = head[offset]!; e !== NONE; e = next[e]!) {
      const limit = Math.min(table.deadline[e]!, day + MAX_LOOK_AHEAD_DAYS);
      let target = NONE;
      for (let candidate = day + 1; candidate <= limit; candidate++) {
        if (mayMoveTo(table, e, candidate, today)) {
          target = candidate;
          break;
        }
      }
      if (target === NONE) unmovable.push(e);
      else {
        movable.push(e);
        targets.set(e, target);
      }
    }
    movable.sort(
      (a, b) =>
        table.priority[a]! - table.priority[b]! ||
        table.keyHash[a]! - table.keyHash[b]! ||
        table.contactId[table.contactIndex[a]!]! - table.contactId[table.contactIndex[b]!]! ||
        typeRank[table.typeCode[a]!]! - typeRank[table.typeCode[b]!]!,
    );
    const room = Math.max(0, cap - fixed - unmovable.length);
    if (fixed + unmovable.length > threshold) daysLeftOver++;
    const kept: number[] = [...unmovable, ...movable.slice(0, room)];
    head[offset] = NONE;
    load[offset] = 0;
    for (const e of kept) push(e, offset);
    for (let k = room; k < movable.length; k++) {
      const e = movable[k]!;
      const target = targets.get(e)!;
      table.day[e] = target;
      push(e, target - today);
      lastOffset = Math.max(lastOffset, target - today);
      moved++;
    }
  }
  return { moved, daysLeftOver };
};
