/*
 * README: "SIGTERM finishes jobs in flight, a second one stops at once" — also while Redis is unreachable,
 * when closing the fleet's connections would wait for it to come back.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPrivateRedis, type PrivateRedis } from '../../dashboard/test/support/private-redis';
import { startScheduler, type RunningCli } from './support/scheduler-cli';

describe('when a worker is told twice to stop while Redis is gone', () => {
  let redis: PrivateRedis;
  let directory: string;
  let worker: RunningCli | undefined;

  beforeAll(async () => {
    redis = await startPrivateRedis();
    directory = mkdtempSync(join(tmpdir(), 'scheduler-worker-stop-'));
  });
  afterAll(async () => {
    worker?.child.kill('SIGKILL');
    await redis.kill();
    rmSync(directory, { recursive: true, force: true });
  });

  it('exits within seconds of the second signal', { timeout: 90_000 }, async () => {
    worker = startScheduler(['worker', '--threads', '1'], { REDIS_URL: redis.url, SCHEDULER_ORGS_DIR: directory, LOG_LEVEL: 'info' });
    await worker.waitFor(/fleet worker ready/);
    const exited = new Promise<number | null>((resolve) => worker!.child.once('close', (status) => resolve(status)));
    await redis.kill();
    worker.child.kill('SIGTERM');
    await worker.waitFor(/finishing jobs in flight/);
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    worker.child.kill('SIGTERM');
    await worker.waitFor(/forced stop/);
    const outcome = await Promise.race([exited, new Promise<'still running'>((resolve) => setTimeout(() => resolve('still running'), 20_000))]);
    expect(outcome).not.toBe('still running');
    expect(outcome).not.toBe(0);
  });
});
