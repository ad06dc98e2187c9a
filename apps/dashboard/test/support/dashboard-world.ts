import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dayInZone, defaultConfig, formatIsoDate, type Config } from '@scheduler/core';
import { and, eq, like } from 'drizzle-orm';
import { openOrganizationDb, schema, seedOrganization, type OrganizationDb } from '@scheduler/db';
import { OrganizationDirectory, RunClient, SingleDatabase, createLogger, startFleet, type Fleet, type Logger } from '@scheduler/pipeline';
import { startDashboard, type Credentials, type DashboardOptions, type RunningDashboard } from '../../src/index';

export const CREDENTIALS: Credentials = { user: 'ops', password: 'correct horse battery staple' };
export const ORGANIZATION = 'acme';

export const testRedisUrl = (): string => {
  const url = process.env.REDIS_URL;
  if (url === undefined) throw new Error('REDIS_URL must name a Redis server for the dashboard tests (bash scripts/test.sh starts one)');
  return url;
};

const silent = createLogger({ level: 'silent' });

export interface Organization {
  readonly directory: string;
  readonly path: string;
  readonly config: Config;
  readonly today: string;
  cleanup(): void;
}

/** A seeded organization in a directory of its own, not yet scheduled. */
export const seededOrganization = (contacts = 400): Organization => {
  const directory = mkdtempSync(join(tmpdir(), 'scheduler-dashboard-'));
  const path = join(directory, `${ORGANIZATION}.sqlite`);
  const config = defaultConfig();
  const today = formatIsoDate(dayInZone(new Date(), config.timezone));
  seedOrganization(path, { contacts, seed: 11, asOf: today });
  return { directory, path, config, today, cleanup: () => rmSync(directory, { recursive: true, force: true }) };
};

/** One full run of the organization through the queue, committed before this returns. */
export const scheduleOrganization = async (organization: Organization, redisUrl: string, prefix: string): Promise<void> => {
  const client = await RunClient.connect({
    redisUrl,
    locator: SingleDatabase.open(organization.path),
    config: organization.config,
    threads: 1,
    logger: silent,
    startLocalWorkers: false,
    prefix,
  });
  try {
    await client.fullRun(ORGANIZATION, { asOf: organization.today });
  } finally {
    await client.close();
  }
};

export interface DashboardWorld {
  readonly organization: Organization;
  readonly prefix: string;
  readonly fleet: Fleet;
  readonly dashboard: RunningDashboard;
  /** Another dashboard over the same world, read-only. */
  readonly readOnlyDashboard: RunningDashboard;
  /** Reads the organization's file (read-only). */
  read<T>(work: (db: OrganizationDb) => T): T;
  /** Changes the organization's file, as the main application does. */
  write<T>(work: (db: OrganizationDb) => T): T;
  close(): Promise<void>;
}

/** A contact of the world with a skipped email in a dated exclusion window. */
export const contactInWindow = (world: DashboardWorld): number =>
  world.read((db) =>
    db.orm
      .select({ contactId: schema.emailSchedules.contactId })
      .from(schema.emailSchedules)
      .where(and(eq(schema.emailSchedules.status, 'skipped'), like(schema.emailSchedules.skipReason, 'exclusion_window:%')))
      .limit(1)
      .get()!.contactId,
  );

export const dashboardOptions = (organization: Organization, redisUrl: string, prefix: string): DashboardOptions => ({
  redisUrl,
  organizationsDir: organization.directory,
  config: organization.config,
  host: '127.0.0.1',
  port: 0,
  credentials: CREDENTIALS,
  readOnly: false,
  secureCookies: false,
  maxRunAgeHours: 36,
  logger: silent,
  prefix,
});

const withOrganizationDb = <T>(path: string, readonly: boolean, work: (db: OrganizationDb) => T): T => {
  const db = openOrganizationDb(path, { readonly });
  try {
    return work(db);
  } finally {
    db.close();
  }
};

/**
 * A scheduled organization, a fleet worker serving its directory and two
 * dashboards (one read-only), on a BullMQ prefix of their own: each test
 * file its own world on the shared Redis.
 */
export const startDashboardWorld = async (world: { contacts?: number; dashboardLogger?: Logger } = {}): Promise<DashboardWorld> => {
  const redisUrl = testRedisUrl();
  const prefix = `test-dashboard-${randomUUID()}`;
  const organization = seededOrganization(world.contacts);
  const fleet = await startFleet({
    redisUrl,
    locator: new OrganizationDirectory(organization.directory),
    config: organization.config,
    threads: 2,
    logger: silent,
    prefix,
  });
  await scheduleOrganization(organization, redisUrl, prefix);
  const options = { ...dashboardOptions(organization, redisUrl, prefix), ...(world.dashboardLogger === undefined ? {} : { logger: world.dashboardLogger }) };
  const [dashboard, readOnlyDashboard] = await Promise.all([startDashboard(options), startDashboard({ ...options, readOnly: true })]);
  return {
    organization,
    prefix,
    fleet,
    dashboard,
    readOnlyDashboard,
    read: (work) => withOrganizationDb(organization.path, true, work),
    write: (work) => withOrganizationDb(organization.path, false, work),
    async close() {
      await Promise.all([dashboard.close(), readOnlyDashboard.close()]);
      await fleet.close();
      organization.cleanup();
    },
  };
};
