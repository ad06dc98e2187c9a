import { STATUS_PRE_SCHEDULED, type CandidateTable } from './candidate-table';

// 11-bit digits: a pass's 2,048 counters and write positions stay in the
// first-level cache, where 16-bit ones scatter writes over 65,536 places.
const RADIX_BITS = 11;
const RADIX = 1 << RADIX_BITS;
const RADIX_MASK = RADIX - 1;

export interface PrecedenceOrder {
  /** The email of each rank. */
  readonly emailAt: Int32Array;
  /**
   * The sort's other three buffers, each as long as `emailAt`, their contents meaningless: a caller that needs
   * arrays of one number per rank takes these rather than allocate more (at millions of emails, tens of MB each).
   */
  readonly spare: readonly [Int32Array, Int32Array, Int32Array];
}

/** Sort keys carried beside the emails, so that every pass reads them in order. */
interface Keyed {
  emails: Int32Array;
  keys: Uint32Array;
}

/** One stable counting-sort pass of `from` into `to` by the digit (key >>> shift) & mask. */
const countingPass = (from: Keyed, to: Keyed, shift: number): void => {
  const starts = new Int32Array(RADIX + 1);
  const { emails, keys } = from;
  for (let i = 0; i < keys.length; i++) starts[((keys[i]! >>> shift) & RADIX_MASK) + 1]!++;
  for (let d = 0; d < RADIX; d++) starts[d + 1]! += starts[d]!;
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i]!;
    const at = starts[(key >>> shift) & RADIX_MASK]!++;
    to.emails[at] = emails[i]!;
    to.keys[at] = key;
  }
};

/** LSD radix sort of `a` by its 32-bit keys, stable; the result is in whichever of `a`/`b` the last pass wrote. */
const sortByKey = (a: Keyed, b: Keyed, keyBits: number): Keyed => {
  let from = a;
  let to = b;
  for (let shift = 0; shift < keyBits; shift += RADIX_BITS) {
    countingPass(from, to, shift);
    [from, to] = [to, from];
  }
  return from;
};

const bitsFor = (span: number): number => (span === 0 ? 0 : 32 - Math.clz32(span));

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
  const a: Keyed = { emails: new Int32Array(members), keys: new Uint32Array(members) };
  const b: Keyed = { emails: new Int32Array(members), keys: new Uint32Array(members) };
  if (members === 0) return { emailAt: a.emails, spare: [b.emails, new Int32Array(a.keys.buffer), new Int32Array(b.keys.buffer)] };

  for (let e = 0, i = 0; e < n; e++) {
    if (status[e] !== STATUS_PRE_SCHEDULED) continue;
    a.emails[i] = e;
    a.keys[i++] = keyHash[e]!;
  }
  const byHash = sortByKey(a, b, 32);
  // Then by priority, stable: hash order is kept among equal priorities.
  const other = byHash === a ? b : a;
  for (let i = 0; i < members; i++) byHash.keys[i] = priority[byHash.emails[i]!]! - minPriority;
  const sorted = sortByKey(byHash, other, bitsFor(maxPriority - minPriority));
  const unsorted = sorted === a ? b : a;
  return {
    emailAt: sorted.emails,
    spare: [unsorted.emails, new Int32Array(sorted.keys.buffer), new Int32Array(unsorted.keys.buffer)],
  };
};
