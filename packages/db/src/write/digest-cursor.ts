import type Database from 'better-sqlite3';

export interface StoredDigest {
  readonly contactId: number;
  readonly digest: number;
  readonly rowCount: number;
}

const PAGE_SIZE = 10_000;

/**
 * Walks `schedule_digests` in contact id order, a page at a time (an open
 * iterator would keep the connection busy and forbid the writes in between).
 */
export class DigestCursor {
  private readonly page: Database.Statement;
  private rows: [number, number, number][] = [];
  private position = 0;
  private afterId = Number.MIN_SAFE_INTEGER;
  private exhausted = false;

  constructor(sqlite: Database.Database) {
    this.page = sqlite
      .prepare(`SELECT contact_id, digest, row_count FROM schedule_digests WHERE contact_id > ? ORDER BY contact_id LIMIT ?`)
      .raw();
  }

  peek(): StoredDigest | null {
    if (this.position >= this.rows.length) {
      if (this.exhausted) return null;
      this.rows = this.page.all(this.afterId, PAGE_SIZE) as [number, number, number][];
      this.position = 0;
      if (this.rows.length < PAGE_SIZE) this.exhausted = true;
      if (this.rows.length === 0) return null;
      this.afterId = this.rows[this.rows.length - 1]![0];
    }
    const [contactId, digest, rowCount] = this.rows[this.position]!;
    return { contactId, digest, rowCount };
  }

  next(): StoredDigest | null {
    const digest = this.peek();
    if (digest !== null) this.position++;
    return digest;
  }
}
