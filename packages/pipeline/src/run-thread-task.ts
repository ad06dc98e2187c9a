import {
  CandidateTable,
  contactPlacement,
  createSchedulingContext,
  finalizeRun,
  parseConfig,
  parseIsoDate,
  scheduleContactInto,
  type Config,
  type ContactInputs,
  type ExistingDayCounts,
} from '@scheduler/core';
import { zipToState } from '@scheduler/zip-states';
import { translateSqliteError } from '@scheduler/db';
import { createLogger, type Logger } from './logger';
import { PhaseTimer } from './phase-timer';
import { BackupFailedError, ChunkNotPlannedError, MissingChunkResultsError, RunOverError } from './run-errors';
import { collectWhenIdle } from './release-memory';
import { openOrganizationPort, type PortOptions } from './sqlite-organization';
import type { OrganizationPort, WriteCounts } from './organization-port';
import { addContactStats, countOutcome, emptyContactStats, type ContactStats } from './run-stats';
import { balancingSummary, contactSummary, emailCounts, type RunSummary } from './run-summary';
import type { TableHolder } from './schedule-rows';
import { StagingStore } from './staging/staging-store';
import { decodeTable, encodeTable } from './table-codec';
import { taskFailureOf } from './task-errors';
import { warmUpThread } from './warm-up';
import type {
  BackupTask,
  ComputeChunkResult,
  ComputeChunkTask,
  FailRunTask,
  FinalizeRunTask,
  PendingChangesResult,
  PendingChangesTask,
  PlanRunResult,
  PlanRunTask,
  RescheduleResult,
  RescheduleTask,
  TaskLogContext,
  ThreadTask,
  ThreadTaskResult,
} from './thread-tasks';

/** How many of the ids asked for that are no contact a reschedule's log line names. */
const NOT_FOUND_NAMED = 20;

/** Emails per contact of a typical organization (3.3 measured on the seed); more only grows the table. */
const EMAILS_PER_CONTACT_ESTIMATE = 3.5;

/** A reschedule reads through a memory map (see PortOptions.mmapMb): a few pages of it. */
const RESCHEDULE_MMAP_MB = 256;

/** A reschedule waits for a full run only this long: a run older than this is taken as abandoned. */
const FULL_RUN_IN_FLIGHT_MAX_AGE_MS = 6 * 60 * 60 * 1000;

let threadLogger: Logger | null = null;
const loggerFor = (context: TaskLogContext): Logger => {
  threadLogger ??= createLogger({ level: context.level, toStderr: context.toStderr });
  const { level: _level, toStderr: _toStderr, ...bindings } = context;
  return threadLogger.child(bindings);
};

const configOf = (configJson: string): Config => parseConfig(JSON.parse(configJson), 'the run configuration');

const portOptions = (config: Config, readonly: boolean): PortOptions => ({
  readonly,
  timeZone: config.timezone,
  followupLookbackDays: config.timing.followup_lookback_days,
});

const dayOf = (isoDate: string): number => {
  const day = parseIsoDate(isoDate);
  if (day === null) throw new Error(`as-of day ${isoDate} is not a calendar date`);
  return day;
};

// Both helpers close what they opened once `work` is done, including asynchronous work.
const closing = <T>(resource: { close(): void }, work: () => T): T => {
  let result: T;
  try {
    result = work();
  } catch (error) {
    resource.close();
    throw error;
  }
  if (result instanceof Promise) return result.finally(() => resource.close()) as T;
  resource.close();
  return result;
};

const withPort = <T>(path: string, options: PortOptions, work: (port: OrganizationPort) => T): T => {
  const port = openOrganizationPort(path, options);
  return closing(port, () => work(port));
};

const withStaging = <T>(path: string, work: (staging: StagingStore) => T): T => {
  const staging = new StagingStore(path);
  return closing(staging, () => work(staging));
};

/**
 * The thread's table for chunks, emptied for each: its columns' memory serves
 * chunk after chunk instead of megabytes allocated and zeroed per chunk (the
 * staging store keeps an encoded copy; a thread runs one task at a time).
 */
let chunkTable: CandidateTable | null = null;
const emptyChunkTable = (expectedContacts: number): CandidateTable => {
  if (chunkTable === null) chunkTable = new CandidateTable({ contacts: expectedContacts, emails: expectedContacts * 4 });
  else chunkTable.clear();
  return chunkTable;
};

/** Per-contact rules over a list of contacts, into `table`: the chunk's (or a reschedule's) candidates. */
const scheduleContacts = (
  port: OrganizationPort,
  config: Config,
  today: number,
  contacts: Iterable<ContactInputs>,
  table: CandidateTable,
  log: Logger,
): { table: CandidateTable; stats: ContactStats } => {
  const { context, warnings } = createSchedulingContext({
    today,
    config,
    zipToState,
    campaignTypes: port.campaignTypes(),
    campaignInstances: port.campaignInstances(),
  });
  for (const warning of warnings) log.warn(warning);
  const placement = contactPlacement(context, table);
  const stats = emptyContactStats();
  for (const inputs of contacts) countOutcome(stats, scheduleContactInto(placement, inputs));
  return { table, stats };
};

const planRun = (task: PlanRunTask): PlanRunResult => {
  const config = configOf(task.configJson);
  return withStaging(task.files.stagingPath, (staging) =>
    withPort(task.files.databasePath, portOptions(config, false), (port) => {
      const staged = staging.run(task.runId);
      const summary = task.rerun ? null : (staged?.summary ?? null);
      if (summary !== null) {
        const completed = port.completedRun(task.runId);
        if (completed.state === 'inputs-unchanged') return { status: 'already-completed', summary };
        if (completed.state === 'inputs-changed') {
          // Asked for again after it ran again under another name (its inputs changed, or a rerun): that run answers.
          const inForce = port.sameRunInForce(task.runId);
          const inForceSummary = inForce === null ? null : (staging.run(inForce)?.summary ?? null);
          if (inForceSummary !== null) return { status: 'already-completed', summary: inForceSummary };
          return { status: 'inputs-changed', summary, generation: completed.generation };
        }
      }
      if (task.flowTaken === true) return { status: 'flow-taken' };
      // Read before any chunk reads the campaign tables: the rows the commit may mark processed (RULES.md §10).
      const pendingChangeIds = port.pendingChangeIds();
      const chunks = port.chunkRanges(config.batch_size);
      const beyond = port.contactsBeyondSafeIds();
      if (beyond.count > 0) {
        loggerFor(task.log).warn(
          { contacts: beyond.count, ids: beyond.examples },
          `${beyond.count} contacts have an id beyond ±(2^53 − 1), which this scheduler cannot hold exactly: they are skipped (first ids: ${beyond.examples.join(', ')})`,
        );
      }
      staging.planRun({ runId: task.runId, organization: task.files.organization, asOf: task.asOf, configJson: task.configJson }, chunks, pendingChangeIds);
      port.startCheckpoint(task.runId);
      const later = staging.latestCompletedAsOf();
      if (later !== null && later > task.asOf) {
        // Asked for on purpose (scheduler run --as-of), or an old request retried in Bull Board: ops should know.
        loggerFor(task.log).warn({ latestCompletedAsOf: later }, `a run as of ${later} has completed; this run, as of ${task.asOf}, replaces its schedule`);
      }
      return { status: 'planned', chunks, contactRows: port.contactRowCount() };
    }),
  );
};

const computeChunk = (task: ComputeChunkTask): ComputeChunkResult => {
  const started = performance.now();
  const log = loggerFor(task.log);
  return withStaging(task.files.stagingPath, (staging) => {
    const run = staging.run(task.runId);
    if (run === null) throw new Error(`run ${task.runId} was never planned`);
    if (run.status === 'failed') throw new RunOverError(task.runId);
    // A failure here would fail the committed run's finalizer too, should that be retried by hand as well.
    if (run.status === 'completed') return { chunkIndex: task.chunk.chunkIndex, notComputed: 'the run has completed' };
    const planned = staging.plannedRange(task.runId, task.chunk.chunkIndex);
    if (planned !== undefined && (planned?.fromId !== task.chunk.fromId || planned.toId !== task.chunk.toId)) {
      throw new ChunkNotPlannedError(task.runId, task.chunk, planned);
    }
    const config = configOf(run.configJson);
    const { table, stats } = withPort(task.files.databasePath, portOptions(config, true), (port) => {
      const today = dayOf(run.asOf);
      return scheduleContacts(
        port,
        config,
        today,
        port.contactInputsInRange(task.chunk, today),
        emptyChunkTable(Math.max(16, Math.min(task.chunk.toId - task.chunk.fromId + 1, 100_000))),
        log,
      );
    });
    staging.saveChunk(task.runId, task.chunk.chunkIndex, stats, encodeTable(table));
    const durationMs = Math.round(performance.now() - started);
    log.info({ contacts: stats.total, emails: table.emailCount, durationMs }, 'chunk computed');
    return { chunkIndex: task.chunk.chunkIndex, contacts: stats.total, emails: table.emailCount, durationMs };
  });
};

const finalizeFullRun = (task: FinalizeRunTask): RunSummary => {
  const log = loggerFor(task.log);
  return withStaging(task.files.stagingPath, (staging) => {
    const run = staging.run(task.runId);
    if (run === null) throw new Error(`run ${task.runId} was never planned`);
    if (run.status === 'completed' && run.summary !== null) return run.summary;
    if (run.status === 'failed') throw new RunOverError(task.runId);
    const backupOutcome = staging.backup(task.runId);
    if (backupOutcome?.status === 'failed') {
      const error = new BackupFailedError(task.runId, backupOutcome.error);
      withPort(task.files.databasePath, { readonly: false }, (port) => port.failCheckpoint(task.runId, error.message));
      throw error;
    }
    const config = configOf(run.configJson);
    const today = dayOf(run.asOf);

    const timer = new PhaseTimer();
    return withPort(task.files.databasePath, portOptions(config, false), (port) => {
      if (run.summary !== null && port.completedRun(task.runId).state !== 'not-completed') {
        // Committed, but its worker died before the staging file said so. Committing the staged results again
        // would undo what was committed since (a reschedule, RULES.md §10): the summary staged in the commit answers.
        log.warn('the run committed before its worker stopped; its summary answers, and nothing is committed again');
        staging.finishRun(task.runId, 'completed', run.summary);
        return run.summary;
      }
      const contactRows = port.contactRowCount();
      // The table lives only in this holder, never in a local: the commit releases it (see schedule-rows.ts).
      // The planned count, not the job's: job data edited by hand cannot make a commit leave contacts out.
      const held = appendChunks(staging, task.runId, run.chunkCount, contactRows);
      timer.lap('appendMs');
      try {
        const { result, emails, emailCount } = balance(held, today, config, contactRows, port.existingDayCounts(today));
        timer.lap('finalizeMs');
        // The commit's writes go on while the backup is verified; its COMMIT waits for the verified copy
        // (a full run's changes land only once a verified point-in-time copy of the state before it exists,
        // so that a bad run can always be undone from a copy known to be readable).
        // The checkpoint's completion and the run's configuration are in that transaction too: the
        // checkpoint says completed exactly when the schedule is the run's.
        let backupWaitMs = 0;
        const contactsProcessed = held.stats.total;
        const contacts = contactSummary(held.stats, port.contactsBeyondSafeIds().count);
        const summaryOf = (writes: WriteCounts): RunSummary => ({
          run_id: task.runId,
          organization: task.files.organization,
          kind: 'full',
          status: 'completed',
          as_of: run.asOf,
          contacts,
          emails,
          balancing: balancingSummary(result),
          writes,
          duration_ms: Date.now() - run.startedAtMs,
        });
        const writes = port.commitFullRun(task.runId, held, config.send_time, staging.changeLogIdsSeen(task.runId), (writes) => {
          const waitStarted = performance.now();
          const backup = verifiedBackup(staging, task.runId);
          backupWaitMs = Math.round(performance.now() - waitStarted);
          port.recordStartChecksums(task.runId, backup);
          port.completeCheckpoint(task.runId, {
            contactsProcessed,
            emailsScheduled: emails.pre_scheduled,
            emailsSkipped: emails.skipped,
          });
          port.recordConfig(run.configJson);
          // For a retry after the COMMIT, should this worker die before the staging file says the run completed.
          staging.stageSummary(task.runId, summaryOf(writes));
        });
        timer.lap('commitMs');
        const summary = summaryOf(writes);
        try {
          staging.finishRun(task.runId, 'completed', summary);
        } catch (error) {
          // The run is committed, and the checkpoint says so: failing the job now would report a committed run
          // as failed, and its retries would commit it again. Only its kept summary is lost (asked for again,
          // the run is planned again).
          log.error({ err: error }, 'the run is committed, but its summary could not be kept in the staging file');
        }
        timer.lap('stagingMs');
        log.info({ emails: emailCount, ...writes, ...timer.phases, backupWaitMs }, 'run committed');
        return summary;
      } catch (error) {
        // An attempt that will be retried leaves the run in flight (its checkpoint started), so that a reschedule
        // asked for meanwhile still waits for it (RULES.md §10); a run that failed for good is recorded by its
        // worker (fleet.ts) when BullMQ gives up, or here when no retry can help.
        if (!taskFailureOf(error).retryable) port.failCheckpoint(task.runId, error instanceof Error ? error.message : String(error));
        throw error;
      }
    });
  });
};

/**
 * The organization-wide rules over the held table, and what the summary needs of it. A function of its
 * own: its frame, which references the table, is gone before the commit that releases it.
 */
const balance = (held: TableHolder, today: number, config: Config, contactRowCount: number, existing: ExistingDayCounts) => {
  const table = held.table!;
  const result = finalizeRun({ table, today, config, contactRowCount, existing });
  return { result, emails: emailCounts(table), emailCount: table.emailCount };
};

/**
 * Every chunk's staged result in one table, sized for the whole run up front (growing columns of millions
 * would hold two copies at once). The count is checked on the results appended, not before: a run failed for
 * good meanwhile has its results dropped, and a commit of fewer chunks would delete the rows of every contact
 * the missing ones hold.
 */
const appendChunks = (
  staging: StagingStore,
  runId: string,
  chunkCount: number,
  contactRows: number,
): TableHolder & { stats: ContactStats } => {
  const table = new CandidateTable({ contacts: contactRows, emails: Math.ceil(contactRows * EMAILS_PER_CONTACT_ESTIMATE) });
  const stats = emptyContactStats();
  let appended = 0;
  for (const chunk of staging.chunks(runId)) {
    table.append(decodeTable(chunk.table));
    addContactStats(stats, chunk.stats);
    appended += 1;
  }
  if (appended !== chunkCount) throw new MissingChunkResultsError(runId, appended, chunkCount);
  return { table, stats };
};

const reschedule = (task: RescheduleTask): RescheduleResult => {
  const started = performance.now();
  const timer = new PhaseTimer();
  const log = loggerFor(task.log);
  const config = configOf(task.configJson);
  return withPort(task.files.databasePath, { ...portOptions(config, false), mmapMb: RESCHEDULE_MMAP_MB }, (port) => {
    timer.lap('openMs');
    const fullRun = port.fullRunInFlight(FULL_RUN_IN_FLIGHT_MAX_AGE_MS);
    if (fullRun !== null) return { status: 'deferred', fullRun };
    const today = dayOf(task.asOf);
    const instanceId = 'campaignInstanceId' in task.target ? task.target.campaignInstanceId : null;
    // Read before the campaign tables: a change logged after that may be missing from this reschedule's rows,
    // so only these rows are marked processed (RULES.md §10, "Nothing lost").
    const pendingChangeIds = instanceId === null ? [] : port.pendingChangeIds(instanceId);
    const targets = instanceId === null ? [...new Set((task.target as { contactIds: readonly number[] }).contactIds)] : port.campaignTargets(instanceId);
    if (targets === 'all') return { status: 'needs-full-run' };
    const contactIds = targets.sort((a, b) => a - b);
    const inputs = port.contactInputsOf(contactIds, today);
    const found = new Set(inputs.map((input) => input.contact.id));
    const notFound = contactIds.filter((id) => !found.has(id));
    if (notFound.length > 0 && instanceId === null) {
      // Their rows go (a deleted contact has no schedule); an id mistyped is worth a word.
      log.warn({ notFound: notFound.slice(0, NOT_FOUND_NAMED), count: notFound.length }, `${notFound.length} of the contacts asked for are not in the organization`);
    }
    const { table, stats } = scheduleContacts(
      port,
      config,
      today,
      inputs,
      new CandidateTable({ contacts: contactIds.length, emails: contactIds.length * 4 }),
      log,
    );
    timer.lap('computeMs');
    try {
      port.startCheckpoint(task.runId, contactIds);
      timer.lap('startCheckpointMs');
      const result = finalizeRun({
        table,
        today,
        config,
        contactRowCount: port.contactRowCount(),
        existing: port.existingDayCounts(today, contactIds),
      });
      timer.lap('finalizeMs');
      const emails = emailCounts(table);
      // The checkpoint's completion commits with the rows: it says completed exactly when they are the reschedule's.
      const writes = port.commitContacts(task.runId, contactIds, table, config.send_time, pendingChangeIds, () =>
        port.completeCheckpoint(task.runId, {
          contactsProcessed: stats.total,
          emailsScheduled: emails.pre_scheduled,
          emailsSkipped: emails.skipped,
        }),
      );
      timer.lap('commitMs');
      log.info({ contacts: contactIds.length, emails: table.emailCount, ...timer.phases }, 'reschedule committed');
      return {
        status: 'completed',
        summary: {
          run_id: task.runId,
          organization: task.files.organization,
          kind: 'contacts',
          status: 'completed',
          as_of: task.asOf,
          contacts: { ...contactSummary(stats), not_found: instanceId === null ? notFound : [] },
          emails,
          balancing: balancingSummary(result),
          writes,
          duration_ms: Math.round(performance.now() - started),
        },
      };
    } catch (error) {
      port.failCheckpoint(task.runId, error instanceof Error ? error.message : String(error));
      throw error;
    }
  });
};

const pendingChanges = (task: PendingChangesTask): PendingChangesResult =>
  withPort(task.files.databasePath, { readonly: true }, (port) => port.pendingChangesByInstance());

/**
 * A full run's point-in-time backup, verified, and its start checksums: read-only on the organization's
 * file (its finalizer, which waits for the outcome in the staging file, writes the checksums inside its
 * commit). Runs in a process of its own (see backup-process.ts). A backup already verified for the run is
 * not taken again.
 */
const backup = async (task: BackupTask): Promise<{ path: string; bytes: number }> => {
  const started = performance.now();
  const timer = new PhaseTimer();
  const log = loggerFor(task.log);
  return withStaging(task.files.stagingPath, async (staging) => {
    const done = staging.backup(task.runId);
    if (done?.status === 'verified') {
      log.info({ path: done.path }, 'backup already taken and verified');
      return { path: done.path, bytes: done.bytes };
    }
    if (staging.run(task.runId)?.status === 'failed') throw new RunOverError(task.runId);
    const outcome = await withPort(task.files.databasePath, { readonly: true }, async (port) => {
      const checksums = port.startChecksums();
      timer.lap('checksumsMs');
      const copy = await port.backup();
      timer.lap('backupMs');
      return { ...checksums, ...copy };
    });
    staging.recordBackup(task.runId, { status: 'verified', ...outcome });
    const copy = { path: outcome.path, bytes: outcome.bytes };
    log.info(
      { ...copy, durationMs: Math.round(performance.now() - started), ...timer.phases, maxRssMb: Math.round(process.resourceUsage().maxRSS / 1024) },
      'backup taken and verified',
    );
    return copy;
  });
};

const failRun = (task: FailRunTask): { recorded: boolean } =>
  withStaging(task.files.stagingPath, (staging) => {
    // A run ends once: a job of it retried by hand afterwards does nothing, or fails (RunOverError), and the run keeps its outcome.
    const status = staging.run(task.runId)?.status;
    if (status === 'failed' || status === 'completed') return { recorded: false };
    withPort(task.files.databasePath, { readonly: false }, (port) => port.failCheckpoint(task.runId, task.error));
    staging.finishRun(task.runId, 'failed', null);
    return { recorded: true };
  });

/** A finalizer gives up waiting for its run's verified backup after this long (a retry waits again). */
const BACKUP_WAIT_MS = 30 * 60 * 1000;
const BACKUP_POLL_MS = 25;

const sleepSync = (ms: number): void => {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
};

/**
 * Blocks (a compute thread, inside the commit's transaction) until the run's backup job has recorded a
 * verified copy; throws when it failed for good, or after BACKUP_WAIT_MS.
 */
const verifiedBackup = (staging: StagingStore, runId: string, waitMs = BACKUP_WAIT_MS) => {
  const deadline = Date.now() + waitMs;
  for (;;) {
    const outcome = staging.backup(runId);
    if (outcome?.status === 'verified') return outcome;
    if (outcome?.status === 'failed') throw new BackupFailedError(runId, outcome.error);
    if (Date.now() >= deadline) throw new Error(`run ${runId}: no verified backup after ${Math.round(waitMs / 1000)} s; the commit needs one`);
    sleepSync(BACKUP_POLL_MS);
  }
};

/** The entry of every compute thread task; failures come back as values (see TaskFailure). */
export const runThreadTask = async (task: ThreadTask): Promise<ThreadTaskResult<ThreadTask>> => {
  collectWhenIdle.taskStarted();
  try {
    return await runTask(task);
  } finally {
    collectWhenIdle.taskEnded();
  }
};

const runTask = async (task: ThreadTask): Promise<ThreadTaskResult<ThreadTask>> => {
  try {
    switch (task.kind) {
      case 'warm-up':
        return warmUpThread();
      case 'plan-run':
        return planRun(task);
      case 'compute-chunk':
        return computeChunk(task);
      case 'finalize-run':
        return finalizeFullRun(task);
      case 'backup':
        return await backup(task);
      case 'reschedule':
        return reschedule(task);
      case 'pending-changes':
        return pendingChanges(task);
      case 'fail-run':
        return failRun(task);
    }
  } catch (error) {
    // A SQLite error that no step translated still names the file it concerns (a read-only file, a full disk).
    return taskFailureOf('files' in task ? translateSqliteError(error, `${task.kind} in ${task.files.databasePath}`) : error);
  }
};
