import { statSync } from 'node:fs';
import { dayInZone, type Config } from '@scheduler/core';
import { NotFoundError, UnavailableError } from '../dashboard-errors';
import type { Aggregate, AggregateCache } from './aggregate-cache';
import type { AggregatePool } from './aggregate-pool';
import { readAggregate, type AggregateResult, type AggregateTask } from './aggregate-tasks';
import { readContactSchedule, type ContactSchedule } from './contact-schedule';
import type { EmailCount } from './email-counts';
import type { UnservedFile } from '@scheduler/pipeline';
import type { OrganizationReader } from './organization-reader';
import { readLastCompletedRun, readRecentRuns, readRunCheckpointOf, type RunCheckpoint, type RunRecord } from './run-history';
import type { ScheduleVolume } from './schedule-volume';
import type { SkipCount } from './skip-summary';

/** Days the volume chart covers, today included. */
export const VOLUME_DAYS = 365;
const RECENT_RUNS = 20;
/** Databases up to this size (some 12k contacts) are aggregated on the main thread: under 150 ms (60 MB, 50k contacts, measured 560 ms). */
const INLINE_READ_MAX_BYTES = 16 * 1024 * 1024;
/** How long a page waits for an aggregate it asked for before showing the previous one (or a placeholder). */
const PAGE_WAIT_MS = 2_500;

export interface OrganizationOverview {
  /** Null while the first read of a large database is still going. */
  readonly volume: Aggregate<ScheduleVolume> | null;
  readonly skips: Aggregate<SkipCount[]> | null;
  readonly runs: readonly RunRecord[];
}

/**
 * What the pages and metrics read from an organization. Reads by key (a
 * contact, the latest runs) are done at once; whole-schedule aggregates on
 * the aggregate thread, kept until the database changes.
 */
export class OrganizationViews {
  constructor(
    private readonly reader: OrganizationReader,
    private readonly pool: AggregatePool,
    private readonly cache: AggregateCache,
    private readonly config: Config,
    private readonly now: () => Date,
  ) {}

  /** Today in the configured time zone, as a day number. */
  today(): number {
    return dayInZone(this.now(), this.config.timezone);
  }

  organizations(): string[] {
    return this.reader.organizations();
  }

  unservedFiles(): UnservedFile[] {
    return this.reader.unservedFiles();
  }

  /** An organization that exists, or a NotFoundError. */
  known(organization: string): string {
    if (!this.organizations().includes(organization)) throw new NotFoundError(`no organization ${organization}`);
    return organization;
  }

  async overview(organization: string): Promise<OrganizationOverview> {
    const today = this.today();
    const path = this.reader.path(organization);
    const [volume, skips] = await Promise.all([
      this.aggregate(organization, `volume-${today}`, { kind: 'volume', path, firstDay: today, dayCount: VOLUME_DAYS, config: this.config }, PAGE_WAIT_MS),
      this.aggregate(organization, 'skips', { kind: 'skips', path }, PAGE_WAIT_MS),
    ]);
    return { volume, skips, runs: this.reader.read(organization, (db) => readRecentRuns(db, RECENT_RUNS)) };
  }

  contact(organization: string, contactId: number): ContactSchedule {
    const schedule = this.reader.read(organization, (db) => readContactSchedule(db, contactId, this.config, this.today()));
    if (schedule === null) throw new NotFoundError(`organization ${organization} has no contact ${contactId}`);
    return schedule;
  }

  /** A run's checkpoint; null when it has none, or the organization is not served here. */
  checkpoint(organization: string, runId: string): RunCheckpoint | null {
    if (!this.organizations().includes(organization)) return null;
    return this.reader.read(organization, (db) => readRunCheckpointOf(db, runId));
  }

  lastCompletedRun(organization: string): RunRecord | null {
    return this.reader.read(organization, readLastCompletedRun);
  }

  /** Runs by status; the previous figures (or null) while a new read goes on. */
  async runCounts(organization: string): Promise<Record<string, number> | null> {
    return (await this.aggregate(organization, 'run-counts', { kind: 'run-counts', path: this.reader.path(organization) }, 0))?.value ?? null;
  }

  /** Emails by status and type; the previous figures (or null) while a new read goes on. */
  async emailCounts(organization: string): Promise<EmailCount[] | null> {
    return (await this.aggregate(organization, 'email-counts', { kind: 'email-counts', path: this.reader.path(organization) }, 0))?.value ?? null;
  }

  private aggregate<Task extends AggregateTask>(
    organization: string,
    name: string,
    task: Task,
    waitMs: number,
  ): Promise<Aggregate<AggregateResult<Task>> | null> {
    const version = this.reader.dataVersion(organization);
    // A small file is read at once, on the open connection (milliseconds); a large one on the aggregate thread.
    const read = (statSync(task.path, { throwIfNoEntry: false })?.size ?? 0) < INLINE_READ_MAX_BYTES
      ? async () => this.reader.read(organization, (db) => readAggregate(db, task))
      : () => this.pool.run(task);
    return this.cache.get(`${organization}/${name}`, version, read, waitMs).catch((error: unknown) => {
      throw new UnavailableError(
        `the database of organization ${organization} cannot be read: ${error instanceof Error ? error.message : String(error)}`,
        { cause: error },
      );
    });
  }
}
