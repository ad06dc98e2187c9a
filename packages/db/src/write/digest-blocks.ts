import type Database from 'better-sqlite3';

/** Contacts per stored block: 1024 ids, at most 24 KB of (contact_id, digest, row_count) float64 triples. */
export const DIGEST_BLOCK_SIZE = 1024;

export const blockOf = (contactId: number): number => Math.floor(contactId / DIGEST_BLOCK_SIZE);

/** The last contact id a block can hold. */
export const lastIdOfBlock = (block: number): number => (block + 1) * DIGEST_BLOCK_SIZE - 1;

export const NO_ENTRIES = new Float64Array(0);

/** A stored block's triples (a copy: SQLite's buffer need not be 8-byte aligned). */
export const decodeEntries = (bytes: Buffer): Float64Array => {
  const entries = new Float64Array(bytes.byteLength / 8);
  new Uint8Array(entries.buffer).set(bytes);
  return entries;
};

const encodeEntries = (entries: readonly number[]): Buffer => Buffer.from(Float64Array.from(entries).buffer);

export interface StoredBlock {
  readonly block: number;
  readonly entries: Float64Array;
}

const PAGE_BLOCKS = 64;

/**
 * Walks the stored blocks in block order, a page at a time (an open
 * iterator would keep the connection busy and forbid the writes in between).
 */
export class StoredBlockReader {
  private readonly page: Database.Statement;
  private rows: [number, Buffer][] = [];
  private position = 0;
  private afterBlock = Number.MIN_SAFE_INTEGER;
  private exhausted = false;

  constructor(sqlite: Database.Database) {
    this.page = sqlite
      .prepare(`SELECT block, entries FROM schedule_digest_blocks WHERE block > ? ORDER BY block LIMIT ${PAGE_BLOCKS}`)
      .raw();
  }

  /** The next stored block's number, or null when none is left. */
  peekBlock(): number | null {
    if (this.position >= this.rows.length) {
      if (this.exhausted) return null;
      this.rows = this.page.all(this.afterBlock) as [number, Buffer][];
      this.position = 0;
      if (this.rows.length < PAGE_BLOCKS) this.exhausted = true;
      if (this.rows.length === 0) return null;
      this.afterBlock = this.rows[this.rows.length - 1]![0];
    }
    return this.rows[this.position]![0];
  }

  next(): StoredBlock | null {
    if (this.peekBlock() === null) return null;
    const [block, bytes] = this.rows[this.position++]!;
    return { block, entries: decodeEntries(bytes) };
  }
}

/** Writes, replaces and deletes stored blocks. */
export class BlockWriter {
  private readonly upsert: Database.Statement;
  private readonly remove: Database.Statement;
  private readonly select: Database.Statement;

  constructor(sqlite: Database.Database) {
    this.upsert = sqlite.prepare(
      `INSERT INTO schedule_digest_blocks (block, entries) VALUES (?, ?)
       ON CONFLICT (block) DO UPDATE SET entries = excluded.entries`,
    );
    this.remove = sqlite.prepare(`DELETE FROM schedule_digest_blocks WHERE block = ?`);
    this.select = sqlite.prepare(`SELECT entries FROM schedule_digest_blocks WHERE block = ?`).pluck();
  }

  /** Stores a block's triples; an empty block is deleted. */
  write(block: number, entries: readonly number[]): void {
    if (entries.length === 0) this.remove.run(block);
    else this.upsert.run(block, encodeEntries(entries));
  }

  read(block: number): Float64Array {
    const bytes = this.select.get(block) as Buffer | undefined;
    return bytes === undefined ? NO_ENTRIES : decodeEntries(bytes);
  }
}

/**
 * Replaces the entries of some contacts in their blocks (a targeted
 * reschedule): `updates` maps a contact id to its new (digest, row count),
 * or null when it has no rows any more.
 */
export const updateDigestEntries = (
  writer: BlockWriter,
  updates: ReadonlyMap<number, readonly [number, number] | null>,
): void => {
  const byBlock = new Map<number, number[]>();
  for (const contactId of updates.keys()) {
    const block = blockOf(contactId);
    let ids = byBlock.get(block);
    if (ids === undefined) byBlock.set(block, (ids = []));
    ids.push(contactId);
  }
  for (const [block, ids] of byBlock) {
    const merged = new Map<number, readonly [number, number]>();
    const stored = writer.read(block);
    for (let i = 0; i < stored.length; i += 3) merged.set(stored[i]!, [stored[i + 1]!, stored[i + 2]!]);
    for (const id of ids) {
      const update = updates.get(id)!;
      if (update === null || update[1] === 0) merged.delete(id);
      else merged.set(id, update);
    }
    const entries: number[] = [];
    for (const id of [...merged.keys()].sort((a, b) => a - b)) entries.push(id, ...merged.get(id)!);
    writer.write(block, entries);
  }
};
