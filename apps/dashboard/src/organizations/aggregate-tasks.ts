import type { Config } from '@scheduler/core';
import { openOrganizationDb, type OrganizationDb } from '@scheduler/db';
import { readEmailCounts, type EmailCount } from './email-counts';
import { readRunCounts } from './run-history';
import { readScheduleVolume, type ScheduleVolume } from './schedule-volume';
import { readSkipSummary, type SkipCount } from './skip-summary';

/**
 * The reads that walk a whole schedule (seconds on a 3M-contact database),
 * run on a thread of their own so that pages, health checks and Bull Board
 * keep answering meanwhile. Tasks and results cross threads as plain data.
 */
export type AggregateTask =
  | { readonly kind: 'volume'; readonly path: string; readonly firstDay: number; readonly dayCount: number; readonly config: Config }
  | { readonly kind: 'skips'; readonly path: string }
  | { readonly kind: 'email-counts'; readonly path: string }
  | { readonly kind: 'run-counts'; readonly path: string };

export interface AggregateResults {
  volume: ScheduleVolume;
  skips: SkipCount[];
  'email-counts': EmailCount[];
  'run-counts': Record<string, number>;
}

export type AggregateResult<Task extends AggregateTask> = AggregateResults[Task['kind']];

/** One task's read on an open connection. */
export const readAggregate = <Task extends AggregateTask>(db: OrganizationDb, task: Task): AggregateResult<Task> =>
  readAny(db, task) as AggregateResult<Task>;

const readAny = (db: OrganizationDb, task: AggregateTask): AggregateResults[AggregateTask['kind']] => {
  switch (task.kind) {
    case 'volume':
      return readScheduleVolume(db, task.firstDay, task.dayCount, task.config);
    case 'skips':
      return readSkipSummary(db);
    case 'email-counts':
      return readEmailCounts(db);
    case 'run-counts':
      return readRunCounts(db);
  }
};

/** Runs one task on its own read-only connection (a thread shares none with the main one). */
export const runAggregateTask = (task: AggregateTask): AggregateResults[AggregateTask['kind']] => {
  const db = openOrganizationDb(task.path, { readonly: true, cacheSizeMb: 32 });
  try {
    return readAny(db, task);
  } finally {
    db.close();
  }
};
