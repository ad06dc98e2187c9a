import type { Redis } from 'ioredis';

const POLL_MS = 100;

/**
 * Waits for `work`, unless `holds()` stays true for `graceMs` first: true once `work` is done, false when the
 * condition held that long. Some of BullMQ's closes never end while Redis is away, or while a worker's blocking
 * connection is stuck reconnecting (taskforcesh/bullmq#4656): what is closing decides when to stop waiting.
 */
export const settledUnless = (work: Promise<unknown>, holds: () => boolean, graceMs: number): Promise<boolean> =>
  new Promise<boolean>((resolve, reject) => {
    let since: number | null = null;
    const watch = setInterval(() => {
      if (!holds()) since = null;
      else if (since === null) since = Date.now();
      else if (Date.now() - since >= graceMs) {
        clearInterval(watch);
        resolve(false);
      }
    }, POLL_MS);
    work.then(
      () => {
        clearInterval(watch);
        resolve(true);
      },
      (error: unknown) => {
        clearInterval(watch);
        reject(error);
      },
    );
  });

/** Whether any of the connections is not open to Redis now. */
export const redisAway = (connections: readonly Redis[]) => (): boolean => connections.some((redis) => redis.status !== 'ready');
