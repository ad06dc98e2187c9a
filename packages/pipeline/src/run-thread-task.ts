import { translateSqliteError } from '@scheduler/db';
import { collectWhenIdle } from './release-memory';
import { backup } from './tasks/backup-task';
import { computeChunk } from './tasks/compute-chunk-task';
import { failRun } from './tasks/fail-run-task';
import { finalizeFullRun } from './tasks/finalize-run-task';
import { pendingChanges } from './tasks/pending-changes-task';
import { planRun } from './tasks/plan-run-task';
import { reschedule } from './tasks/reschedule-task';
import { taskFailureOf } from './task-failure';
import type { ThreadTask, ThreadTaskResult } from './thread-tasks';
import { warmUpThread } from './warm-up';

/** The entry of every compute thread task; failures come back as values (see TaskFailure). */
export const runThreadTask = async (task: ThreadTask): Promise<ThreadTaskResult<ThreadTask>> => {
  collectWhenIdle.taskStarted();
  try {
    return await runTask(task);
  } finally {
    collectWhenIdle.taskEnded();
  }
};

const runTask = async (task: ThreadTask): Promise<ThreadTaskResult<ThreadTask>> => {
  try {
    switch (task.kind) {
      case 'warm-up':
        return warmUpThread();
      case 'plan-run':
        return planRun(task);
      case 'compute-chunk':
        return computeChunk(task);
      case 'finalize-run':
        return finalizeFullRun(task);
      case 'backup':
        return await backup(task);
      case 'reschedule':
        return reschedule(task);
      case 'pending-changes':
        return pendingChanges(task);
      case 'fail-run':
        return failRun(task);
    }
  } catch (error) {
    // A SQLite error that no step translated still names the file it concerns (a read-only file, a full disk).
    return taskFailureOf('files' in task ? translateSqliteError(error, `${task.kind} in ${task.files.databasePath}`) : error);
  }
};
