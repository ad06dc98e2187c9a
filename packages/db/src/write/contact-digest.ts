/**
 * A 53-bit digest of a contact's schedule rows: two independent 32-bit
 * multiplicative hashes over the rows' values, each value tagged with its
 * kind (null, number, text) so that two different rows feed the same
 * sequence only by a hash collision. A changed contact passes for unchanged
 * with odds near 2^-53.
 * Values are hashed where they lie, without building a text per row: at nine
 * million rows a night, a string per row costs seconds.
 *
 * Text enters as its own 64-bit hash (two 32-bit lanes over its length and
 * characters), remembered per distinct string: a night's rows repeat a few
 * hundred texts (types, statuses, dates, templates, reasons) nine million
 * times, and hashing their characters every time was the largest CPU cost
 * of a commit that changes little (about 5 s of 9M rows, profiled).
 *
 * DIGEST_FORMAT names this way of digesting: digests stored under another
 * format are never trusted (see replace-schedule.ts). Format 1 hashed every
 * text's characters into the row's lanes.
 */
export const DIGEST_FORMAT = 2;

/**
 * scheduler_state's value under `schedule_digest_blocks` once a full run has
 * written every contact's digest in this format. Any other value (format 1
 * wrote `complete`) leaves every stored digest distrusted.
 */
export const DIGESTS_COMPLETE = `complete-v${DIGEST_FORMAT}`;

const P1 = 0x01000193;
const P2 = 0x5bd1e995;

/*
 * The remembered texts: a direct-mapped table indexed by length and two
 * characters. A slot compares by `===` (a pointer check when the row reuses
 * the same string object, a short comparison otherwise); a miss hashes the
 * characters and takes the slot. Only a speed-up: the hash of a text never
 * depends on the table.
 */
const SLOTS = 4096;
const slotTexts: (string | undefined)[] = new Array<string | undefined>(SLOTS).fill(undefined);
const slotHashes = new Int32Array(SLOTS * 2);

const slotOf = (text: string): number => {
  const length = text.length;
  if (length === 0) return 0;
  return (length * 31 + text.charCodeAt(length - 1) * 131 + text.charCodeAt(length >> 1) * 7) & (SLOTS - 1);
};

/** Hashes a text's characters into slot `slot` (both lanes). */
const hashTextInto = (text: string, slot: number): void => {
  // Kind and length first: `(length << 2) | 2` is never 1 (null) or 3 (number).
  const head = (text.length << 2) | 2;
  let a = Math.imul(0x811c9dc5 ^ head, P1);
  let b = Math.imul(0x2f3a4b1d ^ head, P2);
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    a = Math.imul(a ^ c, P1);
    b = Math.imul(b ^ c, P2);
    b ^= b >>> 15;
  }
  slotTexts[slot] = text;
  slotHashes[slot * 2] = a ^ (a >>> 13);
  slotHashes[slot * 2 + 1] = b ^ (b >>> 16);
};

export class ContactDigest {
  private h1 = 0x811c9dc5 | 0;
  private h2 = 0x2f3a4b1d;
  private rows = 0;

  private mix(code: number): void {
    const h1 = Math.imul(this.h1 ^ code, P1);
    this.h1 = h1 ^ (h1 >>> 13);
    const h2 = Math.imul(this.h2 ^ code, P2);
    this.h2 = h2 ^ (h2 >>> 15);
  }

  addText(text: string): void {
    const slot = slotOf(text);
    if (slotTexts[slot] !== text) hashTextInto(text, slot);
    const h1 = Math.imul(this.h1 ^ slotHashes[slot * 2]!, P1);
    this.h1 = h1 ^ (h1 >>> 13);
    const h2 = Math.imul(this.h2 ^ slotHashes[slot * 2 + 1]!, P2);
    this.h2 = h2 ^ (h2 >>> 15);
  }

  addTextOrNull(text: string | null): void {
    if (text === null) this.mix(1);
    else this.addText(text);
  }

  addIntegerOrNull(value: number | null): void {
    if (value === null) this.mix(1);
    // Small non-negative integers (dates' parts, priorities, ids) in one step, the kind in the low bits.
    else if (value >= 0 && value < 0x20000000 && (value | 0) === value) this.mix((value << 2) | 3);
    else if (Number.isSafeInteger(value)) {
      this.mix(3);
      this.mix(value | 0);
      if (value > 0x7fffffff || value < -0x80000000) this.mix(Math.floor(value / 4294967296) | 0);
    } else this.addValue(value);
  }

  /** Any stored value: null, a number, text, or another kind (as its text). */
  addValue(value: unknown): void {
    if (value === null || value === undefined) this.mix(1);
    else if (typeof value === 'string') this.addText(value);
    else if (typeof value === 'number' && value >= 0 && value < 0x20000000 && (value | 0) === value) this.mix((value << 2) | 3);
    else if (typeof value === 'number' && Number.isSafeInteger(value)) {
      this.mix(3);
      this.mix(value | 0);
      if (value > 0x7fffffff || value < -0x80000000) this.mix(Math.floor(value / 4294967296) | 0);
    } else this.addText(`\u0000${typeof value}:${String(value)}`);
  }

  endRow(): void {
    this.mix(0x1e);
    this.rows++;
  }

  get rowCount(): number {
    return this.rows;
  }

  /** Always ≥ 0: −1 marks a digest that must never match (see replace-schedule.ts). */
  value(): number {
    return (this.h1 >>> 0) * 2 ** 21 + ((this.h2 >>> 0) >>> 11);
  }
}

/** The digest stored for contacts whose rows must be compared row by row. */
export const UNKNOWN_DIGEST = -1;
