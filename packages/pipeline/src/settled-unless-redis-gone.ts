import type { Redis } from 'ioredis';

const POLL_MS = 100;

/**
 * Waits for `work`, unless Redis stops answering on `connections` for `graceMs` first: true once `work` is done,
 * false when Redis has been away that long. Some of BullMQ's closes wait for a Redis that has gone for as long as
 * it stays away.
 */
export const settledUnlessRedisGone = (work: Promise<unknown>, connections: readonly Redis[], graceMs: number): Promise<boolean> =>
  new Promise<boolean>((resolve, reject) => {
    let awaySince: number | null = null;
    const watch = setInterval(() => {
      if (connections.every((redis) => redis.status === 'ready')) awaySince = null;
      else if (awaySince === null) awaySince = Date.now();
      else if (Date.now() - awaySince >= graceMs) {
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
