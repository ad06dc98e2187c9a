import type { Job } from 'bullmq';

/** What the log lines about a job name: the job, its run and its organization. */
export interface JobSubject {
  readonly jobId?: string;
  readonly runId?: string;
  readonly organization?: string;
}

/** A job's subject: the run its data names (chunks, finalizers, backups), else the one `requestRunId` finds (requests). */
export const subjectOfJob = (job: Job, requestRunId: (job: Job) => string | undefined): JobSubject => {
  const data = (job.data ?? {}) as Record<string, unknown>;
  const runId = typeof data.runId === 'string' ? data.runId : requestRunId(job);
  return {
    ...(job.id === undefined ? {} : { jobId: job.id }),
    ...(runId === undefined ? {} : { runId }),
    ...(typeof data.organization === 'string' ? { organization: data.organization } : {}),
  };
};

/**
 * Jobs just finished are still named: BullMQ reports a failure to record a job's end ("Missing key for job …",
 * after Redis lost its data) once its processor has returned.
 */
const RECENT_JOBS_KEPT = 1_000;

/** The jobs this process works on: a stop waits for them, and an error that names one of them names its run. */
export class JobsInHand {
  private readonly working = new Map<Promise<unknown>, JobSubject>();
  private readonly recent = new Map<string, JobSubject>();

  constructor(private readonly subjectOf: (job: Job) => JobSubject) {}

  get size(): number {
    return this.working.size;
  }

  hold(queue: string, job: Job, work: Promise<unknown>): void {
    const subject = this.subjectOf(job);
    this.working.set(work, subject);
    const done = (): void => void this.working.delete(work);
    work.then(done, done);
    const key = `${queue}\u0000${job.id}`;
    this.recent.delete(key);
    this.recent.set(key, subject);
    if (this.recent.size > RECENT_JOBS_KEPT) this.recent.delete(this.recent.keys().next().value!);
  }

  /** The subjects of the jobs in hand now. */
  subjectsInHand(): JobSubject[] {
    return [...this.working.values()];
  }

  /** The subject of a job of this queue this process has held lately (in hand or just finished), if it has. */
  recentSubject(queue: string, jobId: string): JobSubject | undefined {
    return this.recent.get(`${queue}\u0000${jobId}`);
  }
}
