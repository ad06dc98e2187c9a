import type { FailRunTask } from '../thread-tasks';
import { withPort, withStaging } from './task-resources';

/**
 * Writes down a run that failed for good: its checkpoint and its staged state say `failed`. Recorded is true
 * when the checkpoint said `started` (or there was none) and now says `failed`.
 */
export const failRun = (task: FailRunTask): { recorded: boolean } =>
  withStaging(task.files.stagingPath, (staging) => {
    const staged = staging.run(task.runId)?.status;
    if (staged === 'completed' || staged === 'failed') {
      // A run ends once: a job of it retried by hand afterwards does nothing, and the run keeps its outcome. But a
      // file restored from a copy taken while the run was in flight (its own backup) holds its checkpoint as
      // started, which would hold every reschedule back: that checkpoint alone is set failed.
      return withPort(task.files.databasePath, { readonly: false }, (port) => {
        if (port.checkpointStatus(task.runId) !== 'started') return { recorded: false };
        port.failCheckpoint(task.runId, task.error);
        return { recorded: true };
      });
    }
    return withPort(task.files.databasePath, { readonly: false }, (port) => {
      // Committed, but the staging file was not told (it could not be written): the run completed.
      if (port.checkpointStatus(task.runId) === 'completed') return { recorded: false };
      port.failCheckpoint(task.runId, task.error);
      staging.finishRun(task.runId, 'failed', null);
      return { recorded: true };
    });
  });
