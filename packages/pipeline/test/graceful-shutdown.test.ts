import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseConfig } from '@scheduler/core';
import { openOrganizationDb, readRunCheckpoint } from '@scheduler/db';
import { QUEUE_NAMES, REQUEST_JOB_NAMES } from '@scheduler/queue';
import { fullRunId } from '../src/index';
import { schedulerNodeArgs } from '../../../apps/cli/test/support/bundled-scheduler';
import { newWorld, redisUrl } from './support/fleet-world';
import { writeOrganization } from './support/organization-fixture';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const AS_OF = '2026-11-28';

const startWorker = (directory: string, prefix: string): ChildProcess =>
  spawn(process.execPath, schedulerNodeArgs(['worker', '--threads', '1']), {
    cwd: ROOT,
    env: { ...process.env, REDIS_URL: redisUrl(), SCHEDULER_ORGS_DIR: directory, SCHEDULER_QUEUE_PREFIX: prefix, LOG_LEVEL: 'warn' },
    stdio: 'ignore',
  });

const exited = (child: ChildProcess): Promise<number | null> =>
  new Promise((resolve) => (child.exitCode !== null ? resolve(child.exitCode) : child.on('exit', (code) => resolve(code))));

describe('when a worker is told to stop in the middle of a run', () => {
  let world: ReturnType<typeof newWorld>;
  let redis: Redis;
  let workers: ChildProcess[] = [];

  beforeEach(() => {
    world = newWorld();
    redis = new Redis(redisUrl(), { maxRetriesPerRequest: null });
  });
  afterEach(() => {
    for (const worker of workers) worker.kill('SIGKILL');
    workers = [];
    redis.disconnect();
    world.cleanup();
  });

  it('finishes what it is doing, exits, and loses nothing: another worker completes the run', async () => {
    const database = join(world.directory, 'acme.sqlite');
    writeOrganization(database, { contacts: 4_000, today: AS_OF });
    const config = parseConfig({ batch_size: 250 });
    const chunks = new Queue(QUEUE_NAMES.chunks, { connection: redis, prefix: world.prefix });
    const requests = new Queue(QUEUE_NAMES.requests, { connection: redis, prefix: world.prefix });
    try {
      const first = startWorker(world.directory, world.prefix);
      workers.push(first);
      await requests.add(REQUEST_JOB_NAMES.fullRun, { organization: 'acme', asOf: AS_OF, config });
      const deadline = Date.now() + 60_000;
      while ((await chunks.getCompletedCount()) === 0) {
        if (Date.now() > deadline) throw new Error('no chunk completed');
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      first.kill('SIGTERM');
      expect(await exited(first)).toBe(0);
      expect(await chunks.getActiveCount()).toBe(0);

      const second = startWorker(world.directory, world.prefix);
      workers.push(second);
      const runId = fullRunId('acme', AS_OF, config);
      const completed = (): boolean => {
        const db = openOrganizationDb(database, { readonly: true });
        try {
          return readRunCheckpoint(db, runId)?.status === 'completed';
        } finally {
          db.close();
        }
      };
      while (!completed()) {
        if (Date.now() > deadline + 60_000) throw new Error('the run was lost');
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
      expect(await chunks.getFailedCount()).toBe(0);
      second.kill('SIGTERM');
      expect(await exited(second)).toBe(0);
    } finally {
      await chunks.close();
      await requests.close();
    }
    // Its own deadlines give the first chunk a minute and the run another: two worker start-ups and a 4,000-contact
    // run took over a minute on a loaded 2-core machine (each start-up then loaded the CLI through tsx).
  }, 240_000);
});
