import { suspendIndexes } from '../bulk/suspend-indexes';
import { withSortHelperThread } from '../bulk/index-build';
import { withDatabaseErrors } from '../connection/database-errors';
import { withCacheSize, type OrganizationDb } from '../connection/open-organization-db';
import { inWriteTransaction } from '../connection/transaction';
import { ScheduleChecksum } from '../runs/schedule-checksum';
import { digestOfRows } from './contact-digest';
import { contactGroups } from './contact-groups';
import { deleteContactRows, insertContact, newTally, rewriteContact, type Tally, type WrittenContact } from './contact-writes';
import { DayCountDeltas } from './day-count-deltas';
import { distrustDigestsUnlessComplete, markDigestsComplete } from './digest-trust';
import { blockOf, BlockWriter, DIGEST_BLOCK_SIZE, lastIdOfBlock, NO_ENTRIES, StoredBlockReader } from './digest-blocks';
import { RebuildCostModel } from './rebuild-cost-model';
import { startRebuild } from './rebuild-schedule-table';
import type { ScheduleRow } from './schedule-row';
import { ScheduleStatements } from './schedule-statements';
import { holdScheduleTriggers } from './schedule-triggers';
import { dropRowsTheSenderTook } from './sender-collisions';
import { SCHEDULE_TABLE } from './schedule-table-shape';

/*
 * Why the writes are shaped this way (measured on the 2-core machines, see
 * reference/sqlite-floor.md): inserting 9M schedule rows costs 80–90 s, one
 * DELETE of 8M rows 230–340 s, and merely reading 9M rows back 40–60 s. So a
 * run must neither delete-and-reinsert everything nor read the old schedule
 * to find what changed.
 *
 * - `schedule_digest_blocks` holds, per contact, a digest of the rows last
 *   committed (packed 1024 contacts to a row: reading millions of tiny rows
 *   would cost seconds by itself). A full run digests each contact's new rows as they stream by
 *   and touches only contacts whose digest differs: for those it reads the
 *   stored rows and applies the set difference by key (delete, update in
 *   place, insert); an unchanged row is kept as it is (its run id and
 *   timestamps too).
 * - Soundness rests on the contract: only the scheduler writes pre-scheduled
 *   and skipped rows. When the sender moves one of them to its own statuses,
 *   history then blocks that email, so the run's rows for the contact differ
 *   from the digest and the contact is compared row by row. A file whose
 *   digests were never completed by a full run (a first run, a foreign
 *   table) gets an always-different digest for every contact holding rows.
 * - When most of the schedule changes, row-by-row changes cost more than
 *   building the table anew: after a probe of the first rows, if the cost
 *   model says so, the table is rebuilt under its own definition (sender
 *   rows and the rows already settled copied over, the rest inserted with
 *   only the UNIQUE index present, the other indexes built once at the end,
 *   their sorts on a second core: see index-build.ts) and swapped for the
 *   old one. Dropping the old table frees its pages without a per-row
 *   delete.
 * - Everything happens in one transaction: in WAL mode a reader on another
 *   connection sees the previous schedule until the commit, then the new one.
 */

export type ReplaceMode = 'bulk-insert' | 'incremental' | 'rebuild' | 'targeted';

export interface ReplaceOptions {
  /** Page cache for the duration of the write (default 256 MB): index b-trees that fit are written once. */
  readonly cacheSizeMb?: number;
  /** `auto` lets the cost model decide; tests force either way. */
  readonly rebuild?: 'auto' | 'never' | 'always';
  /** New rows seen before deciding whether to rebuild. */
  readonly probeRows?: number;
}

export interface ReplaceSummary {
  readonly mode: ReplaceMode;
  /** Contacts that had or now have rows. */
  readonly contacts: number;
  /** Contacts whose rows changed. */
  readonly contactsChanged: number;
  readonly rowsInserted: number;
  readonly rowsUpdated: number;
  readonly rowsDeleted: number;
  readonly rowsKept: number;
  /** New rows not written because the sender holds a row with the same key. */
  readonly conflictsIgnored: number;
  /** New rows dropped because the run gave one contact two rows with the same key. */
  readonly duplicatesDropped: number;
  /** `schedulesChecksum` of the committed schedule; null for a targeted reschedule, which does not stream it. */
  readonly schedulesChecksum: string | null;
}

// With the sorter of an index build taking as much again, 256 MB keeps a commit under 1 GB of memory.
const DEFAULT_CACHE_SIZE_MB = 256;
const DEFAULT_PROBE_ROWS = 30_000;

const finishSummary = (
  mode: ReplaceMode,
  tally: Tally,
  duplicates: number,
  checksum: ScheduleChecksum,
): ReplaceSummary => ({
  mode,
  ...tally,
  duplicatesDropped: duplicates,
  schedulesChecksum: checksum.digest(),
});

/**
 * A full run's commit (RULES.md §10): after it, the organization's
 * `pre-scheduled`/`skipped` rows are exactly `rows` (sorted by contact id;
 * an iterable, so the run's rows need never all be in memory). Rows of other
 * statuses are never touched. One transaction.
 */
export const replaceOrganizationSchedule = (
  db: OrganizationDb,
  runId: string,
  rows: Iterable<ScheduleRow>,
  options: ReplaceOptions = {},
): ReplaceSummary =>
  withDatabaseErrors(`committing run ${runId} to ${db.path}`, () =>
    withCacheSize(db, options.cacheSizeMb ?? DEFAULT_CACHE_SIZE_MB, () =>
      inWriteTransaction(db, () => {
        distrustDigestsUnlessComplete(db);
        const { sqlite } = db;
        const ourTriggers = holdScheduleTriggers(sqlite);
        const tally = newTally();
        const checksum = new ScheduleChecksum();
        const dropped = { duplicates: 0 };
        const cost = new RebuildCostModel(db, options.rebuild ?? 'auto');
        const probeRows = options.probeRows ?? DEFAULT_PROBE_ROWS;
        const nothingStored = sqlite.prepare('SELECT count(*) FROM schedule_digest_blocks').pluck().get() === 0;
        // Nothing to replace (a first run): the indexes the sorted rows would fill out of order (by status and
        // date) are built once at the end. Kept: UNIQUE (refuses a sender's key), and those led by the contact
        // (rows arrive in its order): the new entries only append.
        // Our triggers are suspended whatever the mode: this commit keeps the day counts itself.
        ourTriggers.suspend();
        const dayCounts = new DayCountDeltas();
        const suspended = nothingStored
          ? suspendIndexes(sqlite, [SCHEDULE_TABLE], { keepUnique: true, keepLeading: ['contact_id'] })
          : null;
        const writer = new BlockWriter(sqlite);
        // A first run's days are recounted at the end: no deltas for its millions of rows.
        let statements = new ScheduleStatements(sqlite, nothingStored ? null : dayCounts);
        let reader: StoredBlockReader | null = nothingStored ? null : new StoredBlockReader(sqlite);
        let rebuild: { finish: () => void } | null = null;
        let rowsSeen = 0;
        let probed = suspended !== null;

        // The block being merged: its stored triples, how far they are consumed, and its new triples.
        let block: number | null = null;
        let stored: Float64Array = NO_ENTRIES;
        // The stored base block (without its delta) and whether it has a delta: a few changes go to the delta.
        let storedBase: Float64Array = NO_ENTRIES;
        let storedHasDelta = false;
        let position = 0;
        // A block's new triples (at most 1024 contacts) in one buffer reused for every block: three million
        // contacts pushed onto growing arrays cost more than the block writes they feed.
        const fresh = new Float64Array(DIGEST_BLOCK_SIZE * 3);
        let freshLength = 0;
        let blockChanged = false;

        const vanish = (contactId: number, rowCount: number): void => {
          deleteContactRows(statements, contactId, tally);
          tally.contacts++;
          tally.contactsChanged++;
          cost.observe(true, 0, rowCount);
          blockChanged = true;
        };
        const vanishStoredBlock = (storedBlock: { block: number; entries: Float64Array }): void => {
          for (let i = 0; i < storedBlock.entries.length; i += 3) vanish(storedBlock.entries[i]!, storedBlock.entries[i + 2]!);
          writer.write(storedBlock.block, []);
        };
        const finishBlock = (last: boolean): void => {
          if (block === null) return;
          for (; position < stored.length; position += 3) vanish(stored[position]!, stored[position + 2]!);
          if (blockChanged || freshLength !== stored.length) writer.writeOver(block, storedBase, storedHasDelta, fresh.subarray(0, freshLength));
          if (!last && !probed && rowsSeen >= probeRows) {
            probed = true;
            if (cost.favoursRebuild()) {
              rebuild = startRebuild(db, lastIdOfBlock(block));
              statements = new ScheduleStatements(sqlite);
              reader = null;
            }
          }
        };
        const enterBlock = (next: number): void => {
          finishBlock(false);
          while (reader !== null && reader.peekBlock() !== null && reader.peekBlock()! < next) vanishStoredBlock(reader.next()!);
          block = next;
          const storedBlock = reader !== null && reader.peekBlock() === next ? reader.next()! : null;
          stored = storedBlock?.entries ?? NO_ENTRIES;
          storedBase = storedBlock?.base ?? NO_ENTRIES;
          storedHasDelta = storedBlock?.hasDelta ?? false;
          position = 0;
          freshLength = 0;
          blockChanged = false;
        };

        const keep = (contactId: number, digest: number, rowCount: number): void => {
          fresh[freshLength] = contactId;
          fresh[freshLength + 1] = digest;
          fresh[freshLength + 2] = rowCount;
          freshLength += 3;
          checksum.addContact(contactId, digest, rowCount);
        };

        for (const group of contactGroups(rows, dropped)) {
          const { contactId } = group;
          const digest = digestOfRows(group.rows);
          const rowCount = group.rows.length;
          rowsSeen += rowCount;
          tally.contacts++;
          if (blockOf(contactId) !== block) enterBlock(blockOf(contactId));
          for (; position < stored.length && stored[position]! < contactId; position += 3) {
            vanish(stored[position]!, stored[position + 2]!);
          }
          let written: WrittenContact;
          let storedRows = 0;
          if (position < stored.length && stored[position] === contactId) {
            const storedDigest = stored[position + 1]!;
            storedRows = stored[position + 2]!;
            position += 3;
            if (storedDigest === digest && storedRows === rowCount) {
              // Most contacts of a night: nothing to write, and nothing allocated for them.
              tally.rowsKept += rowCount;
              keep(contactId, digest, rowCount);
              cost.observe(false, rowCount, storedRows);
              continue;
            }
            written = rewriteContact(statements, runId, { contactId, rows: group.rows, digest }, tally);
            if (written.digest !== storedDigest || written.rowCount !== storedRows) blockChanged = true;
          } else {
            written = insertContact(statements, runId, { contactId, rows: group.rows, digest }, tally);
            blockChanged = true;
          }
          if (written.changed) tally.contactsChanged++;
          if (written.rowCount > 0) keep(contactId, written.digest, written.rowCount);
          cost.observe(written.changed, rowCount, storedRows);
        }
        finishBlock(true);
        while (reader !== null && reader.peekBlock() !== null) vanishStoredBlock(reader.next()!);
        (rebuild as { finish: () => void } | null)?.finish();
        if (suspended !== null) withSortHelperThread(sqlite, suspended.restore);
        // Millions of rows written (or the table rebuilt): one recount beats gathering deltas for each.
        ourTriggers.restore(rebuild === null && suspended === null ? dayCounts : null);
        // With the triggers back: the day counts follow, and the contacts are recorded as touched for the next run.
        dropped.duplicates += dropRowsTheSenderTook(sqlite, ourTriggers.touchedContacts);
        markDigestsComplete(db);
        const mode = rebuild !== null ? 'rebuild' : suspended !== null ? 'bulk-insert' : 'incremental';
        return finishSummary(mode, tally, dropped.duplicates, checksum);
      }),
    ),
  );
