import type { FailRunTask } from '../thread-tasks';
import { withPort, withStaging } from './task-resources';

/**
 * Writes down a run that failed for good: its checkpoint and its staged state say `failed`. Recorded is true
 * when the checkpoint said `started` (or there was none) and now says `failed`.
 */
export const failRun = (task: FailRunTask): { recorded: boolean } =>
  withStaging(task.files.stagingPath, (staging) => {
    const staged = staging.run(task.runId)?.status;
    // A run ends once: a job of it retried by hand afterwards does nothing, and the run keeps its outcome. But a file
    // restored from a copy taken while the run was in flight (its own backup) holds its checkpoint as started, which
    // would hold every reschedule back: that checkpoint alone is set failed.
    const ended = staged === 'completed' || staged === 'failed';
    return withPort(task.files.databasePath, { readonly: false }, (port) => {
      const stored = port.checkpointStatus(task.runId);
      // Committed, though the staging file may not have been told (it could not be written): the run completed.
      if (stored === 'completed' || (ended && stored !== 'started')) return { recorded: false };
      port.failCheckpoint(task.runId, task.error);
      if (!ended) staging.finishRun(task.runId, 'failed', null);
      return { recorded: true };
    });
  });
