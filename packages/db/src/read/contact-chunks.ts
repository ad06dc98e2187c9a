import { withDatabaseErrors } from '../connection/database-errors';
import type { OrganizationDb } from '../connection/open-organization-db';

export interface ContactChunk {
  readonly chunkIndex: number;
  /** The chunk's first and last contact id: every contact (of an id JavaScript holds exactly) lies in exactly one chunk's [fromId, toId]. */
  readonly fromId: number;
  readonly toId: number;
  readonly count: number;
}

/** The ids JavaScript holds exactly. */
const MIN_ID = Number.MIN_SAFE_INTEGER;
const MAX_ID = Number.MAX_SAFE_INTEGER;

/**
 * Splits an organization into chunks of `batchSize` contacts by id. Each
 * chunk starts after the previous one's last id (keyset) and SQLite finds
 * its last id by stepping over `batchSize − 1` rowids, reading no column:
 * JavaScript sees one value per chunk (an aggregate over the chunk's rows
 * cost twice as much, measured at three million contacts).
 *
 * Only ids JavaScript holds exactly (±(2^53 − 1)) are chunked; contacts beyond are counted apart
 * (`rowsBeyondSafeIds`) and skipped, as a bad row is, rather than read under a rounded id.
 */
export const contactChunks = (db: OrganizationDb, batchSize: number): ContactChunk[] => {
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new RangeError(`batch size must be a positive integer, got ${batchSize}`);
  const lowest = db.sqlite.prepare(`SELECT id FROM contacts WHERE id >= ${MIN_ID} ORDER BY id LIMIT 1`).pluck();
  const first = db.sqlite.prepare(`SELECT id FROM contacts WHERE id > ? AND id <= ${MAX_ID} ORDER BY id LIMIT 1`).pluck();
  const last = db.sqlite.prepare(`SELECT id FROM contacts WHERE id >= ? AND id <= ${MAX_ID} ORDER BY id LIMIT 1 OFFSET ?`).pluck();
  const rest = db.sqlite.prepare(`SELECT count(*), max(id) FROM contacts WHERE id >= ? AND id <= ${MAX_ID}`).raw();
  const chunks: ContactChunk[] = [];
  return withDatabaseErrors(`splitting contacts of ${db.path} into chunks`, () => {
    let fromId = lowest.get() as number | undefined;
    if (fromId !== undefined && fromId > MAX_ID) return chunks;
    while (fromId !== undefined) {
      const toId = last.get(fromId, batchSize - 1) as number | undefined;
      if (toId === undefined) {
        const [count, maxId] = rest.get(fromId) as [number, number];
        chunks.push({ chunkIndex: chunks.length, fromId, toId: maxId, count });
        return chunks;
      }
      chunks.push({ chunkIndex: chunks.length, fromId, toId, count: batchSize });
      fromId = first.get(toId) as number | undefined;
    }
    return chunks;
  });
};

export interface RowsBeyondSafeIds {
  readonly count: number;
  /** The first few of their ids, exact (as text). */
  readonly examples: readonly string[];
}

/**
 * Rows whose id JavaScript cannot hold exactly: contacts no chunk covers, campaign instances never read
 * (readCampaignInstances).
 */
export const rowsBeyondSafeIds = (db: OrganizationDb, table: 'contacts' | 'campaign_instances'): RowsBeyondSafeIds =>
  withDatabaseErrors(`counting ${table} of ${db.path} with ids beyond ±(2^53 − 1)`, () => {
    const beyond = `FROM ${table} WHERE id < ${MIN_ID} OR id > ${MAX_ID}`;
    return {
      count: db.sqlite.prepare(`SELECT count(*) ${beyond}`).pluck().get() as number,
      examples: db.sqlite.prepare(`SELECT CAST(id AS TEXT) ${beyond} ORDER BY id LIMIT 5`).pluck().all() as string[],
    };
  });
