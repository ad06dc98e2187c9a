import { STATUS_PRE_SCHEDULED, type CandidateTable } from './candidate-table';

const RADIX_BITS = 16;
const RADIX = 1 << RADIX_BITS;
const RADIX_MASK = RADIX - 1;

export interface PrecedenceOrder {
  /** The email of each rank. */
  readonly emailAt: Int32Array;
}

/** One stable counting-sort pass of `from` into `to` by the 16-bit digit ((key[e] − offset) >>> shift) & mask. */
const countingPass = (
  from: Int32Array,
  to: Int32Array,
  key: Uint32Array | Int32Array,
  offset: number,
  shift: number,
): void => {
  const starts = new Int32Array(RADIX + 1);
  for (let i = 0; i < from.length; i++) starts[(((key[from[i]!]! - offset) >>> shift) & RADIX_MASK) + 1]!++;
  for (let d = 0; d < RADIX; d++) starts[d + 1]! += starts[d]!;
  for (let i = 0; i < from.length; i++) {
    const e = from[i]!;
    to[starts[((key[e]! - offset) >>> shift) & RADIX_MASK]!++] = e;
  }
};

/**
 * The run's pre-scheduled emails in the daily cap's order of precedence:
 * lowest priority number, then lowest hash(key), then table order (contact id
 * order, as every caller fills the table). A radix sort, because a comparison
 * sort of millions of emails costs more than the whole finalizer budget.
 */
export const precedenceOrder = (table: CandidateTable): PrecedenceOrder => {
  const n = table.emailCount;
  const { status, priority, keyHash } = table;
  let members = 0;
  let minPriority = Number.POSITIVE_INFINITY;
  let maxPriority = Number.NEGATIVE_INFINITY;
  for (let e = 0; e < n; e++) {
    if (status[e] !== STATUS_PRE_SCHEDULED) continue;
    members++;
    if (priority[e]! < minPriority) minPriority = priority[e]!;
    if (priority[e]! > maxPriority) maxPriority = priority[e]!;
  }
  let order = new Int32Array(members);
  let scratch = new Int32Array(members);
  for (let e = 0, i = 0; e < n; e++) if (status[e] === STATUS_PRE_SCHEDULED) order[i++] = e;
  if (members === 0) return { emailAt: order };

  countingPass(order, scratch, keyHash, 0, 0);
  countingPass(scratch, order, keyHash, 0, RADIX_BITS);
  // Priorities span far less than 2^16 in practice; a wider span takes a second pass.
  const span = maxPriority - minPriority;
  countingPass(order, scratch, priority, minPriority, 0);
  if (span < RADIX) return { emailAt: scratch };
  countingPass(scratch, order, priority, minPriority, RADIX_BITS);
  return { emailAt: order };
};
