import type { Job, Queue } from 'bullmq';
import { NightlyJobSchema, REQUEST_JOB_NAMES, parseJobData } from '@scheduler/queue';
import { advertisedOrganizations } from './advertised-organizations';
import type { FleetContext } from './fleet-context';
import { RETRYING_JOB_OPTIONS } from './job-options';
import type { Logger } from './logger';
import { OrganizationDirectory, type OrganizationLocator } from './organization-directory';
import { addedBy } from './request-ids';
import { todayIn } from './run-identity';

/** Database files of the directory nothing serves, named at start and at each nightly job (files come and go). */
export const warnOfUnservedFiles = (locator: OrganizationLocator, logger: Logger): void => {
  const unserved = locator instanceof OrganizationDirectory ? locator.unservedFiles() : [];
  if (unserved.length > 0) logger.warn({ files: unserved.map(({ file, because }) => `${file}: ${because}`) }, 'these database files are not served');
};

/** The organizations the last nightly job asked runs for, under the fleets' BullMQ prefix: the next one names those it no longer finds. */
const lastNightlyKey = (prefix: string | undefined): string => `${prefix ?? 'bull'}:scheduler:last-nightly-organizations`;

const organizationsOf = (stored: string | null): string[] => {
  try {
    const parsed: unknown = JSON.parse(stored ?? '[]');
    return Array.isArray(parsed) ? parsed.filter((item): item is string => typeof item === 'string') : [];
  } catch {
    return [];
  }
};

/** The nightly job: a full-run request for every organization of every fleet on this Redis. */
export const nightlyRequests = (fleet: FleetContext, requests: Queue) => {
  const { locator, config, logger } = fleet;

  return async (job: Job): Promise<unknown> => {
    parseJobData(NightlyJobSchema, job.data, job.name);
    warnOfUnservedFiles(locator, logger);
    // RULES.md §1: today is the day the run starts. Not the job's timestamp: BullMQ stamps a scheduler's job when
    // it adds it, the day before it fires, and a job promoted or retried in Bull Board runs today too.
    const asOf = todayIn(config, fleet.now());
    // Every organization of every fleet on this Redis (fleets on several machines, each over a directory of its
    // own): a request of another fleet's organization is left to that fleet (leavingOtherOrganizations).
    const organizations = [...new Set([...locator.organizations(), ...(await advertisedOrganizations(fleet.redis, fleet.prefix))])].sort();
    await requests.addBulk(
      organizations.map((organization) => ({
        name: REQUEST_JOB_NAMES.fullRun,
        data: { organization, asOf, requestedBy: 'nightly' },
        // Named after this nightly job: another one the same day asks again, and a run whose inputs changed
        // since it completed then runs again (full-run-requests.ts), as `run` would.
        opts: { ...RETRYING_JOB_OPTIONS, jobId: `nightly-${asOf}-${organization}-${addedBy(job)}` },
      })),
    );
    logger.info({ jobId: job.id, asOf, organizations: organizations.length }, 'nightly runs enqueued');
    // An organization that silently stops being run is found out only when its emails stop: say so the first night.
    const key = lastNightlyKey(fleet.prefix);
    for (const organization of organizationsOf(await fleet.redis.get(key)).filter((known) => !organizations.includes(known))) {
      logger.warn(
        { jobId: job.id, asOf, organization },
        `the last nightly job ran organization ${organization}, which this one does not find and does not run: its database file was removed or renamed, or the fleet that serves it is not running`,
      );
    }
    await fleet.redis.set(key, JSON.stringify(organizations));
    return { asOf, organizations };
  };
};
