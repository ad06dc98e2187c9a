import { blob, integer, primaryKey, sqliteTable, text } from 'drizzle-orm/sqlite-core';

/**
 * The staging file sits beside an organization's database, never inside it:
 * chunk results are scratch data the finalizer deletes after its commit, and
 * must not bloat the organization's file, its WAL or its backups.
 */
export const stagedRuns = sqliteTable('staged_runs', {
  runId: text('run_id').primaryKey(),
  organization: text('organization').notNull(),
  asOf: text('as_of').notNull(),
  configJson: text('config_json').notNull(),
  chunkCount: integer('chunk_count').notNull(),
  /** planned | completed | failed */
  status: text('status').notNull(),
  summaryJson: text('summary_json'),
  /** When the run was planned: a run's duration is counted from here. */
  startedAtMs: integer('started_at_ms').notNull(),
  createdAt: text('created_at').notNull(),
  updatedAt: text('updated_at').notNull(),
});

export const stagedChunks = sqliteTable(
  'staged_chunks',
  {
    runId: text('run_id').notNull(),
    chunkIndex: integer('chunk_index').notNull(),
    statsJson: text('stats_json').notNull(),
    /** A chunk's candidate table, encoded by table-codec.ts. */
    table: blob('table', { mode: 'buffer' }).notNull(),
    createdAt: text('created_at').notNull(),
  },
  (table) => [primaryKey({ columns: [table.runId, table.chunkIndex] })],
);

/**
 * A full run's backup, as its finalizer waits for it: `verified` with the start checksums the backup job
 * computed, or `failed` for good with the error. No row: not finished yet.
 */
export const stagedBackups = sqliteTable('staged_backups', {
  runId: text('run_id').primaryKey(),
  /** verified | failed */
  status: text('status').notNull(),
  contactsChecksum: text('contacts_checksum'),
  schedulesBeforeChecksum: text('schedules_before_checksum'),
  path: text('path'),
  bytes: integer('bytes'),
  error: text('error'),
  updatedAt: text('updated_at').notNull(),
});

/**
 * The campaign_change_log rows a full run saw pending when it was planned, before any chunk read the campaign
 * tables: the rows its commit marks processed (RULES.md §10). A table of its own, so that a staging file made
 * before it gets it from `CREATE TABLE IF NOT EXISTS`.
 */
export const stagedChangeLogIds = sqliteTable('staged_change_log_ids', {
  runId: text('run_id').primaryKey(),
  /** A JSON array of ids. */
  idsJson: text('ids_json').notNull(),
});

/**
 * The contact ranges a full run was planned with, one per chunk: a chunk job computes its range only when it is
 * the planned one, so that job data edited by hand (Bull Board) cannot leave contacts out of a commit. A table
 * of its own, for staging files made before it.
 */
export const stagedChunkRanges = sqliteTable('staged_chunk_ranges', {
  runId: text('run_id').primaryKey(),
  /** A JSON array of [fromId, toId], indexed by chunk. */
  rangesJson: text('ranges_json').notNull(),
});

/** The staging file's whole schema; it holds scratch data only, so it is created as it is, never migrated. */
export const STAGING_DDL = [
  `CREATE TABLE IF NOT EXISTS staged_runs (run_id TEXT PRIMARY KEY, organization TEXT NOT NULL, as_of TEXT NOT NULL,
    config_json TEXT NOT NULL, chunk_count INTEGER NOT NULL, status TEXT NOT NULL, summary_json TEXT, started_at_ms INTEGER NOT NULL,
    created_at TEXT NOT NULL, updated_at TEXT NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS staged_chunks (run_id TEXT NOT NULL, chunk_index INTEGER NOT NULL, stats_json TEXT NOT NULL,
    "table" BLOB NOT NULL, created_at TEXT NOT NULL, PRIMARY KEY (run_id, chunk_index))`,
  `CREATE TABLE IF NOT EXISTS staged_backups (run_id TEXT PRIMARY KEY, status TEXT NOT NULL, contacts_checksum TEXT,
    schedules_before_checksum TEXT, path TEXT, bytes INTEGER, error TEXT, updated_at TEXT NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS staged_change_log_ids (run_id TEXT PRIMARY KEY, ids_json TEXT NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS staged_chunk_ranges (run_id TEXT PRIMARY KEY, ranges_json TEXT NOT NULL)`,
];
