import type { OrganizationDb } from '../connection/open-organization-db';
import { DIGESTS_COMPLETE, digestsComplete, UNKNOWN_DIGEST } from './contact-digest';
import { blockOf, BlockWriter } from './digest-blocks';

/** Where `scheduler_state` records that the digests describe the table: the digest format they were completed in. */
const DIGESTS_COMPLETE_KEY = 'schedule_digest_blocks';

const readState = (db: OrganizationDb, key: string): string | undefined =>
  db.sqlite.prepare(`SELECT value FROM scheduler_state WHERE key = ?`).pluck().get(key) as string | undefined;

const writeState = (db: OrganizationDb, key: string, value: string): void => {
  db.sqlite
    .prepare(`INSERT INTO scheduler_state (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value`)
    .run(key, value);
};

/**
 * Until a full run has committed in this digest format, digests cannot be
 * trusted to describe the table: every contact holding rows gets one that
 * matches nothing.
 */
export const distrustDigestsUnlessComplete = (db: OrganizationDb): void => {
  if (digestsComplete(readState(db, DIGESTS_COMPLETE_KEY))) return;
  const blocks = new Map<number, number[]>();
  const counts = db.sqlite
    .prepare(
      `SELECT contact_id, count(*) FROM email_schedules
       WHERE status IN ('pre-scheduled', 'skipped') GROUP BY contact_id ORDER BY contact_id`,
    )
    .raw();
  for (const [contactId, rowCount] of counts.iterate() as IterableIterator<[number, number]>) {
    const block = blockOf(contactId);
    let entries = blocks.get(block);
    if (entries === undefined) blocks.set(block, (entries = []));
    entries.push(contactId, UNKNOWN_DIGEST, rowCount);
  }
  db.sqlite.exec('DELETE FROM schedule_digest_blocks');
  const writer = new BlockWriter(db.sqlite);
  for (const [block, entries] of blocks) writer.write(block, entries);
};

/** Records that a full run's commit left every contact's digest describing its rows. */
export const markDigestsComplete = (db: OrganizationDb): void => writeState(db, DIGESTS_COMPLETE_KEY, DIGESTS_COMPLETE);
