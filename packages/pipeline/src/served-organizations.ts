import type { Job, Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { lookAgainLater } from './look-again-later';
import { OrganizationIdSchema, REQUEST_JOB_NAMES } from '@scheduler/queue';
import { SingleDatabase, UnknownOrganizationError, type OrganizationLocator } from './organization-directory';

/** A worker of one database file is named after its organization; a fleet over a directory, `fleet`. */
const ONE_ORGANIZATION = 'organization-';

/** How long a job of another organization waits before a worker picks it up again, while a worker that may serve it is attached. */
const HAND_BACK_MS = 250;
/** The same, while none is: it waits for one (a fleet, a run of its file) without being picked up four times a second. */
const HAND_BACK_IDLE_MS = 2_000;

/**
 * The BullMQ worker name of a fleet, stored on every job it processes (Bull Board shows it), and part of its
 * Redis client name, from which a client tells whether some worker can serve its organization.
 */
export const workerNameOf = (locator: OrganizationLocator): string =>
  locator instanceof SingleDatabase ? `${ONE_ORGANIZATION}${locator.organization}` : 'fleet';

/**
 * The raw Redis client names of the workers attached to a queue (in the database `sameDatabaseAs` uses).
 * `Queue.getWorkers()` lists the clients of the whole Redis server: workers of a queue of the same name in
 * another of its databases (another REDIS_URL path) serve other queues, and are left out.
 */
export const attachedWorkerNames = async (queue: Queue, sameDatabaseAs: Redis): Promise<string[]> => {
  const database = String(sameDatabaseAs.options.db ?? 0);
  return (await queue.getWorkers()).filter((worker) => (worker.db ?? '0') === database).map((worker) => String(worker.rawname ?? ''));
};

/** The BullMQ worker name in a raw Redis client name (`Queue.getWorkers()`); null for a client of another kind. */
const workerNameIn = (rawClientName: string): string | null => {
  const at = rawClientName.lastIndexOf(':w:');
  return at < 0 ? null : rawClientName.slice(at + ':w:'.length);
};

/** Whether a worker, by its raw Redis client name, is one of a single database file of the organization. */
export const isWorkerOf = (rawClientName: string, organization: string): boolean =>
  workerNameIn(rawClientName) === `${ONE_ORGANIZATION}${organization}`;

/** Whether a worker, by its raw Redis client name, is a fleet's (one over a directory of organizations). */
export const isFleetWorker = (rawClientName: string): boolean => {
  const name = workerNameIn(rawClientName);
  return name !== null && !name.startsWith(ONE_ORGANIZATION);
};

/** Whether the locator has a database for the organization. */
const serves = (locator: OrganizationLocator, organization: string): boolean => {
  try {
    locator.databasePath(organization);
    return true;
  } catch (error) {
    if (error instanceof UnknownOrganizationError) return false;
    throw error;
  }
};

type Processor = (job: Job, token?: string) => Promise<unknown>;

/** Jobs of no one organization: they ask for runs and reschedules of every organization the fleets serve. */
const FLEET_WIDE_JOBS: ReadonlySet<string> = new Set([REQUEST_JOB_NAMES.nightly, REQUEST_JOB_NAMES.pollChanges]);

/**
 * Runs of several files and fleets share the queues of one Redis. A job of an organization this worker has
 * no database for goes back to wait (not an attempt):
 * - always, from the workers of one database file (a `scheduler run`): the job is someone else's, and waits
 *   for its fleet or its run however long that takes;
 * - from a fleet, while a worker of that organization's own file is attached (a run of a file outside the
 *   fleet's directory), or while another fleet lists the organization in its directory (fleets on several
 *   machines, each over a directory of its own). Else the fleet processes it, and it fails at once: no retry
 *   will make it appear.
 * A job whose organization is not a valid id is processed, and fails at once naming the field.
 * The nightly and poll jobs go back to wait too from the workers of one database file: taken there, they would
 * reach that file's organization only, and the fleets' organizations would miss that night's run.
 */
export const leavingOtherOrganizations =
  (
    locator: OrganizationLocator,
    workers: () => Promise<string[]>,
    listedByAFleet: (organization: string) => Promise<boolean>,
    process: Processor,
  ): Processor =>
  async (job, token) => {
    if (locator instanceof SingleDatabase && FLEET_WIDE_JOBS.has(job.name)) {
      const fleetAttached = (await workers()).some(isFleetWorker);
      return lookAgainLater(job, token, fleetAttached ? HAND_BACK_MS : HAND_BACK_IDLE_MS, 'handed back for a fleet: it asks for every organization');
    }
    const { organization } = (job.data ?? {}) as { organization?: unknown };
    if (typeof organization === 'string' && OrganizationIdSchema.safeParse(organization).success && !serves(locator, organization)) {
      const names = await workers();
      const ofItsFile = names.some((worker) => isWorkerOf(worker, organization));
      if (locator instanceof SingleDatabase || ofItsFile || (await listedByAFleet(organization))) {
        const someMayServe = ofItsFile || names.some(isFleetWorker);
        return lookAgainLater(
          job,
          token,
          someMayServe ? HAND_BACK_MS : HAND_BACK_IDLE_MS,
          ofItsFile ? 'handed back for the workers of its own database file' : 'handed back for the fleet whose directory lists this organization',
        );
      }
    }
    return process(job, token);
  };
