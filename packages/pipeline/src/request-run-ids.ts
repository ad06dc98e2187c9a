import type { Job } from 'bullmq';
import type { Config } from '@scheduler/core';
import { FullRunJobSchema, REQUEST_JOB_NAMES, RescheduleCampaignJobSchema, RescheduleContactsJobSchema, parseJobData } from '@scheduler/queue';
import { configOfPayload } from './request-inputs';
import { fullRunId, rescheduleRunId, todayIn } from './run-identity';

/** The run a full-run request asks for: the run's stable id, or for a rerun, a run of its own named after the request. */
export const fullRunIdOfRequest = (stableId: string, rerun: boolean, jobId: string): string =>
  !rerun ? stableId : jobId.startsWith(stableId) ? jobId : `${stableId}-rerun-${jobId}`;

/**
 * The run a request job asks for, for the lines logged about the job itself (waiting for a locked database,
 * stalled, failed); undefined when its data cannot say. A full run that runs as another attempt (`-retry2`) or on
 * changed inputs (`-g…`) is named by its stable id.
 */
export const runIdOfRequestJob = (job: Job, fleetConfig: Config, now: Date): string | undefined => {
  try {
    switch (job.name) {
      case REQUEST_JOB_NAMES.fullRun: {
        const request = parseJobData(FullRunJobSchema, job.data, job.name);
        const runConfig = request.config === undefined ? fleetConfig : configOfPayload(request.config, job);
        const stableId = fullRunId(request.organization, request.asOf ?? todayIn(runConfig, now), runConfig);
        return fullRunIdOfRequest(stableId, request.rerun === true, job.id!);
      }
      case REQUEST_JOB_NAMES.rescheduleContacts:
        return rescheduleRunId(parseJobData(RescheduleContactsJobSchema, job.data, job.name).organization, job.id!, job.timestamp);
      case REQUEST_JOB_NAMES.rescheduleCampaign:
        return rescheduleRunId(parseJobData(RescheduleCampaignJobSchema, job.data, job.name).organization, job.id!, job.timestamp);
      default:
        return undefined;
    }
  } catch {
    // A malformed request names no run: its failure says what is wrong with it.
    return undefined;
  }
};
