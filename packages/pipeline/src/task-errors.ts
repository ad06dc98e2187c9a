import { UnrecoverableError } from 'bullmq';
import { isTaskFailure, type TaskFailure } from './thread-tasks';

/** An error that came back from a compute thread, its kind kept by name. */
export class ThreadTaskError extends Error {
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

/** The failure of a task, as a plain value that survives the thread boundary. */
export const taskFailureOf = (error: unknown): TaskFailure => {
  const name = error instanceof Error ? error.name : 'Error';
  const message = error instanceof Error ? error.message : String(error);
  const retryable =
    typeof error === 'object' && error !== null && 'retryable' in error
      ? Boolean((error as { retryable: unknown }).retryable)
      : !NEVER_RETRYABLE.has(name);
  return { failed: true, name, message, retryable };
};

/** Error kinds a retry cannot fix. */
const NEVER_RETRYABLE = new Set([
  'ConfigError',
  'MalformedJobError',
  'UnknownOrganizationError',
  'InvariantViolation',
  'DatabaseUnreadableError',
  'DatabaseMigrationError',
  'DatabaseConstraintError',
  'ZodError',
]);
