import { and, count, desc, eq, notLike } from 'drizzle-orm';
import { schema, type OrganizationDb } from '@scheduler/db';

const { schedulerCheckpoints } = schema;

/** Targeted reschedules' run ids start with it (reschedule-requests.ts names them `reschedule-<organization>-…`). */
const RESCHEDULE_PREFIX = 'reschedule-';

export type RunCheckpoint = typeof schedulerCheckpoints.$inferSelect;

export interface RunRecord extends RunCheckpoint {
  /** completed_at − run_timestamp; null while the run has not ended. */
  readonly durationMs: number | null;
  /** `full` for runs of the whole organization, `reschedule` for targeted ones. */
  readonly kind: 'full' | 'reschedule';
}

/** Milliseconds since the epoch of a contract datetime (`YYYY-MM-DD HH:MM:SS`, UTC), or null. */
export const utcDatetimeMs = (text: string | null): number | null => {
  if (text === null || !/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/.test(text)) return null;
  const ms = Date.parse(`${text.replace(' ', 'T')}Z`);
  return Number.isNaN(ms) ? null : ms;
};

const recordOf = (checkpoint: RunCheckpoint): RunRecord => {
  const started = utcDatetimeMs(checkpoint.runTimestamp);
  const ended = utcDatetimeMs(checkpoint.completedAt);
  return {
    ...checkpoint,
    durationMs: started === null || ended === null ? null : Math.max(0, ended - started),
    kind: checkpoint.schedulerRunId.startsWith(RESCHEDULE_PREFIX) ? 'reschedule' : 'full',
  };
};

/** One run's checkpoint, or null when it has none. */
export const readRunCheckpointOf = (db: OrganizationDb, runId: string): RunCheckpoint | null =>
  db.orm.select().from(schedulerCheckpoints).where(eq(schedulerCheckpoints.schedulerRunId, runId)).get() ?? null;

/** The latest runs, newest first (by checkpoint id: a walk down the primary key, however long the history). */
export const readRecentRuns = (db: OrganizationDb, limit: number): RunRecord[] =>
  db.orm.select().from(schedulerCheckpoints).orderBy(desc(schedulerCheckpoints.id)).limit(limit).all().map(recordOf);

/**
 * The latest completed full run, or null when none ever completed: what says the nightly runs happen. A
 * reschedule of a few contacts since does not count.
 */
export const readLastCompletedRun = (db: OrganizationDb): RunRecord | null => {
  const checkpoint = db.orm
    .select()
    .from(schedulerCheckpoints)
    .where(and(eq(schedulerCheckpoints.status, 'completed'), notLike(schedulerCheckpoints.schedulerRunId, `${RESCHEDULE_PREFIX}%`)))
    .orderBy(desc(schedulerCheckpoints.id))
    .limit(1)
    .get();
  return checkpoint === undefined ? null : recordOf(checkpoint);
};

/** Runs by status (started, completed, failed). */
export const readRunCounts = (db: OrganizationDb): Record<string, number> =>
  Object.fromEntries(
    db.orm
      .select({ status: schedulerCheckpoints.status, runs: count() })
      .from(schedulerCheckpoints)
      .groupBy(schedulerCheckpoints.status)
      .all()
      .map(({ status, runs }) => [status, runs]),
  );
