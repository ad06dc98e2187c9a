/**
 * A 53-bit digest of a contact's schedule rows: two independent 32-bit
 * multiplicative hashes over the rows' values, each value tagged with its
 * kind (null, number, text with its length) so that no two different rows
 * feed the same sequence. A changed contact passes for unchanged with odds
 * near 2^-53. Values are hashed where they lie, without building a text per
 * row: at nine million rows a night, a string per row costs seconds.
 */
export class ContactDigest {
  private h1 = 0x811c9dc5;
  private h2 = 0x2f3a4b1d;
  private rows = 0;

  private mix(code: number): void {
    this.h1 = Math.imul(this.h1 ^ code, 0x01000193);
    const h2 = Math.imul(this.h2 ^ code, 0x5bd1e995);
    this.h2 = h2 ^ (h2 >>> 15);
  }

  addText(text: string): void {
    // Kind and length in one step: `(length << 2) | 2` is never 1 (null) or 3 (number).
    const head = (text.length << 2) | 2;
    let h1 = Math.imul(this.h1 ^ head, 0x01000193);
    let h2 = Math.imul(this.h2 ^ head, 0x5bd1e995);
    h2 ^= h2 >>> 15;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      h1 = Math.imul(h1 ^ c, 0x01000193);
      h2 = Math.imul(h2 ^ c, 0x5bd1e995);
    }
    // Folding the high bits down once per value is enough for the second lane.
    this.h1 = h1;
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
