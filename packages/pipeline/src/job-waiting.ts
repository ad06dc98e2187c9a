import { Job, type Queue, type QueueEvents } from 'bullmq';
import type { Redis } from 'ioredis';

/** How often a waiting client reads the job's record itself, beside the events it listens to. */
const LOOK_EVERY_MS = 2_000;

/** The job is no longer in Redis: Redis lost its data (restarted without persistence), or a queue was cleaned by hand. */
export class JobVanishedError extends Error {
  override readonly name = 'JobVanishedError';
}

/** The job was removed from its queue by hand (Bull Board's remove, a script) before it ended: what it was for is called off. */
export class JobRemovedError extends Error {
  override readonly name = 'JobRemovedError';
}

/** A field of a stream entry, whose fields come as name, value, name, value… */
const fieldOf = (fields: readonly string[], name: string): string | undefined => {
  for (let at = 0; at + 1 < fields.length; at += 2) if (fields[at] === name) return fields[at + 1];
  return undefined;
};

/**
 * Whether the queue's event stream says the job was removed before it ended, since `sinceMs` (its id may have
 * been another job's before). A job removed after it ended (a run planned anew replaces its ended jobs) was not;
 * nor was one Redis lost with its data, which takes the stream with it. Bull Board's clean and empty name no job
 * in the stream: a job they take was not either. False when the stream cannot be read (Redis away).
 */
export const removedBeforeEnd = async (queue: Queue, jobId: string, sinceMs: number): Promise<boolean> => {
  try {
    // BullMQ's type of its client lists only the commands BullMQ uses; it is an ioredis client.
    const client = (await queue.getBackend().client) as unknown as Pick<Redis, 'xrevrange'>;
    const events: [string, string[]][] = await client.xrevrange(queue.toKey('events'), '+', String(sinceMs));
    const removal = events.find(([, fields]) => fieldOf(fields, 'event') === 'removed' && fieldOf(fields, 'jobId') === jobId);
    const before = removal === undefined ? undefined : fieldOf(removal[1], 'prev');
    return removal !== undefined && before !== 'completed' && before !== 'failed';
  } catch {
    return false;
  }
};

/**
 * Why a job is gone: removed by hand since `sinceMs` (while the client waited), or vanished (asking again finds
 * out the rest).
 */
export const whyGone = async (queue: Queue, jobId: string, sinceMs: number): Promise<JobRemovedError | JobVanishedError> =>
  (await removedBeforeEnd(queue, jobId, sinceMs))
    ? new JobRemovedError(`${queue.name} job ${jobId} was removed from the queue (by hand: Bull Board, a script) before it ended`)
    : new JobVanishedError(`${queue.name} job ${jobId} is no longer in Redis`);

/** Why a job failed, as BullMQ says. */
export class JobFailedError extends Error {
  override readonly name = 'JobFailedError';
}

// Unref'd: a client that is done does not stay up for the last look.
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms).unref());

/**
 * The job's return value once it completes. The events alone can leave a client waiting forever: an event
 * sent while the connection was down is missed, and a job Redis has lost sends none. So the job's own record
 * is also read every few seconds; while Redis cannot be reached, the client just keeps waiting. `onLook` runs
 * at each look (a client makes sure something still serves the job).
 */
export const waitUntilEnded = async (job: Job, queue: Queue, events: QueueEvents, onLook: () => Promise<void> = async () => undefined): Promise<unknown> => {
  let ended = false;
  const finished = job.waitUntilFinished(events).then(
    (value: unknown) => value,
    async (error: unknown) => {
      // A job deleted under its worker is reported failed ("Missing key for job"): it is gone, not failed.
      if ((await Job.fromId(queue, job.id!).catch(() => null)) === undefined) throw await whyGone(queue, job.id!, job.timestamp);
      throw new JobFailedError(error instanceof Error ? error.message : String(error));
    },
  );
  const looked = (async (): Promise<unknown> => {
    while (!ended) {
      await sleep(LOOK_EVERY_MS);
      if (ended) break;
      await onLook().catch(() => undefined);
      // The state first, then the record: a record read before the state can be the running job's, without the
      // return value or the reason of the end the state then shows (the two reads are far apart under load).
      let stored: Job | undefined;
      let state: string;
      try {
        state = await queue.getJobState(job.id!);
        if (state !== 'completed' && state !== 'failed' && state !== 'unknown') continue;
        stored = state === 'unknown' ? undefined : await Job.fromId(queue, job.id!);
      } catch {
        continue;
      }
      if (stored === undefined) throw await whyGone(queue, job.id!, job.timestamp);
      if (state === 'completed') return stored.returnvalue;
      throw new JobFailedError(stored.failedReason);
    }
    return new Promise<never>(() => undefined);
  })();
  // Whichever settles second has nobody listening.
  finished.catch(() => undefined);
  looked.catch(() => undefined);
  try {
    return await Promise.race([finished, looked]);
  } finally {
    ended = true;
  }
};

/**
 * A flow's parent failed by its child says only "child <key> failed": the child's own reason (a full disk, a
 * bad row) is what an operator needs, so it is added when the child is in one of `queues`.
 */
export const withChildReason = async (reason: string, queues: readonly Queue[]): Promise<string> => {
  const key = /^child (\S+) failed$/.exec(reason)?.[1];
  if (key === undefined) return reason;
  for (const queue of queues) {
    const queueKey = queue.toKey('');
    if (!key.startsWith(queueKey)) continue;
    const child = await Job.fromId(queue, key.slice(queueKey.length)).catch(() => undefined);
    if (child?.failedReason) return `${reason}: ${child.failedReason}`;
  }
  return reason;
};
