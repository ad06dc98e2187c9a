/**
 * A 53-bit digest of a contact's schedule rows: two independent 32-bit
 * multiplicative hashes over the rows' texts, so that a changed contact
 * passes for unchanged with odds near 2^-53. Plain JavaScript: one native
 * hash object per contact costs more than the hashing itself.
 */
export class ContactDigest {
  private h1 = 0x811c9dc5;
  private h2 = 0x2f3a4b1d;
  private rows = 0;

  addRow(text: string): void {
    let h1 = this.h1;
    let h2 = this.h2;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      h1 = Math.imul(h1 ^ c, 0x01000193);
      h2 = Math.imul(h2 ^ c, 0x5bd1e995);
      h2 ^= h2 >>> 15;
    }
    // A row boundary, so that moving text between rows changes the digest.
    this.h1 = Math.imul(h1 ^ 10, 0x01000193);
    this.h2 = Math.imul(h2 ^ 10, 0x5bd1e995);
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
