import { and, eq } from 'drizzle-orm';
import { withDatabaseErrors } from '../connection/database-errors';
import type { OrganizationDb } from '../connection/open-organization-db';
import { schedulerCheckpoints } from '../schema';
import { contactsChecksum, schedulesChecksum } from './checksums';
import { readInputGeneration } from './input-generation';
import { utcDatetime } from './utc-datetime';

export type RunCheckpoint = typeof schedulerCheckpoints.$inferSelect;

export interface CheckpointStart {
  readonly runId: string;
  readonly runAt?: Date;
  /**
   * The checksums the row records (a null schedules checksum: not known yet); by default the whole
   * file's, a read of every contact and every scheduler row.
   */
  readonly checksums?: () => { readonly contactsChecksum: string; readonly schedulesBeforeChecksum: string | null };
}

/**
 * Records a run as `started`, with the checksum of the contacts it reads and
 * of the schedule it will replace. Restarting a run id (a retry, a rerun)
 * starts its row afresh.
 */
export const startRunCheckpoint = (db: OrganizationDb, start: CheckpointStart): RunCheckpoint =>
  withDatabaseErrors(`starting checkpoint of run ${start.runId} in ${db.path}`, () => {
    // Before the checksums: a change made while they are read moves the generation past the recorded one.
    const inputGeneration = readInputGeneration(db);
    const checksums = start.checksums?.() ?? { contactsChecksum: contactsChecksum(db), schedulesBeforeChecksum: schedulesChecksum(db) };
    const values = {
      runTimestamp: utcDatetime(start.runAt ?? new Date()),
      schedulerRunId: start.runId,
      ...checksums,
      schedulesAfterChecksum: null,
      contactsProcessed: null,
      emailsScheduled: null,
      emailsSkipped: null,
      status: 'started',
      errorMessage: null,
      completedAt: null,
      inputGeneration,
    };
    return db.orm
      .insert(schedulerCheckpoints)
      .values(values)
      .onConflictDoUpdate({ target: schedulerCheckpoints.schedulerRunId, set: values })
      .returning()
      .get();
  });

export interface CheckpointCompletion {
  readonly contactsProcessed: number;
  readonly emailsScheduled: number;
  readonly emailsSkipped: number;
  /** As returned by the commit (`ReplaceSummary.schedulesChecksum`); computed from the file when not given. */
  readonly schedulesAfterChecksum?: string | null;
  readonly completedAt?: Date;
  /** Replaces the generation recorded at the start (a full run's, moved by its own commit). */
  readonly inputGeneration?: number | null;
}

export const completeRunCheckpoint = (db: OrganizationDb, runId: string, completion: CheckpointCompletion): void =>
  withDatabaseErrors(`completing checkpoint of run ${runId} in ${db.path}`, () => {
    db.orm
      .update(schedulerCheckpoints)
      .set({
        status: 'completed',
        contactsProcessed: completion.contactsProcessed,
        emailsScheduled: completion.emailsScheduled,
        emailsSkipped: completion.emailsSkipped,
        schedulesAfterChecksum: completion.schedulesAfterChecksum ?? schedulesChecksum(db),
        completedAt: utcDatetime(completion.completedAt ?? new Date()),
        errorMessage: null,
        ...(completion.inputGeneration === undefined ? {} : { inputGeneration: completion.inputGeneration }),
      })
      .where(eq(schedulerCheckpoints.schedulerRunId, runId))
      .run();
  });

/**
 * Marks a run failed while it is still started. Not once it completed: a job of the run may fail for good
 * after the commit (a finalizer or backup handed back once too often), and the committed schedule is the run's.
 * Not once it failed: the first error is why it failed (a job of the run left over in the queue fails later,
 * for want of the run).
 */
export const failRunCheckpoint = (db: OrganizationDb, runId: string, errorMessage: string, at = new Date()): void =>
  withDatabaseErrors(`failing checkpoint of run ${runId} in ${db.path}`, () => {
    db.orm
      .update(schedulerCheckpoints)
      .set({ status: 'failed', errorMessage, completedAt: utcDatetime(at) })
      .where(and(eq(schedulerCheckpoints.schedulerRunId, runId), eq(schedulerCheckpoints.status, 'started')))
      .run();
  });

export const readRunCheckpoint = (db: OrganizationDb, runId: string): RunCheckpoint | undefined =>
  withDatabaseErrors(`reading checkpoint of run ${runId} in ${db.path}`, () =>
    db.orm.select().from(schedulerCheckpoints).where(eq(schedulerCheckpoints.schedulerRunId, runId)).get(),
  );
