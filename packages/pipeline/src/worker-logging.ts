import { Job, type Worker } from 'bullmq';
import type { JobsInHand, JobSubject } from './jobs-in-hand';
import type { Logger } from './logger';
import { quietRepeats } from './repeated-errors';

/** BullMQ's errors about one job name it so ("Missing key for job 12. moveToFinished", "could not renew lock for job 12"). */
const JOB_NAMED = /\bfor job (\S+?)\.?(?=\s|$)/;

/** What an error of a queue's worker concerns: the job it names, else the jobs in hand when it came. */
const subjectOfError = (queue: string, error: Error, inHand: JobsInHand): JobSubject | { jobsInHand: JobSubject[] } => {
  const jobId = JOB_NAMED.exec(error.message)?.[1];
  if (jobId !== undefined) return inHand.recentSubject(queue, jobId) ?? { jobId };
  const subjects = inHand.subjectsInHand();
  return subjects.length === 0 ? {} : { jobsInHand: subjects };
};

/** Logs what the fleet's workers report: failed jobs, their own errors, and stalled jobs given to a worker again. */
export const logWorkerEvents = (workers: readonly Worker[], logger: Logger, inHand: JobsInHand, subjectOf: (job: Job) => JobSubject): void => {
  const logWorkerError = quietRepeats((queue, error, repeatsSinceLast) =>
    logger.error(
      { queue, ...subjectOfError(queue, error, inHand), err: error, ...(repeatsSinceLast > 0 ? { repeatsSinceLast } : {}) },
      'worker error',
    ),
  );
  for (const worker of workers) {
    worker.on('failed', (job, error) => {
      const record = { queue: worker.name, ...(job === undefined ? {} : subjectOf(job)), attemptsMade: job?.attemptsMade, err: error };
      // BullMQ marks a job finished only when it failed for good: what an alert on errors should catch.
      if (job !== undefined && job.finishedOn === undefined) logger.warn(record, 'job failed; it will be tried again');
      else logger.error(record, 'job failed for good');
    });
    worker.on('error', (error) => logWorkerError(worker.name, error));
    // Whichever worker of the queue notices first reports it; the job's own data names its run.
    worker.on('stalled', (jobId) => {
      void Job.fromId(worker, jobId)
        .then((job) => (job === undefined ? { jobId } : subjectOf(job)))
        .catch(() => ({ jobId }))
        .then((subject) =>
          logger.warn(
            { queue: worker.name, ...subject },
            'job stalled: the worker that had it stopped renewing its lock (stopped at once, or stuck); it goes back to waiting, and fails when next taken if it stalled too often',
          ),
        )
        .catch(() => undefined);
    });
  }
};
