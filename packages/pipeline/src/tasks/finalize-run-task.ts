import { CandidateTable, finalizeRun, type Config, type ExistingDayCounts } from '@scheduler/core';
import type { OrganizationPort, WriteCounts } from '../organization-port';
import { PhaseTimer } from '../phase-timer';
import { collectGarbage } from '../release-memory';
import { BackupFailedError, MissingChunkResultsError, RunOverError, SupersededRunError } from '../run-errors';
import { addContactStats, emptyContactStats, type ContactStats } from '../run-stats';
import { balancingSummary, contactSummary, emailCounts, type RunSummary } from '../run-summary';
import type { TableHolder } from '../schedule-rows';
import type { StagingStore } from '../staging/staging-store';
import { COUNTS_PREFIX_BYTES, countsOfEncodedTable, decodeTable } from '../table-codec';
import { asOfInRunId } from '../run-identity';
import { taskFailureOf } from '../task-failure';
import type { FinalizeRunTask } from '../thread-tasks';
import { configOf, dayOf, loggerFor, portOptions, withPort, withStaging } from './task-resources';

/**
 * Emails per contact of a typical organization (3.3 measured on the seed), for a table whose chunks' counts
 * cannot be read ahead; more only grows the table.
 */
const EMAILS_PER_CONTACT_ESTIMATE = 3.5;

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

/**
 * Refuses a run that a full run planned after it has overtaken, as of the same day or a later one. A run as of
 * an earlier day (ops looking back) does not stop today's: the last to commit replaces its schedule.
 */
const refuseIfSuperseded = (port: OrganizationPort, staging: StagingStore, runId: string, asOf: string): void => {
  const asOfOf = (newer: string): string => staging.run(newer)?.asOf ?? asOfInRunId(newer) ?? asOf;
  const newer = port.fullRunsCompletedAfter(runId).find((id) => asOfOf(id) >= asOf);
  if (newer !== undefined) throw new SupersededRunError(runId, newer);
};

/** A full run's finalizer: the chunks' results balanced organization-wide (RULES.md §9) and committed. */
export const finalizeFullRun = (task: FinalizeRunTask): RunSummary => {
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
        refuseIfSuperseded(port, staging, task.runId, run.asOf);
        const { result, emails, emailCount } = balance(held, today, config, contactRows, port.existingDayCounts(today));
        // The balancing's working arrays (280 MB at 2M contacts) are garbage now, but nothing the commit allocates
        // would collect them before its end: collected here, before the output columns and the commit's cache fill.
        collectGarbage();
        timer.lap('finalizeMs');
        fillOutputColumns(staging, task.runId, held);
        timer.lap('appendMs');
        // The commit's writes go on while the backup is verified; its COMMIT waits for the verified copy
        // (a full run's changes land only once a verified point-in-time copy of the state before it exists,
        // so that a bad run can always be undone from a copy known to be readable).
        // The checkpoint's completion and the run's configuration are in that transaction too: the
        // checkpoint says completed exactly when the schedule is the run's.
        let backupWaitMs = 0;
        const contactsProcessed = held.stats.total;
        const contacts = contactSummary(held.stats, port.rowsBeyondSafeIds('contacts').count);
        if (Object.keys(contacts.unreadable_rows).length > 0) {
          log.warn({ unreadableRows: contacts.unreadable_rows }, "rows of the contacts' history, targets, clicks or answers could not be read and were left out");
        }
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
          // Again inside the commit's transaction, which no other commit can enter: one may have completed since.
          refuseIfSuperseded(port, staging, task.runId, run.asOf);
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
 * would hold two copies at once): from the counts at the head of each chunk's result (about 0.2 s at 2M
 * contacts), which an estimate per contact would overshoot by 7% on the seed (25 MB at 2M) and undershoot on a
 * campaign-heavy organization, doubling every column. The count is checked on the results appended, not before:
 * a run failed for good meanwhile has its results dropped, and a commit of fewer chunks would delete the rows of
 * every contact the missing ones hold.
 */
const appendChunks = (
  staging: StagingStore,
  runId: string,
  chunkCount: number,
  contactRows: number,
): TableHolder & { stats: ContactStats; chunkStarts: { emails: number; contacts: number }[] } => {
  const counts = staging.chunkHeads(runId, COUNTS_PREFIX_BYTES).map(countsOfEncodedTable);
  const known = counts.every((count) => count !== null);
  const sum = (of: 'emails' | 'contacts' | 'history') => counts.reduce((total, count) => total + count![of], 0);
  // The columns only the commit reads come in after the balancing (fillOutputColumns).
  const table = new CandidateTable({
    ...(known
      ? { contacts: sum('contacts'), emails: sum('emails'), history: sum('history') }
      : { contacts: contactRows, emails: Math.ceil(contactRows * EMAILS_PER_CONTACT_ESTIMATE) }),
    deferOutputColumns: true,
  });
  const stats = emptyContactStats();
  const chunkStarts: { emails: number; contacts: number }[] = [];
  let appended = 0;
  for (const chunk of staging.chunks(runId)) {
    chunkStarts.push({ emails: table.emailCount, contacts: table.contactCount });
    table.append(decodeTable(chunk.table, 'balancing'));
    addContactStats(stats, chunk.stats);
    appended += 1;
  }
  if (appended !== chunkCount) throw new MissingChunkResultsError(runId, appended, chunkCount);
  return { table, stats, chunkStarts };
};

/**
 * The balanced table's output columns (event day, campaign instance, templates, metadata), from the staged
 * chunks read a second time: left out of the table until now, they are not in memory beside the balancing's
 * own arrays (at 2M contacts, 150 MB of columns and most of the texts). A chunk that is not the one appended
 * (replaced since) stops the run there, before anything is written.
 */
const fillOutputColumns = (
  staging: StagingStore,
  runId: string,
  held: TableHolder & { chunkStarts: readonly { emails: number; contacts: number }[] },
): void => {
  const table = held.table!;
  let index = 0;
  for (const chunk of staging.chunks(runId)) {
    const start = held.chunkStarts[index++];
    if (start === undefined) throw new Error(`run ${runId}: more staged chunks than were appended`);
    table.fillOutputColumns(decodeTable(chunk.table, 'output'), start.emails, start.contacts);
  }
  if (index !== held.chunkStarts.length) throw new Error(`run ${runId}: fewer staged chunks than were appended`);
};
