import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { and, asc, eq } from 'drizzle-orm';
import { drizzle, type BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import { withDatabaseErrors, type ChangeLogId } from '@scheduler/db';
import type { ContactStats } from '../run-stats';
import type { RunSummary } from '../run-summary';
import type { ChunkRange } from '../run-flow';
import { STAGING_DDL, stagedBackups, stagedChangeLogIds, stagedChunkRanges, stagedChunks, stagedRuns } from './staging-schema';

const utcNow = (): string => new Date().toISOString().slice(0, 19).replace('T', ' ');

export interface StagedRun {
  readonly runId: string;
  readonly organization: string;
  readonly asOf: string;
  readonly configJson: string;
  readonly chunkCount: number;
  readonly status: string;
  readonly summary: RunSummary | null;
  readonly startedAtMs: number;
}

/** A chunk's result as the finalizer reads it back. */
export interface StagedChunk {
  readonly chunkIndex: number;
  readonly stats: ContactStats;
  readonly table: Buffer;
}

/** A full run's backup once it is over: verified (with the run's start checksums) or failed for good. */
export type StagedBackup =
  | {
      readonly status: 'verified';
      readonly contactsChecksum: string;
      readonly schedulesBeforeChecksum: string;
      readonly path: string;
      readonly bytes: number;
    }
  | { readonly status: 'failed'; readonly error: string };

/**
 * Where a run's plan and its chunks' results wait, durably, for the finalizer. Its errors name the staging file
 * (a full disk there is not the organization database's).
 */
export class StagingStore {
  private readonly sqlite: Database.Database;
  private readonly orm: BetterSQLite3Database;

  constructor(private readonly path: string) {
    this.sqlite = withDatabaseErrors(`opening the staging file ${path}`, () => {
      mkdirSync(dirname(path), { recursive: true });
      const sqlite = new Database(path);
      try {
        sqlite.pragma('journal_mode = WAL');
        sqlite.pragma('synchronous = NORMAL');
        sqlite.pragma('busy_timeout = 30000');
        for (const statement of STAGING_DDL) sqlite.exec(statement);
      } catch (error) {
        sqlite.close();
        throw error;
      }
      return sqlite;
    });
    this.orm = drizzle(this.sqlite);
  }

  private writing<T>(what: string, work: () => T): T {
    return withDatabaseErrors(`${what} in the staging file ${this.path}`, work);
  }

  /**
   * Records a run's plan: its chunks' contact ranges, and the change-log rows pending before its chunks read
   * anything. A re-plan of the same run starts afresh: its chunks, the rows pending then, and a backup of the
   * file as it is then.
   */
  planRun(
    plan: Omit<StagedRun, 'status' | 'summary' | 'startedAtMs' | 'chunkCount'>,
    chunks: readonly ChunkRange[],
    pendingChangeIds: readonly ChangeLogId[],
  ): void {
    const run = { ...plan, chunkCount: chunks.length };
    this.writing(`planning run ${run.runId}`, () => {
      const now = utcNow();
      this.sqlite.transaction(() => {
        this.orm.delete(stagedChunks).where(eq(stagedChunks.runId, run.runId)).run();
        this.orm.delete(stagedBackups).where(eq(stagedBackups.runId, run.runId)).run();
        const ids = { runId: run.runId, idsJson: JSON.stringify(pendingChangeIds) };
        this.orm.insert(stagedChangeLogIds).values(ids).onConflictDoUpdate({ target: stagedChangeLogIds.runId, set: ids }).run();
        const ranges = { runId: run.runId, rangesJson: JSON.stringify(chunks.map((chunk) => [chunk.fromId, chunk.toId])) };
        this.orm.insert(stagedChunkRanges).values(ranges).onConflictDoUpdate({ target: stagedChunkRanges.runId, set: ranges }).run();
        this.orm
          .insert(stagedRuns)
          .values({ ...run, status: 'planned', summaryJson: null, startedAtMs: Date.now(), createdAt: now, updatedAt: now })
          .onConflictDoUpdate({
            target: stagedRuns.runId,
            set: {
              configJson: run.configJson,
              chunkCount: run.chunkCount,
              asOf: run.asOf,
              status: 'planned',
              summaryJson: null,
              startedAtMs: Date.now(),
              updatedAt: now,
            },
          })
          .run();
      })();
    });
  }

  run(runId: string): StagedRun | null {
    const row = this.orm.select().from(stagedRuns).where(eq(stagedRuns.runId, runId)).get();
    if (row === undefined) return null;
    return {
      runId: row.runId,
      organization: row.organization,
      asOf: row.asOf,
      configJson: row.configJson,
      chunkCount: row.chunkCount,
      status: row.status,
      summary: row.summaryJson === null ? null : (JSON.parse(row.summaryJson) as RunSummary),
      startedAtMs: row.startedAtMs,
    };
  }

  /**
   * The change-log rows the run saw pending when planned; none for a run planned before they were recorded
   * (its pending rows then stay for the poll's reschedules, rather than be marked unseen).
   */
  changeLogIdsSeen(runId: string): ChangeLogId[] {
    const row = this.orm.select().from(stagedChangeLogIds).where(eq(stagedChangeLogIds.runId, runId)).get();
    return row === undefined ? [] : (JSON.parse(row.idsJson) as ChangeLogId[]);
  }

  /** The range a chunk was planned with; undefined for a run planned before ranges were kept. */
  plannedRange(runId: string, chunkIndex: number): ChunkRange | null | undefined {
    const row = this.orm.select().from(stagedChunkRanges).where(eq(stagedChunkRanges.runId, runId)).get();
    if (row === undefined) return undefined;
    const range = (JSON.parse(row.rangesJson) as [number, number][])[chunkIndex];
    return range === undefined ? null : { chunkIndex, fromId: range[0], toId: range[1] };
  }

  /** A retried chunk replaces its own earlier result. */
  saveChunk(runId: string, chunkIndex: number, stats: ContactStats, table: Buffer): void {
    this.writing(`saving chunk ${chunkIndex} of run ${runId}`, () => {
      const values = { runId, chunkIndex, statsJson: JSON.stringify(stats), table, createdAt: utcNow() };
      this.orm
        .insert(stagedChunks)
        .values(values)
        .onConflictDoUpdate({ target: [stagedChunks.runId, stagedChunks.chunkIndex], set: values })
        .run();
    });
  }

  /** The first `bytes` bytes of each of the run's chunk results (SQLite reads the rest, but none of it is copied out). */
  chunkHeads(runId: string, bytes: number): Buffer[] {
    return this.sqlite
      .prepare('SELECT substr("table", 1, ?) FROM staged_chunks WHERE run_id = ? ORDER BY chunk_index')
      .pluck()
      .all(bytes, runId) as Buffer[];
  }

  /** The run's chunk results, one at a time in chunk order, so that no more than one blob is held twice. */
  *chunks(runId: string): Generator<StagedChunk> {
    const indexes = this.orm
      .select({ chunkIndex: stagedChunks.chunkIndex })
      .from(stagedChunks)
      .where(eq(stagedChunks.runId, runId))
      .orderBy(asc(stagedChunks.chunkIndex))
      .all();
    for (const { chunkIndex } of indexes) {
      const row = this.orm
        .select()
        .from(stagedChunks)
        .where(and(eq(stagedChunks.runId, runId), eq(stagedChunks.chunkIndex, chunkIndex)))
        .get();
      if (row !== undefined) yield { chunkIndex, stats: JSON.parse(row.statsJson) as ContactStats, table: row.table };
    }
  }

  /**
   * A run's summary, kept inside its commit's transaction: a finalizer retried after the COMMIT answers with it
   * rather than commit again. The run stays planned until `finishRun`.
   */
  stageSummary(runId: string, summary: RunSummary): void {
    this.writing(`keeping the summary of run ${runId}`, () => {
      this.orm.update(stagedRuns).set({ summaryJson: JSON.stringify(summary), updatedAt: utcNow() }).where(eq(stagedRuns.runId, runId)).run();
    });
  }

  /** The run is over: its chunks are dropped, its outcome kept for whoever asks again. */
  finishRun(runId: string, status: 'completed' | 'failed', summary: RunSummary | null): void {
    this.writing(`recording the end of run ${runId}`, () => {
      this.sqlite.transaction(() => {
        this.orm.delete(stagedChunks).where(eq(stagedChunks.runId, runId)).run();
        this.orm.delete(stagedChunkRanges).where(eq(stagedChunkRanges.runId, runId)).run();
        this.orm
          .update(stagedRuns)
          .set({ status, summaryJson: summary === null ? null : JSON.stringify(summary), updatedAt: utcNow() })
          .where(eq(stagedRuns.runId, runId))
          .run();
      })();
    });
  }

  /** Records a backup's outcome; a later outcome (a backup retried by hand) replaces an earlier one. */
  recordBackup(runId: string, backup: StagedBackup): void {
    this.writing(`recording the backup of run ${runId}`, () => {
      const values =
        backup.status === 'verified'
          ? { runId, ...backup, error: null, updatedAt: utcNow() }
          : { runId, status: backup.status, contactsChecksum: null, schedulesBeforeChecksum: null, path: null, bytes: null, error: backup.error, updatedAt: utcNow() };
      this.orm.insert(stagedBackups).values(values).onConflictDoUpdate({ target: stagedBackups.runId, set: values }).run();
    });
  }

  /** The backup's outcome, or null while it is not over. */
  backup(runId: string): StagedBackup | null {
    const row = this.orm.select().from(stagedBackups).where(eq(stagedBackups.runId, runId)).get();
    if (row === undefined) return null;
    if (row.status === 'verified') {
      return {
        status: 'verified',
        contactsChecksum: row.contactsChecksum ?? '',
        schedulesBeforeChecksum: row.schedulesBeforeChecksum ?? '',
        path: row.path ?? '',
        bytes: row.bytes ?? 0,
      };
    }
    return { status: 'failed', error: row.error ?? 'the backup failed' };
  }

  close(): void {
    if (this.sqlite.open) this.sqlite.close();
  }
}
