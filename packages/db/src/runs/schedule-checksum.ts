import { createHash, type Hash } from 'node:crypto';

const CONTACTS_PER_UPDATE = 4096;

/**
 * sha256 over one (contact_id, digest, row_count) float64 triple per contact
 * with schedule rows, in contact id order, the digest being `ContactDigest`
 * over the contact's rows in key order. Written while committing a run
 * (free) and recomputed by reading the table (`schedulesChecksum`): the same
 * bytes. Numbers, not text: one small copy per contact, one native call per
 * few thousand.
 */
export class ScheduleChecksum {
  private readonly hash: Hash = createHash('sha256');
  private readonly buffer = new Float64Array(CONTACTS_PER_UPDATE * 3);
  private length = 0;

  addContact(contactId: number, digest: number, rowCount: number): void {
    if (rowCount === 0) return;
    this.buffer[this.length] = contactId;
    this.buffer[this.length + 1] = digest;
    this.buffer[this.length + 2] = rowCount;
    this.length += 3;
    if (this.length === this.buffer.length) this.flush();
  }

  digest(): string {
    this.flush();
    return this.hash.digest('hex');
  }

  private flush(): void {
    if (this.length === 0) return;
    this.hash.update(new Uint8Array(this.buffer.buffer, 0, this.length * 8));
    this.length = 0;
  }
}
