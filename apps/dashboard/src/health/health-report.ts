import { checkRedisReachable } from '@scheduler/queue';
import { nightlyRegistration, type UnservedFile } from '@scheduler/pipeline';
import type { FleetQueues } from '../queues/fleet-queues';
import type { OrganizationViews } from '../organizations/organization-views';
import { utcDatetimeMs } from '../organizations/run-history';

/** Job states a health check reports per queue. */
export const REPORTED_JOB_STATES = ['waiting', 'active', 'delayed', 'prioritized', 'waiting-children', 'failed'] as const;

interface OrganizationHealth {
  readonly organization: string;
  readonly readable: boolean;
  readonly error?: string;
  readonly lastCompletedRun: { readonly runId: string; readonly completedAt: string | null; readonly ageSeconds: number | null } | null;
}

export interface HealthReport {
  readonly status: 'ok' | 'unhealthy';
  readonly checkedAt: string;
  /** Why the status is `unhealthy`. */
  readonly problems: readonly string[];
  /** Worth a look, not a failure (e.g. an organization that never completed a run). */
  readonly warnings: readonly string[];
  readonly redis: { readonly reachable: boolean; readonly error?: string };
  readonly queues: Readonly<Record<string, Readonly<Record<string, number>>>> | null;
  /** Queues paused (in Bull Board): their jobs wait until they are resumed. Null when Redis could not tell. */
  readonly pausedQueues: readonly string[] | null;
  /** The nightly full runs' job scheduler in Redis; null when Redis could not tell. */
  readonly nightly: { readonly registered: boolean; readonly next: string | null } | null;
  readonly organizations: readonly OrganizationHealth[];
  /** Database files of the directory that no worker serves, each with why: a night skips them. */
  readonly unservedFiles: readonly UnservedFile[];
}

/** Paused on purpose, perhaps, but nothing of the queue runs meanwhile (a night's runs included): worth an operator's look. */
const pausedQueueWarning = (queue: string): string =>
  `queue ${queue} is paused: its jobs wait until it is resumed (Bull Board's resume, or Queue.resume)`;

/** Not a failure of what runs now, but no night will run: worth an operator's look. */
const NIGHTLY_NOT_REGISTERED =
  'the nightly full runs are not registered in Redis (never, or lost with its data): no night runs until `scheduler nightly` registers them';

/** BullMQ adds a nightly job's successor when a worker takes it: past this, nobody has taken the night's job. */
const NIGHTLY_OVERDUE_AFTER_MS = 10 * 60_000;

const nightlyOverdueWarning = (due: Date): string =>
  `the nightly full runs were due at ${due.toISOString()} and no worker has taken them: is a \`scheduler worker\` running, and the requests queue not paused?`;

export interface HealthCheckOptions {
  readonly redisUrl: string;
  readonly queues: FleetQueues;
  readonly views: OrganizationViews;
  /** A last completed full run older than this is a problem; null: age is reported, never judged. */
  readonly maxRunAgeMs: number | null;
  readonly now: () => Date;
}

const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));

const organizationHealth = (views: OrganizationViews, organization: string, nowMs: number): OrganizationHealth => {
  try {
    const run = views.lastCompletedRun(organization);
    if (run === null) return { organization, readable: true, lastCompletedRun: null };
    const completedMs = utcDatetimeMs(run.completedAt);
    return {
      organization,
      readable: true,
      lastCompletedRun: {
        runId: run.schedulerRunId,
        completedAt: run.completedAt,
        ageSeconds: completedMs === null ? null : Math.max(0, Math.round((nowMs - completedMs) / 1000)),
      },
    };
  } catch (error) {
    return { organization, readable: false, error: messageOf(error), lastCompletedRun: null };
  }
};

/**
 * Redis reachable, every organization database readable and recently run,
 * and the queue depths. Unhealthy (HTTP 503) when Redis cannot be reached,
 * a database cannot be read, or the last completed full run is older than allowed.
 */
export const checkHealth = async (options: HealthCheckOptions): Promise<HealthReport> => {
  const now = options.now();
  const problems: string[] = [];
  const warnings: string[] = [];

  let redis: HealthReport['redis'] = { reachable: true };
  try {
    await checkRedisReachable(options.redisUrl, 2_000);
  } catch (error) {
    redis = { reachable: false, error: messageOf(error) };
    problems.push(`Redis: ${messageOf(error)}`);
  }
  let queues: HealthReport['queues'] = null;
  let pausedQueues: HealthReport['pausedQueues'] = null;
  let nightly: HealthReport['nightly'] = null;
  if (redis.reachable) {
    try {
      const entries = await Promise.all(
        options.queues.all().map(async (queue) => [queue.name, await queue.getJobCounts(...REPORTED_JOB_STATES)] as const),
      );
      queues = Object.fromEntries(entries);
      const paused = await Promise.all(options.queues.all().map(async (queue) => ((await queue.isPaused()) ? [queue.name] : [])));
      pausedQueues = paused.flat();
      warnings.push(...pausedQueues.map(pausedQueueWarning));
    } catch (error) {
      problems.push(`queue counts: ${messageOf(error)}`);
    }
    try {
      const registration = await nightlyRegistration(options.queues.requests);
      nightly = { registered: registration !== null, next: registration?.next?.toISOString() ?? null };
      if (registration === null) warnings.push(NIGHTLY_NOT_REGISTERED);
      else if (registration.next !== null && now.getTime() - registration.next.getTime() > NIGHTLY_OVERDUE_AFTER_MS) {
        warnings.push(nightlyOverdueWarning(registration.next));
      }
    } catch (error) {
      problems.push(`nightly schedule: ${messageOf(error)}`);
    }
  }

  let organizations: OrganizationHealth[] = [];
  let unservedFiles: UnservedFile[] = [];
  try {
    organizations = options.views.organizations().map((organization) => organizationHealth(options.views, organization, now.getTime()));
    if (organizations.length === 0) warnings.push('no organization databases found');
    unservedFiles = options.views.unservedFiles();
    warnings.push(...unservedFiles.map(({ file, because }) => `database file ${file} is not served: ${because}`));
  } catch (error) {
    problems.push(messageOf(error));
  }
  for (const health of organizations) {
    if (!health.readable) problems.push(`${health.organization}: ${health.error}`);
    else if (health.lastCompletedRun === null) warnings.push(`${health.organization}: no run has completed yet`);
    else if (options.maxRunAgeMs !== null && (health.lastCompletedRun.ageSeconds ?? Infinity) * 1000 > options.maxRunAgeMs) {
      problems.push(`${health.organization}: the last completed run is ${health.lastCompletedRun.ageSeconds ?? '?'} s old`);
    }
  }

  return {
    status: problems.length === 0 ? 'ok' : 'unhealthy',
    checkedAt: now.toISOString(),
    problems,
    warnings,
    redis,
    queues,
    pausedQueues,
    nightly,
    organizations,
    unservedFiles,
  };
};
