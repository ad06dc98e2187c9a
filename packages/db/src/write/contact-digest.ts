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
 * format are never trusted (see digest-trust.ts). Format 1 hashed every
 * text's characters into the row's lanes.
 */
const DIGEST_FORMAT = 2;

/**
 * scheduler_state's value under `schedule_digest_blocks` once a full run has
 * written every contact's digest in this format, in blocks that may carry
 * deltas (digest-blocks.ts). Code from before deltas reads any other value
 * than its own as "distrust every digest", so it never misreads a delta.
 */
export const DIGESTS_COMPLETE = `complete-v${DIGEST_FORMAT}-deltas`;

/**
 * Whether the stored marker lets digests be trusted: ours, or the same
 * format written before deltas existed (whole blocks only). Any other value
 * (format 1 wrote `complete`) leaves every stored digest distrusted.
 */
export const digestsComplete = (marker: unknown): boolean =>
  marker === DIGESTS_COMPLETE || marker === `complete-v${DIGEST_FORMAT}`;

const P1 = 0x01000193;
const P2 = 0x5bd1e995;

/*
 * The remembered texts: a direct-mapped table indexed by length and a few
 * characters (for a `YYYY-MM-DD` date: the year's last digit, the month and
 * the day, so that a night's few hundred dates do not evict each other). A
 * slot compares by `===` (a pointer check when the row reuses the same
 * string object, a short comparison otherwise); a miss hashes the characters
 * and takes the slot. Only a speed-up: the hash of a text never depends on
 * the table.
 */
const SLOT_BITS = 14;
const SLOTS = 1 << SLOT_BITS;
const slotTexts: (string | undefined)[] = new Array<string | undefined>(SLOTS).fill(undefined);
const slotHashes = new Int32Array(SLOTS * 2);

const slotOf = (text: string): number => {
  const length = text.length;
  if (length < 4) return length === 0 ? 0 : (length * 31 + text.charCodeAt(0) * 131 + text.charCodeAt(length - 1)) & (SLOTS - 1);
  let h = Math.imul(length, 0x9e3779b1) ^ text.charCodeAt(length - 1);
  h = Math.imul(h, 0x85ebca6b) ^ text.charCodeAt(length - 2);
  h = Math.imul(h, 0x9e3779b1) ^ text.charCodeAt(length - 4);
  h = Math.imul(h, 0x85ebca6b) ^ text.charCodeAt(length - 5);
  h = Math.imul(h, 0x9e3779b1) ^ text.charCodeAt(length - 7);
  h = Math.imul(h, 0x85ebca6b) ^ text.charCodeAt(length >> 2);
  return Math.imul(h, 0xc2b2ae35) >>> (32 - SLOT_BITS);
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

/** The text's slot, holding its hash (index into `slotHashes` is twice the slot). */
const textSlot = (text: string): number => {
  const slot = slotOf(text);
  if (slotTexts[slot] !== text) hashTextInto(text, slot);
  return slot;
};

/** A digest's two lanes, in their starting state. */
const START1 = 0x811c9dc5 | 0;
const START2 = 0x2f3a4b1d;

/** The digest's value of its two lanes (see ContactDigest.value). */
const valueOf = (h1: number, h2: number): number => (h1 >>> 0) * 2 ** 21 + ((h2 >>> 0) >>> 11);

/**
 * The fields of a row as the fast path digests them (ScheduleRow's compared
 * fields: see schedule-row-content.ts, which feeds the same sequence to a
 * ContactDigest).
 */
export interface DigestibleRow {
  readonly emailType: string;
  readonly eventYear: number | null;
  readonly eventMonth: number | null;
  readonly eventDay: number | null;
  readonly scheduledSendDate: string;
  readonly scheduledSendTime: string | null;
  readonly status: string;
  readonly skipReason: string | null;
  readonly priority: number | null;
  readonly campaignInstanceId: number | null;
  readonly emailTemplate: string | null;
  readonly smsTemplate: string | null;
  readonly metadata: string | null;
}

const isSmallInteger = (value: number): boolean => value >= 0 && value < 0x20000000 && (value | 0) === value;

/*
 * The lanes' codes of the texts last seen per (row position in its contact,
 * field): a contact's rows come in key order, so the row at a position
 * usually repeats the type, status, time, templates and reason of the row at
 * that position of the contact before. A hit costs a `===` (a pointer check
 * when the text is the same string object); only the rest go to the slots.
 * Dates take the slots directly (they change from contact to contact).
 */
const POSITIONS = 8;
const TEXT_FIELDS = 7;
const recentTexts: (string | null | undefined)[] = new Array<string | null | undefined>(POSITIONS * TEXT_FIELDS).fill(undefined);
const recentCodes = new Int32Array(POSITIONS * TEXT_FIELDS * 2);

/** Makes recentCodes[at * 2], recentCodes[at * 2 + 1] the codes of `text` (null: 1 and 1). */
const remember = (text: string | null, at: number): void => {
  if (recentTexts[at] === text) return;
  recentTexts[at] = text;
  if (text === null) {
    recentCodes[at * 2] = 1;
    recentCodes[at * 2 + 1] = 1;
  } else {
    const s = textSlot(text) << 1;
    recentCodes[at * 2] = slotHashes[s]!;
    recentCodes[at * 2 + 1] = slotHashes[s + 1]!;
  }
};

/**
 * `ContactDigest` over `rows` (each fed as digestRow does, then endRow), in
 * one function with the lanes in locals: the same value, in a fraction of
 * the time (nine million rows a night go through here). Values outside the
 * common kinds (a large or fractional number, a non-string where text is
 * expected) take ContactDigest's own path for that row.
 */
export const digestOfRows = (rows: readonly DigestibleRow[]): number => {
  let h1 = START1;
  let h2 = START2;
  for (let r = 0; r < rows.length; r++) {
    const row = rows[r]!;
    const y = row.eventYear;
    const m = row.eventMonth;
    const d = row.eventDay;
    const p = row.priority;
    const c = row.campaignInstanceId;
    if (
      typeof row.emailType !== 'string' ||
      typeof row.scheduledSendDate !== 'string' ||
      typeof row.status !== 'string' ||
      !(y === null || isSmallInteger(y)) ||
      !(m === null || isSmallInteger(m)) ||
      !(d === null || isSmallInteger(d)) ||
      !(p === null || isSmallInteger(p)) ||
      !(c === null || isSmallInteger(c))
    ) {
      const digest = ContactDigest.resumed(h1, h2);
      digest.addText(row.emailType);
      digest.addIntegerOrNull(y);
      digest.addIntegerOrNull(m);
      digest.addIntegerOrNull(d);
      digest.addText(row.scheduledSendDate);
      digest.addTextOrNull(row.scheduledSendTime);
      digest.addText(row.status);
      digest.addTextOrNull(row.skipReason);
      digest.addIntegerOrNull(p);
      digest.addIntegerOrNull(c);
      digest.addTextOrNull(row.emailTemplate);
      digest.addTextOrNull(row.smsTemplate);
      digest.addTextOrNull(row.metadata);
      digest.endRow();
      h1 = digest.lane1;
      h2 = digest.lane2;
      continue;
    }
    const base = (r < POSITIONS ? r : POSITIONS - 1) * TEXT_FIELDS;
    let code: number;
    // The lanes' steps are written out: TurboFan stops inlining calls in a function this long.
    if (recentTexts[base] !== row.emailType) remember(row.emailType, base);
    h1 = Math.imul(h1 ^ recentCodes[base * 2]!, P1);
    h1 ^= h1 >>> 13;
    h2 = Math.imul(h2 ^ recentCodes[base * 2 + 1]!, P2);
    h2 ^= h2 >>> 15;
    code = y === null ? 1 : (y << 2) | 3;
    h1 = Math.imul(h1 ^ code, P1);
    h1 ^= h1 >>> 13;
    h2 = Math.imul(h2 ^ code, P2);
    h2 ^= h2 >>> 15;
    code = m === null ? 1 : (m << 2) | 3;
    h1 = Math.imul(h1 ^ code, P1);
    h1 ^= h1 >>> 13;
    h2 = Math.imul(h2 ^ code, P2);
    h2 ^= h2 >>> 15;
    code = d === null ? 1 : (d << 2) | 3;
    h1 = Math.imul(h1 ^ code, P1);
    h1 ^= h1 >>> 13;
    h2 = Math.imul(h2 ^ code, P2);
    h2 ^= h2 >>> 15;
    const s = textSlot(row.scheduledSendDate) << 1;
    h1 = Math.imul(h1 ^ slotHashes[s]!, P1);
    h1 ^= h1 >>> 13;
    h2 = Math.imul(h2 ^ slotHashes[s + 1]!, P2);
    h2 ^= h2 >>> 15;
    if (recentTexts[base + 1] !== row.scheduledSendTime) remember(row.scheduledSendTime, base + 1);
    h1 = Math.imul(h1 ^ recentCodes[(base + 1) * 2]!, P1);
    h1 ^= h1 >>> 13;
    h2 = Math.imul(h2 ^ recentCodes[(base + 1) * 2 + 1]!, P2);
    h2 ^= h2 >>> 15;
    if (recentTexts[base + 2] !== row.status) remember(row.status, base + 2);
    h1 = Math.imul(h1 ^ recentCodes[(base + 2) * 2]!, P1);
    h1 ^= h1 >>> 13;
    h2 = Math.imul(h2 ^ recentCodes[(base + 2) * 2 + 1]!, P2);
    h2 ^= h2 >>> 15;
    if (recentTexts[base + 3] !== row.skipReason) remember(row.skipReason, base + 3);
    h1 = Math.imul(h1 ^ recentCodes[(base + 3) * 2]!, P1);
    h1 ^= h1 >>> 13;
    h2 = Math.imul(h2 ^ recentCodes[(base + 3) * 2 + 1]!, P2);
    h2 ^= h2 >>> 15;
    code = p === null ? 1 : (p << 2) | 3;
    h1 = Math.imul(h1 ^ code, P1);
    h1 ^= h1 >>> 13;
    h2 = Math.imul(h2 ^ code, P2);
    h2 ^= h2 >>> 15;
    code = c === null ? 1 : (c << 2) | 3;
    h1 = Math.imul(h1 ^ code, P1);
    h1 ^= h1 >>> 13;
    h2 = Math.imul(h2 ^ code, P2);
    h2 ^= h2 >>> 15;
    if (recentTexts[base + 4] !== row.emailTemplate) remember(row.emailTemplate, base + 4);
    h1 = Math.imul(h1 ^ recentCodes[(base + 4) * 2]!, P1);
    h1 ^= h1 >>> 13;
    h2 = Math.imul(h2 ^ recentCodes[(base + 4) * 2 + 1]!, P2);
    h2 ^= h2 >>> 15;
    if (recentTexts[base + 5] !== row.smsTemplate) remember(row.smsTemplate, base + 5);
    h1 = Math.imul(h1 ^ recentCodes[(base + 5) * 2]!, P1);
    h1 ^= h1 >>> 13;
    h2 = Math.imul(h2 ^ recentCodes[(base + 5) * 2 + 1]!, P2);
    h2 ^= h2 >>> 15;
    if (recentTexts[base + 6] !== row.metadata) remember(row.metadata, base + 6);
    h1 = Math.imul(h1 ^ recentCodes[(base + 6) * 2]!, P1);
    h1 ^= h1 >>> 13;
    h2 = Math.imul(h2 ^ recentCodes[(base + 6) * 2 + 1]!, P2);
    h2 ^= h2 >>> 15;
    h1 = Math.imul(h1 ^ 0x1e, P1);
    h1 ^= h1 >>> 13;
    h2 = Math.imul(h2 ^ 0x1e, P2);
    h2 ^= h2 >>> 15;
  }
  return valueOf(h1, h2);
};

export class ContactDigest {
  private h1 = START1;
  private h2 = START2;
  private rows = 0;

  /** A digest continuing from the given lanes (digestOfRows' path for unusual values). */
  static resumed(h1: number, h2: number): ContactDigest {
    const digest = new ContactDigest();
    digest.h1 = h1;
    digest.h2 = h2;
    return digest;
  }

  get lane1(): number {
    return this.h1;
  }

  get lane2(): number {
    return this.h2;
  }

  private mix(code: number): void {
    const h1 = Math.imul(this.h1 ^ code, P1);
    this.h1 = h1 ^ (h1 >>> 13);
    const h2 = Math.imul(this.h2 ^ code, P2);
    this.h2 = h2 ^ (h2 >>> 15);
  }

  addText(text: string): void {
    const slot = textSlot(text);
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

  /** Always ≥ 0: −1 marks a digest that must never match (see digest-trust.ts). */
  value(): number {
    return valueOf(this.h1, this.h2);
  }
}

/** The digest stored for contacts whose rows must be compared row by row. */
export const UNKNOWN_DIGEST = -1;
