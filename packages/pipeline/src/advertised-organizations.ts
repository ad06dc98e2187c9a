import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { OrganizationLocator } from './organization-directory';

/** How long a fleet's list of organizations counts without being refreshed (a fleet killed leaves it that long). */
const ADVERTISED_FOR_MS = 60_000;
const ADVERTISE_EVERY_MS = 20_000;

/** One Redis hash under the fleets' BullMQ prefix (BullMQ's default when none is given): a field per fleet process. */
const advertisedKey = (prefix: string | undefined): string => `${prefix ?? 'bull'}:scheduler:organizations`;

interface Advertised {
  readonly organizations: readonly string[];
  /** Each organization's database file, as the fleet opens it (absent from lists of older fleets). */
  readonly files?: Readonly<Record<string, string>>;
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
export const advertiseOrganizations = async (
  redis: Redis,
  prefix: string | undefined,
  locator: OrganizationLocator,
  onRefreshFailed: (error: unknown) => void,
): Promise<() => Promise<void>> => {
  const key = advertisedKey(prefix);
  const field = randomUUID();
  const publish = async (): Promise<void> => {
    const now = Date.now();
    const organizations = locator.organizations();
    const files = Object.fromEntries(organizations.map((organization) => [organization, locator.databasePath(organization)]));
    const advertised: Advertised = { organizations, files, until: now + ADVERTISED_FOR_MS };
    await redis.hset(key, field, JSON.stringify(advertised));
    // What fleets killed before they could remove theirs left behind.
    const { expired } = liveLists(await redis.hgetall(key), now);
    if (expired.length > 0) await redis.hdel(key, ...expired);
  };
  await publish();
  const timer = setInterval(() => void publish().catch(onRefreshFailed), ADVERTISE_EVERY_MS);
  timer.unref();
  return async () => {
    clearInterval(timer);
    await redis.hdel(key, field).catch(() => undefined);
  };
};

/** The organizations some running fleet has a database for in its directory. */
export const advertisedOrganizations = async (redis: Redis, prefix: string | undefined): Promise<Set<string>> =>
  new Set(liveLists(await redis.hgetall(advertisedKey(prefix)), Date.now()).live.flatMap((advertised) => advertised.organizations));

/** The database files running fleets serve the organization from. */
export const advertisedFilesOf = async (redis: Redis, prefix: string | undefined, organization: string): Promise<string[]> =>
  liveLists(await redis.hgetall(advertisedKey(prefix)), Date.now()).live.flatMap((advertised) => {
    const file = advertised.files?.[organization];
    return file === undefined ? [] : [file];
  });

/** Whether some running fleet has the organization's database in its directory. */
export const fleetAdvertises = async (redis: Redis, prefix: string | undefined, organization: string): Promise<boolean> =>
  (await advertisedOrganizations(redis, prefix)).has(organization);
