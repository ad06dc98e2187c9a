/**
 * The fleet's queues. Other services add jobs to `requests` only; `chunks`
 * and `finalize` hold the nodes of a run's flow.
 */
export const QUEUE_NAMES = {
  requests: 'scheduler-requests',
  chunks: 'scheduler-chunks',
  finalize: 'scheduler-finalize',
  /** A run's backup job, in a queue of its own: never kept waiting behind chunk jobs, which may wait for a thread its finalizer holds. */
  backups: 'scheduler-backups',
} as const;

export type QueueRole = keyof typeof QUEUE_NAMES;

/** Job names on the requests queue. */
export const REQUEST_JOB_NAMES = {
  fullRun: 'full-run',
  rescheduleContacts: 'reschedule-contacts',
  rescheduleCampaign: 'reschedule-campaign',
  nightly: 'nightly',
  pollChanges: 'poll-changes',
} as const;

export const CHUNK_JOB_NAME = 'compute-chunk';
/** A run's start checksums and backup: a job of its own queue, added before the flow, so that it runs while the chunks compute (the commit waits for it). */
export const BACKUP_JOB_NAME = 'backup-database';
export const FINALIZE_JOB_NAME = 'finalize-run';
