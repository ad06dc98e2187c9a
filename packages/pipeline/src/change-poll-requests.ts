import type { Job, Queue } from 'bullmq';
import { PollChangesJobSchema, REQUEST_JOB_NAMES, parseJobData } from '@scheduler/queue';
import { advertisedOrganizations } from './advertised-organizations';
import type { FleetContext } from './fleet-context';
import { CHANGE_POLL_JOB_OPTIONS, RETRYING_JOB_OPTIONS } from './job-options';
import { addedBy } from './request-ids';
import { filesOf } from './request-inputs';
import { unwrapTaskResult } from './task-errors';
import type { PendingChangesResult } from './thread-tasks';

/**
 * The poll of `campaign_change_log`: a reschedule per campaign instance with pending change-log rows, named
 * after the latest row. One already asked for is not asked again, and one that failed for good is named (a
 * retry of it in Bull Board, or the next full run, answers those rows), as are rows that name no instance.
 */
export const changePollRequests = (fleet: FleetContext, requests: Queue) => {
  const { pool, locator, logger } = fleet;

  return async (job: Job): Promise<unknown> => {
    const { organization: polled } = parseJobData(PollChangesJobSchema, job.data ?? {}, job.name);
    const enqueued: string[] = [];
    const failedForGood: string[] = [];
    /** Pending rows no reschedule can answer, as `<organization>:<change-log id>`. */
    const withoutInstance: string[] = [];
    const own = polled === undefined ? locator.organizations() : [polled];
    if (polled === undefined) {
      // Another fleet's organizations are polled by that fleet, which alone has their databases.
      const others = [...(await advertisedOrganizations(fleet.redis, fleet.prefix))].filter((organization) => !own.includes(organization));
      for (const organization of others.sort()) {
        const jobId = `poll-${organization}-${addedBy(job)}`;
        await requests.add(REQUEST_JOB_NAMES.pollChanges, { organization }, { ...CHANGE_POLL_JOB_OPTIONS, jobId });
        enqueued.push(jobId);
      }
    }
    // One organization's file that cannot be read must not keep the others' changes waiting: it is named at the end.
    const unreadable: string[] = [];
    for (const organization of own) {
      let pending: PendingChangesResult;
      try {
        pending = unwrapTaskResult(await pool.run({ kind: 'pending-changes', files: filesOf(locator, organization) }));
      } catch (error) {
        unreadable.push(`${organization}: ${error instanceof Error ? error.message : String(error)}`);
        continue;
      }
      if (pending.withoutInstance.length > 0) {
        withoutInstance.push(...pending.withoutInstance.map((id) => `${organization}:${id}`));
        logger.warn(
          { organization, changeLogIds: pending.withoutInstance },
          'these campaign_change_log rows name no campaign instance (campaign_instance_id is no integer): no reschedule can answer them; the next full run marks them processed',
        );
      }
      for (const { campaignInstanceId, latestChangeLogId } of pending.byInstance) {
        const named = `changes-${organization}-${campaignInstanceId}-${latestChangeLogId}`;
        let jobId = named;
        let earlier = await requests.getJob(jobId);
        // Rows still pending after the reschedule named after them completed are other rows under the same ids
        // (the log's rows pruned, its ids given out again) or rows marked pending again: they are asked for anew.
        while (earlier !== undefined && (await earlier.getState()) === 'completed') {
          jobId = `${named}-after-${earlier.finishedOn ?? earlier.timestamp}`;
          earlier = await requests.getJob(jobId);
        }
        if (earlier !== undefined) {
          if ((await earlier.getState()) === 'failed') failedForGood.push(jobId);
          continue;
        }
        await requests.add(
          REQUEST_JOB_NAMES.rescheduleCampaign,
          { organization, campaignInstanceId, requestedBy: 'campaign_change_log' },
          { ...RETRYING_JOB_OPTIONS, jobId },
        );
        enqueued.push(jobId);
      }
    }
    if (failedForGood.length > 0) {
      logger.warn({ jobIds: failedForGood }, 'the reschedules of these campaign changes failed for good; the changes stay pending until one is retried or a full run');
    }
    // Named, not failed: a poll a minute failing for one broken file would fill the failed list (kept 30 days).
    if (unreadable.length > 0) logger.warn({ organizations: unreadable }, 'the campaign changes of these organizations could not be read; the others were polled');
    return {
      enqueued,
      failedForGood,
      ...(withoutInstance.length > 0 ? { withoutInstance } : {}),
      ...(unreadable.length > 0 ? { unreadable } : {}),
    };
  };
};
