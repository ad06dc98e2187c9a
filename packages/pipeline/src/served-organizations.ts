import { DelayedError, type Job } from 'bullmq';
import { SingleDatabase, type OrganizationLocator } from './organization-directory';

/** A worker of one database file is named after its organization; a fleet over a directory, `fleet`. */
const ONE_ORGANIZATION = 'organization-';

/** How long a job of another organization waits before a worker picks it up again. */
const HAND_BACK_MS = 250;

/**
 * The BullMQ worker name of a fleet, stored on every job it processes (Bull Board shows it), and part of its
 * Redis client name, from which a client tells whether some worker can serve its organization.
 */
export const workerNameOf = (locator: OrganizationLocator): string =>
  locator instanceof SingleDatabase ? `${ONE_ORGANIZATION}${locator.organization}` : 'fleet';

/** Whether a worker, by its raw Redis client name (`Queue.getWorkers()`), may serve the organization. */
export const mayServe = (rawClientName: string, organization: string): boolean => {
  const at = rawClientName.lastIndexOf(':w:');
  if (at < 0) return true;
  const name = rawClientName.slice(at + ':w:'.length);
  return !name.startsWith(ONE_ORGANIZATION) || name === `${ONE_ORGANIZATION}${organization}`;
};

type Processor = (job: Job, token?: string) => Promise<unknown>;

/**
 * Workers of one database file (a `scheduler run` with workers of its own) share the queues with other
 * such runs on the same Redis: a job of another organization goes back to wait (not an attempt) while some
 * worker attached to the queues may serve it. Otherwise it is processed, and fails at once: no retry will
 * make the organization appear. `workers` lists the raw Redis client names of the queues' workers.
 */
export const leavingOtherOrganizations =
  (locator: OrganizationLocator, workers: () => Promise<string[]>, process: Processor): Processor =>
  async (job, token) => {
    const { organization } = (job.data ?? {}) as { organization?: unknown };
    if (
      locator instanceof SingleDatabase &&
      typeof organization === 'string' &&
      organization !== locator.organization &&
      (await workers()).some((worker) => mayServe(worker, organization))
    ) {
      await job.moveToDelayed(Date.now() + HAND_BACK_MS, token);
      throw new DelayedError();
    }
    return process(job, token);
  };
