import { QueueEvents } from 'bullmq';
import { Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { QUEUE_NAMES, createRedisConnection } from '@scheduler/queue';
import { nightlyRegistration, type Logger } from '@scheduler/pipeline';
import type { Redis } from 'ioredis';
import { closeWithin } from '../queues/close-within';
import type { FleetQueues } from '../queues/fleet-queues';
import type { OrganizationViews } from '../organizations/organization-views';
import { utcDatetimeMs } from '../organizations/run-history';
import { REPORTED_JOB_STATES } from './health-report';
import { metricLabel } from './metric-label';

export interface DashboardMetricsOptions {
  readonly redisUrl: string;
  readonly prefix?: string;
  readonly queues: FleetQueues;
  readonly views: OrganizationViews;
  readonly logger: Logger;
}

/** What a chunk job returns (the fleet's compute-chunk task). */
interface ChunkOutcome {
  readonly durationMs?: unknown;
}

/**
 * The fleet in Prometheus terms. Database and queue figures are read at
 * scrape time (aggregates come from the organization views' cache); chunk
 * durations are observed as chunks complete, from the chunk queue's events.
 */
export class DashboardMetrics {
  readonly registry = new Registry();
  private readonly redisUp = this.gauge('scheduler_redis_up', 'Whether Redis answered the last scrape (1) or not (0)', []);
  private readonly queueJobs = this.gauge('scheduler_queue_jobs', 'Jobs in a fleet queue by state', ['queue', 'state']);
  private readonly queuePaused = this.gauge('scheduler_queue_paused', 'Whether a fleet queue is paused (1: its jobs wait until it is resumed) or not (0)', ['queue']);
  private readonly nightlyRegistered = this.gauge(
    'scheduler_nightly_registered',
    'Whether the nightly full runs are registered in Redis (1) or not (0): none runs until `scheduler nightly` registers them',
    [],
  );
  private readonly directoryUp = this.gauge(
    'scheduler_organization_directory_up',
    'Whether the directory of organization databases could be read (1) or not (0: gone, not mounted)',
    [],
  );
  private readonly organizations = this.gauge('scheduler_organizations', 'Organization databases found', []);
  private readonly databaseUp = this.gauge(
    'scheduler_organization_database_up',
    'Whether the organization database could be read (1) or not (0)',
    ['organization'],
  );
  private readonly runs = this.gauge('scheduler_runs', 'Runs recorded in scheduler_checkpoints by status', ['organization', 'status']);
  private readonly lastRunCompleted = this.gauge(
    'scheduler_last_completed_run_timestamp_seconds',
    'When the last completed full run completed (Unix time)',
    ['organization'],
  );
  private readonly lastRunDuration = this.gauge(
    'scheduler_last_completed_run_duration_seconds',
    'completed_at - run_timestamp of the last completed full run',
    ['organization'],
  );
  private readonly lastRunContacts = this.gauge(
    'scheduler_last_completed_run_contacts',
    'Contacts processed by the last completed full run',
    ['organization'],
  );
  private readonly lastRunEmails = this.gauge(
    'scheduler_last_completed_run_emails',
    'Emails the last completed full run scheduled or skipped',
    ['organization', 'outcome'],
  );
  private readonly emails = this.gauge('scheduler_emails', 'email_schedules rows by status and type', ['organization', 'status', 'email_type']);
  private readonly chunkDuration = new Histogram({
    name: 'scheduler_chunk_duration_seconds',
    help: 'Compute time of chunk jobs completed while this dashboard was watching (their durationMs)',
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300],
    registers: [this.registry],
  });
  private readonly chunkEvents: QueueEvents;
  private readonly eventsConnection: Redis;

  constructor(private readonly options: DashboardMetricsOptions) {
    collectDefaultMetrics({ register: this.registry, prefix: 'scheduler_dashboard_' });
    this.eventsConnection = createRedisConnection(options.redisUrl, 'worker');
    this.eventsConnection.on('error', () => undefined);
    this.chunkEvents = new QueueEvents(QUEUE_NAMES.chunks, {
      connection: this.eventsConnection,
      ...(options.prefix === undefined ? {} : { prefix: options.prefix }),
    });
    this.chunkEvents.on('error', () => undefined);
    this.chunkEvents.on('completed', ({ returnvalue }) => {
      const durationMs = (returnvalue as ChunkOutcome | null)?.durationMs;
      if (typeof durationMs === 'number' && Number.isFinite(durationMs) && durationMs >= 0) this.chunkDuration.observe(durationMs / 1000);
    });
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  /** The exposition text, every gauge read afresh. */
  async render(): Promise<string> {
    await Promise.all([this.refreshQueues(), this.refreshOrganizations()]);
    return this.registry.metrics();
  }

  async close(): Promise<void> {
    await closeWithin(2_000, () => this.chunkEvents.close(), () => void this.chunkEvents.disconnect().catch(() => undefined));
    this.eventsConnection.disconnect();
  }

  private gauge<Label extends string>(name: string, help: string, labelNames: readonly Label[]): Gauge<Label> {
    return new Gauge({ name, help, labelNames, registers: [this.registry] });
  }

  private async refreshQueues(): Promise<void> {
    this.queueJobs.reset();
    this.queuePaused.reset();
    try {
      for (const queue of this.options.queues.all()) {
        const counts = await queue.getJobCounts(...REPORTED_JOB_STATES);
        for (const [state, jobs] of Object.entries(counts)) this.queueJobs.set({ queue: queue.name, state }, jobs);
        this.queuePaused.set({ queue: queue.name }, (await queue.isPaused()) ? 1 : 0);
      }
      this.nightlyRegistered.set((await nightlyRegistration(this.options.queues.requests)) === null ? 0 : 1);
      this.redisUp.set(1);
    } catch (error) {
      this.options.logger.debug({ err: error }, 'queue metrics unavailable');
      this.redisUp.set(0);
    }
  }

  /** Aggregates come from the views' cache: a scrape never waits for a whole-schedule read, it reports the last one. */
  private async refreshOrganizations(): Promise<void> {
    for (const gauge of [this.organizations, this.databaseUp, this.runs, this.lastRunCompleted, this.lastRunDuration, this.lastRunContacts, this.lastRunEmails, this.emails]) {
      gauge.reset();
    }
    const { views } = this.options;
    let organizations: string[];
    try {
      organizations = views.organizations();
    } catch (error) {
      // The queues' figures still matter most when no organization can be found: the scrape goes on without these.
      this.options.logger.warn({ err: error }, 'organization metrics unavailable');
      this.directoryUp.set(0);
      return;
    }
    this.directoryUp.set(1);
    this.organizations.set(organizations.length);
    for (const organization of organizations) {
      try {
        const [runCounts, emailCounts] = await Promise.all([views.runCounts(organization), views.emailCounts(organization)]);
        for (const [status, runs] of Object.entries(runCounts ?? {})) this.runs.inc({ organization, status: metricLabel(status) }, runs);
        const last = views.lastCompletedRun(organization);
        if (last !== null) {
          const completedMs = utcDatetimeMs(last.completedAt);
          if (completedMs !== null) this.lastRunCompleted.set({ organization }, completedMs / 1000);
          if (last.durationMs !== null) this.lastRunDuration.set({ organization }, last.durationMs / 1000);
          this.lastRunContacts.set({ organization }, last.contactsProcessed ?? 0);
          this.lastRunEmails.set({ organization, outcome: 'scheduled' }, last.emailsScheduled ?? 0);
          this.lastRunEmails.set({ organization, outcome: 'skipped' }, last.emailsSkipped ?? 0);
        }
        for (const { status, emailType, emails } of emailCounts ?? []) {
          this.emails.inc({ organization, status: metricLabel(status), email_type: metricLabel(emailType) }, emails);
        }
        this.databaseUp.set({ organization }, 1);
      } catch (error) {
        this.options.logger.warn({ err: error, organization }, 'organization metrics unavailable');
        this.databaseUp.set({ organization }, 0);
      }
    }
  }
}
