import { withSortHelperThread } from '../bulk/index-build';
import { suspendIndexes } from '../bulk/suspend-indexes';
import { withDatabaseErrors } from '../connection/database-errors';
import { withCacheSize, type OrganizationDb } from '../connection/open-organization-db';
import { inWriteTransaction } from '../connection/transaction';
import { ScheduleChecksum } from '../runs/schedule-checksum';
import { digestOfRows, DIGESTS_COMPLETE, digestsComplete, UNKNOWN_DIGEST } from './contact-digest';
import { DayCountDeltas } from './day-count-deltas';
import { holdScheduleTriggers } from './schedule-triggers';
import { dropRowsTheSenderTook } from './sender-collisions';
import { contactGroups, type ContactRows } from './contact-groups';
import { blockOf, BlockWriter, deleteBlocksAfter, DIGEST_BLOCK_SIZE, lastIdOfBlock, NO_ENTRIES, StoredBlockReader, updateDigestEntries } from './digest-blocks';
import { RebuildCostModel } from './rebuild-cost-model';
import type { ScheduleRow } from './schedule-row';
import { sameContent } from './schedule-row-content';
import { rowKey, ScheduleStatements } from './schedule-statements';
import { readScheduleTableShape, REBUILD_TABLE, SCHEDULE_TABLE } from './schedule-table-shape';

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
const DIGESTS_COMPLETE_KEY = 'schedule_digest_blocks';

interface Tally {
  contacts: number;
  contactsChanged: number;
  rowsInserted: number;
  rowsUpdated: number;
  rowsDeleted: number;
  rowsKept: number;
  conflictsIgnored: number;
}

const newTally = (): Tally => ({
  contacts: 0,
  contactsChanged: 0,
  rowsInserted: 0,
  rowsUpdated: 0,
  rowsDeleted: 0,
  rowsKept: 0,
  conflictsIgnored: 0,
});

interface DigestedContact extends ContactRows {
  readonly digest: number;
}

const digestContact = (group: ContactRows): DigestedContact => ({
  contactId: group.contactId,
  rows: group.rows,
  digest: digestOfRows(group.rows),
});

/**
 * What a contact's rows in the table are after its write: the new rows but
 * those the sender's keys kept out. Digests and checksums describe the table.
 */
interface WrittenContact {
  readonly digest: number;
  readonly rowCount: number;
  readonly changed: boolean;
}

const writtenContact = (contact: DigestedContact, ignored: number[] | null, changed: boolean): WrittenContact => {
  if (ignored === null) return { digest: contact.digest, rowCount: contact.rows.length, changed };
  const skip = new Set(ignored);
  const kept = contact.rows.filter((_, i) => !skip.has(i));
  return { digest: digestOfRows(kept), rowCount: kept.length, changed };
};

/** Applies the set difference between a contact's stored rows and its new rows. */
const rewriteContact = (statements: ScheduleStatements, runId: string, contact: DigestedContact, tally: Tally): WrittenContact => {
  const stored = new Map(statements.storedRows(contact.contactId).map((row) => [row.key, row]));
  const inserts: number[] = [];
  let ignored: number[] | null = null;
  let changed = false;
  for (let i = 0; i < contact.rows.length; i++) {
    const row = contact.rows[i]!;
    const key = rowKey(row.emailType, row.scheduledSendDate);
    const old = stored.get(key);
    if (old === undefined) {
      inserts.push(i);
      continue;
    }
    stored.delete(key);
    if (sameContent(old.values, 1, row)) {
      tally.rowsKept++;
    } else {
      statements.update(old, row, runId);
      tally.rowsUpdated++;
      changed = true;
    }
  }
  // A stored row of the same type as a new row moves to the new row's date
  // (no remaining stored row holds a new row's key: those matched above).
  const leftovers = [...stored.values()];
  const remaining: number[] = [];
  for (const i of inserts) {
    const row = contact.rows[i]!;
    const sameType = leftovers.findIndex((old) => old.emailType === row.emailType);
    if (sameType === -1) {
      remaining.push(i);
      continue;
    }
    const [old] = leftovers.splice(sameType, 1);
    changed = true;
    if (statements.move(old!, row, runId)) {
      tally.rowsUpdated++;
    } else {
      statements.delete(old!);
      tally.rowsDeleted++;
      tally.conflictsIgnored++;
      (ignored ??= []).push(i);
    }
  }
  // Deletes before inserts: a new row may take a key only a deleted row held.
  for (const old of leftovers) {
    statements.delete(old);
    tally.rowsDeleted++;
    changed = true;
  }
  for (const i of remaining) {
    if (statements.insert(contact.rows[i]!, runId)) {
      tally.rowsInserted++;
      changed = true;
    } else {
      tally.conflictsIgnored++;
      (ignored ??= []).push(i);
    }
  }
  return writtenContact(contact, ignored, changed);
};

/** A contact without a digest has no scheduler rows (see distrustDigestsUnlessComplete): nothing to read. */
const insertContact = (statements: ScheduleStatements, runId: string, contact: DigestedContact, tally: Tally): WrittenContact => {
  let ignored: number[] | null = null;
  for (let i = 0; i < contact.rows.length; i++) {
    if (statements.insert(contact.rows[i]!, runId)) tally.rowsInserted++;
    else {
      tally.conflictsIgnored++;
      (ignored ??= []).push(i);
    }
  }
  return writtenContact(contact, ignored, contact.rows.length > (ignored?.length ?? 0));
};

const deleteContactRows = (statements: ScheduleStatements, contactId: number, tally: Tally): void => {
  for (const old of statements.storedRows(contactId)) {
    statements.delete(old);
    tally.rowsDeleted++;
  }
};

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
const distrustDigestsUnlessComplete = (db: OrganizationDb): void => {
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

/**
 * Starts the rebuild once every contact up to `settledUpToId` is final in the
 * live table: copies the sender's rows and those settled rows into a new
 * table of the same definition, drops the old one and takes its name.
 */
const startRebuild = (db: OrganizationDb, settledUpToId: number): { finish: () => void } => {
  const { sqlite } = db;
  const shape = readScheduleTableShape(sqlite);
  if (shape.rebuildRefusal !== null || shape.rebuildCreateSql === null) {
    throw new Error(`email_schedules cannot be rebuilt: ${shape.rebuildRefusal}`);
  }
  sqlite.exec(`DROP TABLE IF EXISTS ${REBUILD_TABLE}`);
  sqlite.exec(shape.rebuildCreateSql);
  // The contact_id bound and no ORDER BY lead SQLite to the partial index of the
  // sender's rows; ordering by id would make it scan the whole table instead.
  const columns = shape.copiedColumns;
  sqlite.exec(
    `INSERT INTO ${REBUILD_TABLE} (${columns}) SELECT ${columns} FROM ${SCHEDULE_TABLE}
     WHERE contact_id >= -9223372036854775808 AND status NOT IN ('pre-scheduled', 'skipped')`,
  );
  sqlite
    .prepare(
      `INSERT INTO ${REBUILD_TABLE} (${columns}) SELECT ${columns} FROM ${SCHEDULE_TABLE}
       WHERE contact_id <= ? AND +status IN ('pre-scheduled', 'skipped') ORDER BY id`,
    )
    .run(settledUpToId);
  sqlite.exec(`DROP TABLE ${SCHEDULE_TABLE}`);
  // Legacy renaming leaves views and other tables' SQL alone: they name email_schedules, which exists again at once.
  const legacy = sqlite.pragma('legacy_alter_table', { simple: true }) as number;
  sqlite.pragma('legacy_alter_table = ON');
  try {
    sqlite.exec(`ALTER TABLE ${REBUILD_TABLE} RENAME TO ${SCHEDULE_TABLE}`);
  } finally {
    sqlite.pragma(`legacy_alter_table = ${legacy}`);
  }
  for (const sql of shape.uniqueIndexSql) sqlite.exec(sql);
  deleteBlocksAfter(sqlite, blockOf(settledUpToId));
  return {
    finish: () => {
      withSortHelperThread(sqlite, () => {
        for (const sql of shape.laterIndexSql) sqlite.exec(sql);
      });
    },
  };
};

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
        // (rows arrive in its order) or the run id (the same for every new row): the new entries only append.
        // Our triggers are suspended whatever the mode: this commit keeps the day counts itself.
        ourTriggers.suspend();
        const dayCounts = new DayCountDeltas();
        const suspended = nothingStored
          ? suspendIndexes(sqlite, [SCHEDULE_TABLE], { keepUnique: true, keepLeading: ['contact_id', 'scheduler_run_id'] })
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
        writeState(db, DIGESTS_COMPLETE_KEY, DIGESTS_COMPLETE);
        const mode = rebuild !== null ? 'rebuild' : suspended !== null ? 'bulk-insert' : 'incremental';
        return finishSummary(mode, tally, dropped.duplicates, checksum);
      }),
    ),
  );

/**
 * A targeted reschedule's commit (RULES.md §10): the `pre-scheduled`/
 * `skipped` rows of `contactIds` become exactly `rows` (sorted by contact
 * id, each of one of those contacts); every other row stays. The stored rows
 * of these few contacts are always compared row by row.
 */
export const replaceContactsSchedule = (
  db: OrganizationDb,
  runId: string,
  contactIds: Iterable<number>,
  rows: Iterable<ScheduleRow>,
  options: Pick<ReplaceOptions, 'cacheSizeMb'> = {},
): ReplaceSummary => {
  const targets = [...new Set(contactIds)].sort((a, b) => a - b);
  const targetSet = new Set(targets);
  return withDatabaseErrors(`committing reschedule ${runId} to ${db.path}`, () =>
    withCacheSize(db, options.cacheSizeMb ?? 64, () =>
      inWriteTransaction(db, () => {
        const tally = newTally();
        const dropped = { duplicates: 0 };
        const statements = new ScheduleStatements(db.sqlite);
        const digests = new Map<number, readonly [number, number] | null>();
        let next = 0;
        const settle = (contact: DigestedContact): void => {
          tally.contacts++;
          const written = rewriteContact(statements, runId, contact, tally);
          if (written.changed) tally.contactsChanged++;
          digests.set(contact.contactId, written.rowCount === 0 ? null : [written.digest, written.rowCount]);
        };
        const empty = (contactId: number): DigestedContact => ({ contactId, rows: [], digest: 0 });
        for (const group of contactGroups(rows, dropped)) {
          if (!targetSet.has(group.contactId)) {
            throw new RangeError(`row for contact ${group.contactId}, which is not among the rescheduled contacts`);
          }
          while (targets[next]! < group.contactId) settle(empty(targets[next++]!));
          next++;
          settle(digestContact(group));
        }
        while (next < targets.length) settle(empty(targets[next++]!));
        updateDigestEntries(new BlockWriter(db.sqlite), digests);
        dropped.duplicates += dropRowsTheSenderTook(db.sqlite, targets);
        return { mode: 'targeted', ...tally, duplicatesDropped: dropped.duplicates, schedulesChecksum: null };
      }),
    ),
  );
};
