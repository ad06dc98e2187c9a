import { randomUUID } from 'node:crypto';
import { DelayedError, type Job } from 'bullmq';
import { OrganizationIdSchema } from '@scheduler/queue';
import type { Redis } from 'ioredis';
import { SingleDatabase, UnknownOrganizationError, type OrganizationLocator } from './organization-directory';

/** A worker of one database file is named after its organization; a fleet over a directory, `fleet`. */
const ONE_ORGANIZATION = 'organization-';

/** How long a job of another organization waits before a worker picks it up again, while a worker that may serve it is attached. */
const HAND_BACK_MS = 250;
/** The same, while none is: it waits for one (a fleet, a run of its file) without being picked up four times a second. */
const HAND_BACK_IDLE_MS = 2_000;

/** How long a fleet's list of organizations counts without being refreshed (a fleet killed leaves it that long). */
const ADVERTISED_FOR_MS = 60_000;
const ADVERTISE_EVERY_MS = 20_000;

/**
 * The BullMQ worker name of a fleet, stored on every job it processes (Bull Board shows it), and part of its
 * Redis client name, from which a client tells whether some worker can serve its organization.
 */
export const workerNameOf = (locator: OrganizationLocator): string =>
  locator instanceof SingleDatabase ? `${ONE_ORGANIZATION}${locator.organization}` : 'fleet';

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

/** One Redis hash under the fleets' BullMQ prefix (BullMQ's default when none is given): a field per fleet process. */
const advertisedKey = (prefix: string | undefined): string => `${prefix ?? 'bull'}:scheduler:organizations`;

interface Advertised {
  readonly organizations: readonly string[];
  readonly until: number;
}

const parsedAdvertised = (value: string): Advertised | null => {
  try {
    const parsed = JSON.parse(value) as Partial<Advertised>;
    return Array.isArray(parsed.organizations) && typeof parsed.until === 'number' ? (parsed as Advertised) : null;
  } catch {
    return null;
  }
};

const liveLists = (fields: Record<string, string>, now: number): { live: Advertised[]; expired: string[] } => {
  const live: Advertised[] = [];
  const expired: string[] = [];
  for (const [field, value] of Object.entries(fields)) {
    const advertised = parsedAdvertised(value);
    if (advertised !== null && advertised.until > now) live.push(advertised);
    else expired.push(field);
  }
  return { live, expired };
};

/**
 * A fleet's organizations, kept in Redis while it runs, so that a `scheduler run` of a file can tell
 * whether the fleet serves it or it must start workers of its own. Returns the function that stops it.
 */
export const advertiseOrganizations = async (redis: Redis, prefix: string | undefined, locator: OrganizationLocator): Promise<() => Promise<void>> => {
  const key = advertisedKey(prefix);
  const field = randomUUID();
  const publish = async (): Promise<void> => {
    const now = Date.now();
    const advertised: Advertised = { organizations: locator.organizations(), until: now + ADVERTISED_FOR_MS };
    await redis.hset(key, field, JSON.stringify(advertised));
    // What fleets killed before they could remove theirs left behind.
    const { expired } = liveLists(await redis.hgetall(key), now);
    if (expired.length > 0) await redis.hdel(key, ...expired);
  };
  await publish();
  const timer = setInterval(() => void publish().catch(() => undefined), ADVERTISE_EVERY_MS);
  timer.unref();
  return async () => {
    clearInterval(timer);
    await redis.hdel(key, field).catch(() => undefined);
  };
};

/** Whether some running fleet has the organization's database in its directory. */
export const fleetAdvertises = async (redis: Redis, prefix: string | undefined, organization: string): Promise<boolean> =>
  liveLists(await redis.hgetall(advertisedKey(prefix)), Date.now()).live.some((advertised) => advertised.organizations.includes(organization));

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

/**
 * Runs of several files and fleets share the queues of one Redis. A job of an organization this worker has
 * no database for goes back to wait (not an attempt):
 * - always, from the workers of one database file (a `scheduler run`): the job is someone else's, and waits
 *   for its fleet or its run however long that takes;
 * - from a fleet, while a worker of that organization's own file is attached (a run of a file outside the
 *   fleet's directory). Else the fleet processes it, and it fails at once: no retry will make it appear.
 * A job whose organization is not a valid id is processed, and fails at once naming the field.
 */
export const leavingOtherOrganizations =
  (locator: OrganizationLocator, workers: () => Promise<string[]>, process: Processor): Processor =>
  async (job, token) => {
    const { organization } = (job.data ?? {}) as { organization?: unknown };
    if (typeof organization === 'string' && OrganizationIdSchema.safeParse(organization).success && !serves(locator, organization)) {
      const names = await workers();
      const ofItsFile = names.some((worker) => isWorkerOf(worker, organization));
      if (locator instanceof SingleDatabase || ofItsFile) {
        const someMayServe = ofItsFile || names.some(isFleetWorker);
        await job.moveToDelayed(Date.now() + (someMayServe ? HAND_BACK_MS : HAND_BACK_IDLE_MS), token);
        throw new DelayedError();
      }
    }
    return process(job, token);
  };
