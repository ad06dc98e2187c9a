import type { Job, Queue } from 'bullmq';
import { REQUEST_JOB_NAMES, RescheduleCampaignJobSchema, RescheduleContactsJobSchema, parseJobData } from '@scheduler/queue';
import type { FleetContext } from './fleet-context';
import { RETRYING_JOB_OPTIONS } from './job-options';
import { lookAgainLater } from './look-again-later';
import { roundOf } from './request-ids';
import { configOfPayload, filesOf, refuseAnotherFile } from './request-inputs';
import type { RequestOutcome } from './request-outcome';
import type { RunFailures } from './run-failures';
import { fullRunId, rescheduleRunId, todayIn } from './run-identity';
import { unwrapTaskResult } from './task-errors';

/** How long a reschedule waits before looking again for the full run in flight to commit. */
const FULL_RUN_WAIT_MS = 2_000;

/** Answers a reschedule of some contacts or of a campaign instance, applied after any full run in flight (RULES.md §10). */
export const rescheduleRequests = (fleet: FleetContext, requests: Queue, failures: RunFailures) => {
  const { pool, locator, config, logger } = fleet;
  const configJson = JSON.stringify(config);

  return async (job: Job, token?: string): Promise<RequestOutcome> => {
    const request =
      job.name === REQUEST_JOB_NAMES.rescheduleContacts
        ? parseJobData(RescheduleContactsJobSchema, job.data, job.name)
        : parseJobData(RescheduleCampaignJobSchema, job.data, job.name);
    if ('databaseFile' in request) refuseAnotherFile(filesOf(locator, request.organization), request.databaseFile);
    const runId = rescheduleRunId(request.organization, job.id!, job.timestamp);
    const runConfig = request.config === undefined ? config : configOfPayload(request.config, job);
    const asOf = request.asOf ?? todayIn(runConfig, fleet.now());
    const result = unwrapTaskResult(
      await pool.run({
        kind: 'reschedule',
        files: filesOf(locator, request.organization),
        runId,
        target: 'contactIds' in request ? { contactIds: request.contactIds } : { campaignInstanceId: request.campaignInstanceId },
        asOf,
        configJson: request.config === undefined ? configJson : JSON.stringify(runConfig),
        log: fleet.logContext(runId, request.organization),
      }),
    );
    if (result.status === 'needs-full-run') {
      await requests.add(
        REQUEST_JOB_NAMES.fullRun,
        { organization: request.organization, asOf, rerun: true, ...(request.config === undefined ? {} : { config: request.config }) },
        { ...RETRYING_JOB_OPTIONS, jobId: `${fullRunId(request.organization, asOf, runConfig)}-for-${job.id}${roundOf(job)}` },
      );
      return { runId, status: 'full run requested' };
    }
    if (result.status === 'deferred') {
      const fullRunId = result.fullRun.runId;
      const over = await failures.recordedWhenOver(result.fullRun, request.organization);
      if (over !== null) return lookAgainLater(job, token, 0, `the full run ${fullRunId} ${over}; its checkpoint now says so`);
      // RULES.md §10: a reschedule during a full run is applied after it, so the run cannot overwrite it.
      return lookAgainLater(job, token, FULL_RUN_WAIT_MS, `a full run of this organization is in flight (${fullRunId}); this applies after it commits`, () =>
        logger.info({ runId, organization: request.organization, fullRunId }, 'reschedule waits for the full run in flight'),
      );
    }
    return { runId, status: result.status, summary: result.summary };
  };
};
