/*
 * Runs the fleet's compute-thread tasks in the test's own thread (no queue, no Redis): the same code the
 * fleet's threads run, in the order a flow runs them.
 */
import { runThreadTask } from '../../src/run-thread-task';
import { isTaskFailure, type OrganizationFiles, type TaskFailure, type ThreadTask, type ThreadTaskResult } from '../../src/thread-tasks';

/** A task's result; a failure is thrown. */
export const runTask = async <T extends ThreadTask>(task: T): Promise<Exclude<ThreadTaskResult<T>, TaskFailure>> => {
  const result = await runThreadTask(task);
  if (isTaskFailure(result)) throw new Error(`${task.kind} failed: ${result.name}: ${result.message}`);
  return result as Exclude<ThreadTaskResult<T>, TaskFailure>;
};

export const silentLog = (files: OrganizationFiles, runId: string) => ({ runId, organization: files.organization, level: 'silent', toStderr: false });

/** A full run's tasks up to its finalizer, as workers run them: planned, its chunks computed (`afterChunks` then acts), its backup taken. */
export const computeThroughTasks = async (files: OrganizationFiles, runId: string, asOf: string, afterChunks = (): void => {}): Promise<void> => {
  const log = silentLog(files, runId);
  const planned = await runTask({ kind: 'plan-run', files, runId, stableRunId: runId, asOf, configJson: '{}', rerun: false, log });
  if (planned.status !== 'planned') throw new Error(`run ${runId} was not planned: ${planned.status}`);
  for (const chunk of planned.chunks) await runTask({ kind: 'compute-chunk', files, runId, chunk, log });
  afterChunks();
  await runTask({ kind: 'backup', files, runId, log });
};

/** A full run through its tasks; `afterChunks` acts between its chunks and its finalizer. Resolves to its summary. */
export const fullRunThroughTasks = async (files: OrganizationFiles, runId: string, asOf: string, afterChunks = (): void => {}) => {
  await computeThroughTasks(files, runId, asOf, afterChunks);
  return runTask({ kind: 'finalize-run', files, runId, log: silentLog(files, runId) });
};
