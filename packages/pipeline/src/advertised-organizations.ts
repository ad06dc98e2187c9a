import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { OrganizationLocator } from './organization-directory';
import { redisAway, settledUnless } from './settled-unless';

/** How long a fleet's list of organizations counts without being refreshed (a fleet killed leaves it that long). */
const ADVERTISED_FOR_MS = 60_000;
/** Often, so that a list Redis lost (a restart without its data) is back within seconds; it costs two commands. */
const ADVERTISE_EVERY_MS = 5_000;
/** How long a fleet that stops waits for an absent Redis to take its list away. */
const STOP_WITHOUT_REDIS_MS = 2_000;

/** One Redis hash under the fleets' BullMQ prefix (BullMQ's default when none is given): a field per fleet process. */
const advertisedKey = (prefix: string | undefined): string => `${prefix ?? 'bull'}:scheduler:organizations`;

export interface Advertised {
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
  refreshEveryMs = ADVERTISE_EVERY_MS,
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
  const republish = (): void => void publish().catch(onRefreshFailed);
  // Once Redis is back, at once: a restart may have lost the list.
  redis.on('ready', republish);
  await publish();
  const timer = setInterval(republish, refreshEveryMs);
  timer.unref();
  return async () => {
    clearInterval(timer);
    redis.off('ready', republish);
    // Not waiting for a Redis that is away: the list expires by itself.
    await settledUnless(redis.hdel(key, field).catch(() => undefined), redisAway([redis]), STOP_WITHOUT_REDIS_MS);
  };
};

/** The lists of the fleets running now (a fleet killed leaves its list until it expires). */
const liveAdvertisements = async (redis: Redis, prefix: string | undefined): Promise<Advertised[]> =>
  liveLists(await redis.hgetall(advertisedKey(prefix)), Date.now()).live;

/** The database files the lists serve the organization from. */
export const filesOf = (lists: readonly Advertised[], organization: string): string[] =>
  lists.flatMap((advertised) => {
    const file = advertised.files?.[organization];
    return file === undefined ? [] : [file];
  });

/** The organizations some running fleet has a database for in its directory. */
export const advertisedOrganizations = async (redis: Redis, prefix: string | undefined): Promise<Set<string>> =>
  new Set((await liveAdvertisements(redis, prefix)).flatMap((advertised) => advertised.organizations));

/** Whether some running fleet has the organization's database in its directory. */
export const fleetAdvertises = async (redis: Redis, prefix: string | undefined, organization: string): Promise<boolean> =>
  (await advertisedOrganizations(redis, prefix)).has(organization);

/**
 * The lists of the fleets running now, for a client about to rely on them. A fleet's workers attached with no
 * list at all are a fleet between its start (or Redis's return without its data) and its listing: its list is
 * waited for rather than read as "serving nothing", or the client would enqueue what that fleet then takes.
 */
export const listsOfRunningFleets = async (
  redis: Redis,
  prefix: string | undefined,
  fleetAttached: () => Promise<boolean>,
  waitMs = 3 * ADVERTISE_EVERY_MS,
): Promise<Advertised[]> => {
  const deadline = Date.now() + waitMs;
  for (;;) {
    const lists = await liveAdvertisements(redis, prefix);
    if (lists.length > 0 || !(await fleetAttached())) return lists;
    if (Date.now() > deadline) {
      throw new Error(
        `a fleet's workers are attached to the queues, but no fleet has listed its organizations in Redis for ${waitMs / 1000} s: ` +
          'which database files they serve cannot be told (is that fleet an older version, or unable to write to Redis?)',
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
};
