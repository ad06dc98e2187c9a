import type { FailRunTask } from '../thread-tasks';
import { withPort, withStaging } from './task-resources';

/** Writes down a run that failed for good: its checkpoint and its staged state say `failed`. */
export const failRun = (task: FailRunTask): { recorded: boolean } =>
  withStaging(task.files.stagingPath, (staging) => {
    // A run ends once: a job of it retried by hand afterwards does nothing, or fails (RunOverError), and the run keeps its outcome.
    const status = staging.run(task.runId)?.status;
    if (status === 'failed' || status === 'completed') return { recorded: false };
    withPort(task.files.databasePath, { readonly: false }, (port) => port.failCheckpoint(task.runId, task.error));
    staging.finishRun(task.runId, 'failed', null);
    return { recorded: true };
  });
