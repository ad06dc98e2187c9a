import { STATUS_PRE_SCHEDULED, type CandidateTable } from './candidate-table';

const RADIX_BITS = 16;
const RADIX = 1 << RADIX_BITS;
const RADIX_MASK = RADIX - 1;

/** One stable counting-sort pass of `order` by `digit(e)` ∈ [0, RADIX). */
const countingPass = (order: Int32Array, scratch: Int32Array, digit: (e: number) => number): void => {
  const counts = new Int32Array(RADIX + 1);
  for (let i = 0; i < order.length; i++) counts[digit(order[i]!) + 1]!++;
  for (let d = 0; d < RADIX; d++) counts[d + 1]! += counts[d]!;
  for (let i = 0; i < order.length; i++) {
    const e = order[i]!;
    scratch[counts[digit(e)]!++] = e;
  }
  order.set(scratch);
};

export interface PrecedenceOrder {
  /** Each email's rank; -1 for emails that are not pre-scheduled. */
  readonly rankOf: Int32Array;
  /** The email of each rank. */
  readonly emailAt: Int32Array;
}

/**
 * The run's pre-scheduled emails in the daily cap's order of precedence:
 * lowest priority number, then lowest hash(key), then table order (contact id
 * order, as every caller fills the table). A radix sort, because a comparison
 * sort of millions of emails costs more than the whole finalizer budget.
 */
export const precedenceOrder = (table: CandidateTable): PrecedenceOrder => {
  const members: number[] = [];
  for (let e = 0; e < table.emailCount; e++) if (table.status[e] === STATUS_PRE_SCHEDULED) members.push(e);
  const order = Int32Array.from(members);
  const scratch = new Int32Array(order.length);
  const priorities = [...new Set(members.map((e) => table.priority[e]!))].sort((a, b) => a - b);
  if (priorities.length > RADIX) throw new Error(`more than ${RADIX} distinct priorities`);
  const priorityRank = new Map(priorities.map((priority, rank) => [priority, rank]));
  const { keyHash, priority } = table;
  countingPass(order, scratch, (e) => keyHash[e]! & RADIX_MASK);
  countingPass(order, scratch, (e) => keyHash[e]! >>> RADIX_BITS);
  countingPass(order, scratch, (e) => priorityRank.get(priority[e]!)!);
  const rankOf = new Int32Array(table.emailCount).fill(-1);
  for (let r = 0; r < order.length; r++) rankOf[order[r]!] = r;
  return { rankOf, emailAt: order };
};
