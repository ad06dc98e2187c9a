import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';

/**
 * Longer than any planning takes (a plan-run task may wait behind other runs' chunks in the pool), and short
 * enough that a planner killed while holding it holds up the next request for that run only this long.
 */
const HELD_FOR_MS = 2 * 60 * 1000;

/** Deletes the key only while it still holds this holder's token (an expired lock may be someone else's now). */
const RELEASE_SCRIPT = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end";

/**
 * One planner at a time per run, across every fleet on a Redis. Two requests planning one run at once would
 * each reset its staged chunk results, and the later reset could drop results the flow's chunks had saved,
 * failing the run for good. Returns the release, or null while another request is planning the run.
 */
export const holdPlanningLock = async (
  redis: Redis,
  prefix: string | undefined,
  runKey: string,
): Promise<(() => Promise<void>) | null> => {
  const key = `${prefix ?? 'bull'}:scheduler:planning:${runKey}`;
  const token = randomUUID();
  if ((await redis.set(key, token, 'PX', HELD_FOR_MS, 'NX')) !== 'OK') return null;
  return async () => {
    await redis.eval(RELEASE_SCRIPT, 1, key, token);
  };
};
