import { createHash, type Hash } from 'node:crypto';

/**
 * sha256 over one line per contact with schedule rows, in contact id order:
 * `contact_id:digest:row_count`, the digest being `ContactDigest` over the
 * contact's rows in key order. Written while committing a run (free) and
 * recomputed by reading the table (`schedulesChecksum`): the same bytes.
 */
export class ScheduleChecksum {
  private readonly hash: Hash = createHash('sha256');
  private lines: string[] = [];

  addContact(contactId: number, digest: number, rowCount: number): void {
    if (rowCount === 0) return;
    this.lines.push(`${contactId}:${digest}:${rowCount}\n`);
    // One native call per few thousand contacts rather than per contact.
    if (this.lines.length >= 4096) this.flush();
  }

  digest(): string {
    this.flush();
    return this.hash.digest('hex');
  }

  private flush(): void {
    if (this.lines.length === 0) return;
    this.hash.update(this.lines.join(''));
    this.lines = [];
  }
}
