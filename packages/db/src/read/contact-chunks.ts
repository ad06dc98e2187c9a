import { withDatabaseErrors } from '../connection/database-errors';
import type { OrganizationDb } from '../connection/open-organization-db';

export interface ContactChunk {
  readonly chunkIndex: number;
  /** The chunk's first and last contact id: every contact lies in exactly one chunk's [fromId, toId]. */
  readonly fromId: number;
  readonly toId: number;
  readonly count: number;
}

/**
 * Splits an organization into chunks of `batchSize` contacts by id. SQLite
 * walks the primary key inside one statement per chunk (keyset: each starts
 * after the previous chunk's last id), so JavaScript sees one row per chunk.
 */
export const contactChunks = (db: OrganizationDb, batchSize: number): ContactChunk[] => {
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new RangeError(`batch size must be a positive integer, got ${batchSize}`);
  const next = db.sqlite.prepare(
    `SELECT count(*), min(id), max(id) FROM (SELECT id FROM contacts WHERE id > ? ORDER BY id LIMIT ?)`,
  ).raw();
  const chunks: ContactChunk[] = [];
  let afterId = Number.MIN_SAFE_INTEGER;
  return withDatabaseErrors(`splitting contacts of ${db.path} into chunks`, () => {
    for (;;) {
      const [count, fromId, toId] = next.get(afterId, batchSize) as [number, number | null, number | null];
      if (count === 0 || fromId === null || toId === null) return chunks;
      chunks.push({ chunkIndex: chunks.length, fromId, toId, count });
      afterId = toId;
    }
  });
};
