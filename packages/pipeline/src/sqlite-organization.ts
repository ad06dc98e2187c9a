import { createHash } from 'node:crypto';
import { formatIsoDate, type CandidateTable, type ContactInputs, type ExistingDayCounts } from '@scheduler/core';
import {
  advanceInputGeneration,
  backupOrganizationDb,
  completeRunCheckpoint,
  contactChunks,
  rowsBeyondSafeIds,
  countContactRows,
  existingDayCounts,
  existingDayCountsOfTable,
  failRunCheckpoint,
  inWriteTransaction,
  markCampaignChangesProcessed,
  migrateOpenOrganizationDb,
  openOrganizationDb,
  readCampaignInstances,
  readCampaignTypes,
  readContactInputPages,
  readInputGeneration,
  readPendingCampaignChanges,
  readRunCheckpoint,
  recordConfigVersion,
  replaceContactsSchedule,
  replaceOrganizationSchedule,
  schema,
  contactsChecksum,
  contactSchedulesChecksum,
  schedulesChecksum,
  schedulesChecksumFromDigests,
  startRunCheckpoint,
  utcDatetime,
  withDatabaseErrors,
  type OrganizationDb,
  type ReplaceSummary,
  type ChangeLogId,
} from '@scheduler/db';
import { and, asc, between, desc, eq, inArray, isNull, or, sql } from 'drizzle-orm';
import type { CheckpointCompletion, CompletedRun, OrganizationPort, RunInFlight, StartChecksums, WriteCounts } from './organization-port';
import { addCounts } from './run-stats';
import { ScheduleRowStream, type TableHolder } from './schedule-rows';

const { schedulerCheckpoints, contactCampaigns, campaignInstances, campaignTypes, contacts } = schema;

/** A full run's contacts checksum until its backup job has computed it. */
const CHECKSUM_PENDING = 'pending';

export interface PortOptions {
  readonly readonly: boolean;
  readonly timeZone?: string;
  readonly followupLookbackDays?: number;
  readonly backupRetentionDays?: number;
  /**
   * Memory-mapped reads up to this size. For a reschedule: on a fresh connection, counting the contacts
   * (RULES.md §9's N) through pread costs 10–40 ms at 300k contacts, through the map under 1 ms (only
   * page headers are touched). Pages it touches count toward the process's memory while it is open.
   */
  readonly mmapMb?: number;
}

/**
 * Page cache of a full run's commit. Its rows arrive sorted, so the b-trees it keeps up to date grow at
 * their ends and need few pages; 256 MB of cache beside the run's candidate table took the worker past
 * 1 GB (measured 1,025 MB at 1M contacts).
 */
const FULL_RUN_COMMIT_CACHE_MB = 128;

/** Contact ids bound in one statement of a targeted reschedule's checksum. */
const CONTACTS_PER_STATEMENT = 500;

const sha256Of = (rows: Iterable<unknown[]>): string => {
  const hash = createHash('sha256');
  for (const row of rows) hash.update(`${JSON.stringify(row)}\n`);
  return hash.digest('hex');
};

class SqliteOrganization implements OrganizationPort {
  constructor(
    private readonly db: OrganizationDb,
    private readonly options: PortOptions,
  ) {}

  get path(): string {
    return this.db.path;
  }

  close(): void {
    this.db.close();
  }

  contactRowCount(): number {
    return countContactRows(this.db);
  }

  chunkRanges(batchSize: number) {
    return contactChunks(this.db, batchSize).map(({ chunkIndex, fromId, toId }) => ({ chunkIndex, fromId, toId }));
  }

  rowsBeyondSafeIds(table: 'contacts' | 'campaign_instances') {
    return rowsBeyondSafeIds(this.db, table);
  }

  campaignTypes() {
    return readCampaignTypes(this.db);
  }

  campaignInstances() {
    return readCampaignInstances(this.db);
  }

  *contactInputsInRange(range: { fromId: number; toId: number }, today: number, unreadable: Record<string, number>): Generator<ContactInputs> {
    for (const page of readContactInputPages(this.db, {
      ...range,
      timeZone: this.options.timeZone ?? 'America/Chicago',
      behaviourSinceDay: today - (this.options.followupLookbackDays ?? 35),
    })) {
      addCounts(unreadable, page.unreadable);
      yield* page.inputs;
    }
  }

  contactInputsOf(contactIds: readonly number[], today: number, unreadable: Record<string, number>): ContactInputs[] {
    const inputs: ContactInputs[] = [];
    for (const id of contactIds) for (const input of this.contactInputsInRange({ fromId: id, toId: id }, today, unreadable)) inputs.push(input);
    return inputs;
  }

  campaignTargets(campaignInstanceId: number): number[] | 'all' {
    const row = this.db.orm
      .select({ targetAll: campaignTypes.targetAllContacts })
      .from(campaignInstances)
      .innerJoin(campaignTypes, eq(campaignTypes.name, campaignInstances.campaignType))
      .where(eq(campaignInstances.id, campaignInstanceId))
      .get();
    if (row?.targetAll === true) return 'all';
    const targets = this.db.orm
      .selectDistinct({ contactId: contactCampaigns.contactId })
      .from(contactCampaigns)
      .where(
        and(
          eq(contactCampaigns.campaignInstanceId, campaignInstanceId),
          or(inArray(contactCampaigns.status, ['pending', 'scheduled']), isNull(contactCampaigns.status)),
          // A contact beyond ±(2^53 − 1) is one no run schedules (rowsBeyondSafeIds): rounded, it would be another.
          between(contactCampaigns.contactId, -Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER),
        ),
      )
      .all()
      .map((target) => target.contactId);
    // A contact taken off the instance (or of an instance deleted) still holds its email until rescheduled, and
    // a follow-up of a sent campaign email carries the instance's templates: both are the instance's to redo.
    // A scan of the table (about 1 s at 3.7M rows) rather than the status index, whose lookup of every
    // pre-scheduled row measured ten times slower; no index is kept for this rare job.
    const holders = this.db.sqlite
      .prepare(
        `SELECT DISTINCT contact_id FROM email_schedules NOT INDEXED
          WHERE campaign_instance_id = ? AND status IN ('pre-scheduled', 'skipped')
            AND contact_id BETWEEN ${-Number.MAX_SAFE_INTEGER} AND ${Number.MAX_SAFE_INTEGER}`,
      )
      .pluck()
      .all(campaignInstanceId) as number[];
    return [...new Set([...targets, ...holders])];
  }

  existingDayCounts(today: number, rescheduledContacts?: readonly number[]): ExistingDayCounts {
    const from = formatIsoDate(today);
    if (rescheduledContacts === undefined) return existingDayCounts(this.db, from);
    // The per-day count table (exact through triggers, whoever changed a status) rather than days of index entries.
    return existingDayCountsOfTable(this.db, rescheduledContacts, from);
  }

  pendingChangesByInstance() {
    const latest = new Map<number, ChangeLogId>();
    const withoutInstance: ChangeLogId[] = [];
    for (const change of readPendingCampaignChanges(this.db)) {
      // SQLite keeps whatever a writer put in an INTEGER column: text, a fraction, an id JavaScript cannot hold.
      if (!Number.isSafeInteger(change.campaignInstanceId)) {
        withoutInstance.push(change.id);
        continue;
      }
      // Rows come in id order: the last one read is the latest (an id beyond ±(2^53 − 1) kept as text).
      latest.set(change.campaignInstanceId, change.id);
    }
    const byInstance = [...latest].map(([campaignInstanceId, latestChangeLogId]) => ({ campaignInstanceId, latestChangeLogId }));
    return { byInstance, withoutInstance };
  }

  pendingChangeIds(campaignInstanceId?: number): ChangeLogId[] {
    return readPendingCampaignChanges(this.db)
      .filter((change) => campaignInstanceId === undefined || change.campaignInstanceId === campaignInstanceId)
      .map((change) => change.id);
  }

  fullRunInFlight(): RunInFlight | null {
    const row = this.db.orm
      .select({ runId: schedulerCheckpoints.schedulerRunId, startedAt: schedulerCheckpoints.runTimestamp })
      .from(schedulerCheckpoints)
      .where(and(eq(schedulerCheckpoints.status, 'started'), sql`${schedulerCheckpoints.schedulerRunId} LIKE 'run-%'`))
      .orderBy(desc(schedulerCheckpoints.id))
      .get();
    return row === undefined ? null : { runId: row.runId, startedAtMs: Date.parse(`${row.startedAt.replace(' ', 'T')}Z`) };
  }

  checkpointStatus(runId: string): string | null {
    return readRunCheckpoint(this.db, runId)?.status ?? null;
  }

  completedRun(runId: string): CompletedRun {
    const checkpoint = readRunCheckpoint(this.db, runId);
    if (checkpoint?.status !== 'completed') return { state: 'not-completed' };
    const generation = readInputGeneration(this.db);
    const { completedAt } = checkpoint;
    if (generation !== null && checkpoint.inputGeneration === generation) return { state: 'inputs-unchanged', completedAt };
    return { state: 'inputs-changed', generation, completedAt };
  }

  private contactsChecksumOf(contactIds: readonly number[]): string {
    const ids = [...new Set(contactIds)].sort((a, b) => a - b);
    const rows: unknown[][] = [];
    // In batches: one statement takes at most 32,766 parameters, and a job may name 100,000 contacts.
    for (let start = 0; start < ids.length; start += CONTACTS_PER_STATEMENT) {
      const batch = this.db.orm
        .select({
          id: contacts.id,
          email: contacts.email,
          zip: contacts.zipCode,
          state: contacts.state,
          birth: contacts.birthDate,
          effective: contacts.effectiveDate,
        })
        .from(contacts)
        .where(inArray(contacts.id, ids.slice(start, start + CONTACTS_PER_STATEMENT)))
        .orderBy(asc(contacts.id))
        .all();
      for (const row of batch) rows.push(Object.values(row));
    }
    return sha256Of(rows);
  }

  /** Every content column of the scheduler's rows (of some contacts only, for a targeted reschedule). */
  private schedulesChecksumOf(contactIds?: readonly number[]): string {
    return contactIds === undefined ? schedulesChecksum(this.db) : contactSchedulesChecksum(this.db, contactIds);
  }

  private scope: readonly number[] | undefined;
  private lastCommit: ReplaceSummary | null = null;

  startCheckpoint(runId: string, contactIds?: readonly number[]): void {
    this.scope = contactIds;
    // A full run records its start at once (reschedules wait on it); its whole-organization checksums
    // come from its backup job, which runs beside the chunks. A targeted reschedule checksums only its
    // contacts: its cost must not grow with the organization.
    startRunCheckpoint(this.db, {
      runId,
      checksums: () =>
        contactIds === undefined
          ? { contactsChecksum: CHECKSUM_PENDING, schedulesBeforeChecksum: null }
          : { contactsChecksum: this.contactsChecksumOf(contactIds), schedulesBeforeChecksum: this.schedulesChecksumOf(contactIds) },
    });
  }

  startChecksums(): StartChecksums {
    // One read transaction for both: the two describe the same moment.
    return this.db.sqlite.transaction(() => ({
      contactsChecksum: contactsChecksum(this.db),
      // From the digests of the last commit when nobody touched those contacts since; else from every row.
      schedulesBeforeChecksum: schedulesChecksumFromDigests(this.db) ?? schedulesChecksum(this.db),
    }))();
  }

  recordStartChecksums(runId: string, checksums: StartChecksums): void {
    this.db.orm
      .update(schedulerCheckpoints)
      .set({ contactsChecksum: checksums.contactsChecksum, schedulesBeforeChecksum: checksums.schedulesBeforeChecksum })
      .where(and(eq(schedulerCheckpoints.schedulerRunId, runId), eq(schedulerCheckpoints.status, 'started')))
      .run();
  }

  completeCheckpoint(runId: string, completion: CheckpointCompletion): void {
    completeRunCheckpoint(this.db, runId, {
      ...completion,
      schedulesAfterChecksum: this.lastCommit?.schedulesChecksum ?? this.schedulesChecksumOf(this.scope),
      ...(this.scope === undefined ? { inputGeneration: this.generationAfterFullRun(runId) } : {}),
    });
  }

  /**
   * Inside a full run's commit. Its rows replace every earlier run's, so the generation moves: a run
   * completed before it, asked for again, runs again instead of being taken for what the file holds. The run
   * records the generation it leaves, unless something it read changed while it ran (it keeps the one it
   * started at, and runs again when asked for).
   */
  private generationAfterFullRun(runId: string): number | null {
    const startedAt = readRunCheckpoint(this.db, runId)?.inputGeneration ?? null;
    const unchangedSinceStart = startedAt !== null && startedAt === readInputGeneration(this.db);
    const after = advanceInputGeneration(this.db);
    return unchangedSinceStart ? after : startedAt;
  }

  lastCompletedFullRun(): string | null {
    // Full runs' ids start with run-. completed_at has whole seconds: of two runs completed within one, the one
    // planned later (a later row) is taken, which only a warning's wording rests on.
    const row = this.db.sqlite
      .prepare(`SELECT scheduler_run_id FROM scheduler_checkpoints WHERE status = 'completed' AND scheduler_run_id LIKE 'run-%' ORDER BY completed_at DESC, id DESC LIMIT 1`)
      .pluck()
      .get() as string | undefined;
    return row ?? null;
  }

  fullRunsCompletedAfter(runId: string): string[] {
    // Planned later: a later run_timestamp, or the same second and a later row. Full runs' ids start with run-.
    return this.db.sqlite
      .prepare(
        `SELECT later.scheduler_run_id FROM scheduler_checkpoints AS mine
           JOIN scheduler_checkpoints AS later
             ON later.status = 'completed' AND later.scheduler_run_id LIKE 'run-%' AND later.scheduler_run_id <> mine.scheduler_run_id
            AND (later.run_timestamp > mine.run_timestamp OR (later.run_timestamp = mine.run_timestamp AND later.id > mine.id))
          WHERE mine.scheduler_run_id = ?
          ORDER BY later.id DESC`,
      )
      .pluck()
      .all(runId) as string[];
  }

  sameRunInForce(runId: string): string | null {
    const generation = readInputGeneration(this.db);
    if (generation === null) return null;
    const row = this.db.sqlite
      .prepare(
        `SELECT scheduler_run_id FROM scheduler_checkpoints
          WHERE status = 'completed' AND input_generation = ?
            AND (scheduler_run_id = ? OR substr(scheduler_run_id, 1, length(?) + 1) = ? || '-')
          ORDER BY id DESC LIMIT 1`,
      )
      .pluck()
      .get(generation, runId, runId, runId) as string | undefined;
    return row ?? null;
  }

  failCheckpoint(runId: string, error: string): void {
    const stored = readRunCheckpoint(this.db, runId);
    // A full run's checksums come from its backup job: a run that failed before them (or before its
    // checkpoint) gets them here, so that its row too says what the organization held (RULES.md §10).
    const checksums = stored === undefined || stored.contactsChecksum === CHECKSUM_PENDING ? this.checksumsIfReadable() : null;
    if (stored === undefined) {
      this.db.orm
        .insert(schedulerCheckpoints)
        .values({
          runTimestamp: utcDatetime(new Date()),
          schedulerRunId: runId,
          contactsChecksum: checksums?.contactsChecksum ?? '',
          schedulesBeforeChecksum: checksums?.schedulesBeforeChecksum ?? null,
          status: 'started',
        })
        .run();
    } else if (checksums !== null) {
      this.recordStartChecksums(runId, checksums);
    }
    failRunCheckpoint(this.db, runId, error);
  }

  /** The start checksums, or null when the organization cannot be read (the failure is recorded all the same). */
  private checksumsIfReadable(): StartChecksums | null {
    try {
      return this.startChecksums();
    } catch {
      return null;
    }
  }

  recordConfig(configJson: string): void {
    recordConfigVersion(this.db, JSON.parse(configJson));
  }

  async backup(): Promise<{ path: string; bytes: number }> {
    const { path, bytes } = await backupOrganizationDb(this.db, { keepDays: this.options.backupRetentionDays ?? 7 });
    return { path, bytes };
  }

  commitFullRun(
    runId: string,
    run: TableHolder,
    sendTime: string,
    processedChangeIds: readonly ChangeLogId[],
    beforeCommit?: (writes: WriteCounts) => void,
  ): WriteCounts {
    const rows = new ScheduleRowStream(run, runId, sendTime, utcDatetime(new Date()), true);
    // A full run covers every contact, so it answers every change pending when it began (RULES.md §10);
    // one logged since may be missing from its rows and stays pending for its own reschedule.
    return this.commitInOneTransaction(
      `run ${runId}`,
      () => replaceOrganizationSchedule(this.db, runId, rows, { cacheSizeMb: FULL_RUN_COMMIT_CACHE_MB }),
      processedChangeIds,
      beforeCommit,
    );
  }

  commitContacts(
    runId: string,
    contactIds: readonly number[],
    table: CandidateTable,
    sendTime: string,
    processedChangeIds: readonly ChangeLogId[],
    beforeCommit?: (writes: WriteCounts) => void,
  ): WriteCounts {
    const rows = new ScheduleRowStream({ table }, runId, sendTime, utcDatetime(new Date()), false);
    return this.commitInOneTransaction(
      `reschedule ${runId}`,
      () => replaceContactsSchedule(this.db, runId, contactIds, rows),
      processedChangeIds,
      beforeCommit,
    );
  }

  /**
   * One transaction around a replacement of rows (its own transaction joins this one), the marks of the
   * change-log rows it answers, and `beforeCommit` (the run's checkpoint; a full run's wait for its backup).
   */
  private commitInOneTransaction(
    what: string,
    replace: () => ReplaceSummary,
    processedChangeIds: readonly ChangeLogId[],
    beforeCommit?: (writes: WriteCounts) => void,
  ): WriteCounts {
    const summary = withDatabaseErrors(`committing ${what} to ${this.db.path}`, () =>
      inWriteTransaction(this.db, () => {
        const replaced = replace();
        markCampaignChangesProcessed(this.db, processedChangeIds);
        // What completeCheckpoint reads (the schedules-after checksum), when `beforeCommit` calls it.
        this.lastCommit = replaced;
        beforeCommit?.(writeCounts(replaced));
        return replaced;
      }),
    );
    return writeCounts(summary);
  }
}

const writeCounts = (summary: ReplaceSummary): WriteCounts => ({
  inserted: summary.rowsInserted,
  deleted: summary.rowsDeleted,
  updated: summary.rowsUpdated,
  kept: summary.rowsKept,
});

/** Opens (and for writers, migrates) an organization's database behind the pipeline's port. */
export const openOrganizationPort = (path: string, options: PortOptions): OrganizationPort => {
  const db = openOrganizationDb(path, { readonly: options.readonly, mustExist: true });
  try {
    if (!options.readonly) migrateOpenOrganizationDb(db);
    if (options.mmapMb !== undefined) db.sqlite.pragma(`mmap_size = ${options.mmapMb * 1024 * 1024}`);
  } catch (error) {
    db.close();
    throw error;
  }
  return new SqliteOrganization(db, options);
};
