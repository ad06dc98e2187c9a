import { UnrecoverableError } from 'bullmq';
import { isTaskFailure, type TaskFailure } from './thread-tasks';

/** An error that came back from a compute thread, its kind kept by name. */
class ThreadTaskError extends Error {
  constructor(failure: TaskFailure) {
    super(failure.message);
    this.name = failure.name;
  }
}

/**
 * A thread's result, or its failure thrown as BullMQ should see it: what
 * cannot succeed on a retry fails the job at once.
 */
export const unwrapTaskResult = <T>(result: T | TaskFailure): T => {
  if (!isTaskFailure(result)) return result;
  if (!result.retryable) throw new UnrecoverableError(`${result.name}: ${result.message}`);
  throw new ThreadTaskError(result);
};
