import type Database from 'better-sqlite3';

/** Contacts per stored block: 1024 ids, at most 24 KB of (contact_id, digest, row_count) float64 triples. */
export const DIGEST_BLOCK_SIZE = 1024;

export const blockOf = (contactId: number): number => Math.floor(contactId / DIGEST_BLOCK_SIZE);

/** The last contact id a block can hold. */
export const lastIdOfBlock = (block: number): number => (block + 1) * DIGEST_BLOCK_SIZE - 1;

export const NO_ENTRIES = new Float64Array(0);

/** A stored block's triples (a copy: SQLite's buffer need not be 8-byte aligned). */
const decodeEntries = (bytes: Buffer): Float64Array => {
  const entries = new Float64Array(bytes.byteLength / 8);
  new Uint8Array(entries.buffer).set(bytes);
  return entries;
};

const encodeEntries = (entries: ArrayLike<number>): Buffer => Buffer.from(Float64Array.from(entries).buffer);

/*
 * A block changed in a few contacts is not rewritten: its changes go to the
 * block's delta, a row of its own in the same table under the key
 * `block + DELTA_OFFSET` (far below any block a contact id can have), holding
 * (contact_id, digest, row_count) triples that replace the base block's
 * entries of those contacts (row_count 0: the contact has no entry). A
 * 24 KB block spans six pages, and a night that changes 1% of contacts
 * changes about ten contacts of every block: rewriting the blocks dirtied
 * 18k pages of a 3M-contact commit's 122k, the deltas a few hundred.
 * A delta exists only beside its base block; writing a block whole drops
 * its delta. Readers see the base block with its delta applied.
 */
const DELTA_OFFSET = -(2 ** 50);
/** Base blocks lie above this key (contact ids within ±2^53 give blocks within ±2^43); deltas below. */
const BASE_FLOOR = -(2 ** 49);
/** Entries a delta may hold before the block is rewritten whole (3 KB: the delta stays on one page). */
export const DELTA_LIMIT = 128;

const deltaKeyOf = (block: number): number => block + DELTA_OFFSET;

export interface StoredBlock {
  readonly block: number;
  /** The block's entries as they stand: the base with its delta applied. */
  readonly entries: Float64Array;
  /** The base block's entries, as stored. */
  readonly base: Float64Array;
  /** Whether the block has a delta row. */
  readonly hasDelta: boolean;
}

/** The base entries with a delta's triples applied (both in contact order). */
const applyDelta = (base: Float64Array, delta: Float64Array): Float64Array => {
  if (delta.length === 0) return base;
  const merged: number[] = [];
  let i = 0;
  let j = 0;
  while (i < base.length || j < delta.length) {
    if (j >= delta.length || (i < base.length && base[i]! < delta[j]!)) {
      merged.push(base[i]!, base[i + 1]!, base[i + 2]!);
      i += 3;
      continue;
    }
    if (i < base.length && base[i] === delta[j]) i += 3;
    if (delta[j + 2]! > 0) merged.push(delta[j]!, delta[j + 1]!, delta[j + 2]!);
    j += 3;
  }
  return Float64Array.from(merged);
};

/**
 * The delta that turns `base` into `entries` (both in contact order), or
 * null when it would hold more than `limit` triples.
 */
const deltaBetween = (base: Float64Array, entries: ArrayLike<number>, limit: number): number[] | null => {
  const delta: number[] = [];
  let i = 0;
  let j = 0;
  while (i < base.length || j < entries.length) {
    if (j >= entries.length || (i < base.length && base[i]! < entries[j]!)) {
      delta.push(base[i]!, 0, 0);
      i += 3;
    } else if (i >= base.length || entries[j]! < base[i]!) {
      delta.push(entries[j]!, entries[j + 1]!, entries[j + 2]!);
      j += 3;
    } else {
      if (base[i + 1] !== entries[j + 1] || base[i + 2] !== entries[j + 2]) delta.push(entries[j]!, entries[j + 1]!, entries[j + 2]!);
      i += 3;
      j += 3;
    }
    if (delta.length > limit * 3) return null;
  }
  return delta;
};

const PAGE_BLOCKS = 64;

/**
 * Walks the stored blocks in block order, a page at a time (an open
 * iterator would keep the connection busy and forbid the writes in between),
 * each with its delta applied.
 */
export class StoredBlockReader {
  private readonly page: Database.Statement;
  private readonly deltas: Database.Statement;
  private rows: [number, Buffer][] = [];
  private pageDeltas = new Map<number, Buffer>();
  private position = 0;
  private afterBlock = BASE_FLOOR;
  private exhausted = false;

  constructor(sqlite: Database.Database) {
    this.page = sqlite
      .prepare(`SELECT block, entries FROM schedule_digest_blocks WHERE block > ? ORDER BY block LIMIT ${PAGE_BLOCKS}`)
      .raw();
    this.deltas = sqlite.prepare(`SELECT block, entries FROM schedule_digest_blocks WHERE block BETWEEN ? AND ?`).raw();
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
      const deltas = this.deltas.all(deltaKeyOf(this.rows[0]![0]), deltaKeyOf(this.afterBlock)) as [number, Buffer][];
      this.pageDeltas = new Map(deltas.map(([key, bytes]) => [key - DELTA_OFFSET, bytes]));
    }
    return this.rows[this.position]![0];
  }

  next(): StoredBlock | null {
    if (this.peekBlock() === null) return null;
    const [block, bytes] = this.rows[this.position++]!;
    const base = decodeEntries(bytes);
    const delta = this.pageDeltas.get(block);
    return { block, base, entries: delta === undefined ? base : applyDelta(base, decodeEntries(delta)), hasDelta: delta !== undefined };
  }
}

/** Writes, replaces and deletes stored blocks and their deltas. */
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

  /** Stores a block's triples whole (its delta dropped); an empty block is deleted. */
  write(block: number, entries: ArrayLike<number>): void {
    if (entries.length === 0) this.remove.run(block);
    else this.upsert.run(block, encodeEntries(entries));
    this.remove.run(deltaKeyOf(block));
  }

  /**
   * Stores `entries` as the block's new content, as a delta over `base` (the
   * base block as stored) when few contacts differ, else whole.
   * `hadDelta`: whether the block has a delta row now.
   */
  writeOver(block: number, base: Float64Array, hadDelta: boolean, entries: ArrayLike<number>): void {
    const delta = base.length === 0 || entries.length === 0 ? null : deltaBetween(base, entries, DELTA_LIMIT);
    if (delta === null) this.write(block, entries);
    else if (delta.length > 0) this.upsert.run(deltaKeyOf(block), encodeEntries(delta));
    else if (hadDelta) this.remove.run(deltaKeyOf(block));
  }

  /** A block's entries as they stand (its delta applied). */
  read(block: number): Float64Array {
    const bytes = this.select.get(block) as Buffer | undefined;
    if (bytes === undefined) return NO_ENTRIES;
    const delta = this.select.get(deltaKeyOf(block)) as Buffer | undefined;
    return delta === undefined ? decodeEntries(bytes) : applyDelta(decodeEntries(bytes), decodeEntries(delta));
  }
}

/** Deletes the blocks after `block`, with their deltas (a rebuild writes them anew). */
export const deleteBlocksAfter = (sqlite: Database.Database, block: number): void => {
  sqlite
    .prepare(`DELETE FROM schedule_digest_blocks WHERE block > ? OR (block > ? AND block < ?)`)
    .run(block, deltaKeyOf(block), BASE_FLOOR);
};

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
