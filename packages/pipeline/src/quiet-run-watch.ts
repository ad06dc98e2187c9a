import type { Job } from 'bullmq';

export interface QuietRun {
  readonly done: number;
  readonly total: number;
  readonly quietSeconds: number;
}

/**
 * Watches the chunks of a run a client waits for, through its finalizer: when none has finished for `quietMs`
 * while some are left, `say` is told (again each `quietMs` while it lasts), so that a waiting command shows a
 * sign of life while its chunks wait for a worker, or for the stalled ones of a stopped worker to be given back.
 * Returns the stop.
 */
export const watchQuietRun = (finalizer: Job, quietMs: number, say: (quiet: QuietRun) => void): (() => void) => {
  let lastDone = -1;
  let quietSince = Date.now();
  const look = async (): Promise<void> => {
    const { processed = 0, unprocessed = 0 } = await finalizer.getDependenciesCount();
    const now = Date.now();
    if (processed !== lastDone || unprocessed === 0) {
      lastDone = processed;
      quietSince = now;
      return;
    }
    if (now - quietSince < quietMs) return;
    say({ done: processed, total: processed + unprocessed, quietSeconds: Math.round((now - quietSince) / 1000) });
    quietSince = now;
  };
  const timer = setInterval(() => void look().catch(() => undefined), Math.min(quietMs / 4, 5_000));
  timer.unref();
  return () => clearInterval(timer);
};
