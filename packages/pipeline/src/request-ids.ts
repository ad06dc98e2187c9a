import type { Job } from 'bullmq';

/**
 * The ids of the requests a job adds: the same for its first processing, so that they are added once; a
 * job processed again (rerun from Bull Board, or retried) adds requests of its own, which it would otherwise
 * find taken by the earlier ones and add nothing. Planning (full-run-requests.ts) runs a run asked for twice once.
 */
export const roundOf = (job: Job): string => (job.attemptsStarted > 1 ? `-${job.attemptsStarted}` : '');

/**
 * The part of a request's id that names the job adding it, and its round. A job scheduler's job id has colons,
 * which BullMQ allows in a custom id only in its own repeat form.
 */
export const addedBy = (job: Job): string => `${String(job.id).replaceAll(':', '-')}${roundOf(job)}`;
