import type { Queue } from 'bullmq';
import { RETRYING_JOB_OPTIONS } from '@scheduler/pipeline';
import {
  FullRunJobSchema,
  MalformedJobError,
  REQUEST_JOB_NAMES,
  RescheduleContactsJobSchema,
  parseJobData,
} from '@scheduler/queue';
import type { z } from 'zod';
import { ActionRefusedError } from '../dashboard-errors';

/** Validates a payload with the job's published schema; a refusal names each bad field. */
const checked = <Schema extends z.ZodType>(schema: Schema, data: unknown, jobName: string): z.infer<Schema> => {
  try {
    return parseJobData(schema, data, jobName);
  } catch (error) {
    if (error instanceof MalformedJobError) throw new ActionRefusedError(error.message, 400, { cause: error });
    throw error;
  }
};

export interface FullRunRequest {
  readonly organization: string;
  /** None: the day the run starts (RULES §1), which a page loaded before midnight and sent after it would miss. */
  readonly asOf?: string;
  readonly rerun: boolean;
  readonly requestedBy: string;
}

/**
 * Enqueues a `full-run` request as any other service would, for the workers
 * to carry out with their own configuration. Each click is a request of its
 * own: the workers run one run once however often it is asked for, and answer
 * a request for a run already in force with its summary, while a click after
 * the contacts changed, or after the run failed, must plan it again (a job id
 * per organization and day would hand back the old job instead).
 */
export const enqueueFullRun = async (requests: Queue, request: FullRunRequest): Promise<string> => {
  const data = checked(
    FullRunJobSchema,
    {
      organization: request.organization,
      ...(request.asOf === undefined ? {} : { asOf: request.asOf }),
      ...(request.rerun ? { rerun: true } : {}),
      requestedBy: request.requestedBy,
    },
    REQUEST_JOB_NAMES.fullRun,
  );
  const jobId = `dashboard-${request.rerun ? 'rerun' : 'run'}-${data.organization}-${request.asOf ?? 'today'}-${Date.now().toString(36)}`;
  const job = await requests.add(REQUEST_JOB_NAMES.fullRun, data, { ...RETRYING_JOB_OPTIONS, jobId });
  return job.id!;
};

export interface RescheduleRequest {
  readonly organization: string;
  readonly contactIds: readonly number[];
  readonly asOf?: string;
  readonly requestedBy: string;
}

/** Enqueues a `reschedule-contacts` request (validated with its published schema). */
export const enqueueReschedule = async (requests: Queue, request: RescheduleRequest): Promise<string> => {
  const data = checked(
    RescheduleContactsJobSchema,
    {
      organization: request.organization,
      contactIds: [...request.contactIds],
      ...(request.asOf === undefined ? {} : { asOf: request.asOf }),
      requestedBy: request.requestedBy,
    },
    REQUEST_JOB_NAMES.rescheduleContacts,
  );
  const job = await requests.add(REQUEST_JOB_NAMES.rescheduleContacts, data, RETRYING_JOB_OPTIONS);
  return job.id!;
};
