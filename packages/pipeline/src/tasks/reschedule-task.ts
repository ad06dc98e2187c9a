import { CandidateTable, finalizeRun } from '@scheduler/core';
import { PhaseTimer } from '../phase-timer';
import { balancingSummary, contactSummary, emailCounts } from '../run-summary';
import type { RescheduleResult, RescheduleTask } from '../thread-tasks';
import { scheduleContacts } from './schedule-contacts';
import { configOf, dayOf, loggerFor, portOptions, withPort } from './task-resources';

/** How many of the ids asked for that are no contact a reschedule's log line names. */
const NOT_FOUND_NAMED = 20;

/** A reschedule reads through a memory map (see PortOptions.mmapMb): a few pages of it. */
const RESCHEDULE_MMAP_MB = 256;

/** A targeted reschedule (RULES.md §10): deferred while a full run is in flight, else computed and committed. */
export const reschedule = (task: RescheduleTask): RescheduleResult => {
  const started = performance.now();
  const timer = new PhaseTimer();
  const log = loggerFor(task.log);
  const config = configOf(task.configJson);
  return withPort(task.files.databasePath, { ...portOptions(config, false), mmapMb: RESCHEDULE_MMAP_MB }, (port) => {
    timer.lap('openMs');
    // However old: whether the run is over is the queue's to say (RunFailures.recordedWhenOver).
    const fullRun = port.fullRunInFlight();
    if (fullRun !== null) return { status: 'deferred', fullRun };
    const today = dayOf(task.asOf);
    const instanceId = 'campaignInstanceId' in task.target ? task.target.campaignInstanceId : null;
    // Read before the campaign tables: a change logged after that may be missing from this reschedule's rows,
    // so only these rows are marked processed (RULES.md §10, "Nothing lost").
    const pendingChangeIds = instanceId === null ? [] : port.pendingChangeIds(instanceId);
    const targets = instanceId === null ? [...new Set((task.target as { contactIds: readonly number[] }).contactIds)] : port.campaignTargets(instanceId);
    if (targets === 'all') return { status: 'needs-full-run' };
    const contactIds = targets.sort((a, b) => a - b);
    const unreadable: Record<string, number> = {};
    const inputs = port.contactInputsOf(contactIds, today, unreadable);
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
      unreadable,
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
      // So does its configuration, when it is not the one in force: the sender finds there the time zone and send
      // time of the latest rows.
      const writes = port.commitContacts(task.runId, contactIds, table, config.send_time, pendingChangeIds, () => {
        port.completeCheckpoint(task.runId, {
          contactsProcessed: stats.total,
          emailsScheduled: emails.pre_scheduled,
          emailsSkipped: emails.skipped,
        });
        port.recordConfig(task.configJson);
      });
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
