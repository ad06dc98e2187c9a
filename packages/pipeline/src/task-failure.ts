import type { TaskFailure } from './thread-tasks';

// Kept apart from task-errors.ts, which the fleet uses: importing BullMQ here would put it (1.3 MB) in the
// bundle every compute thread and backup process parses at start.

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
