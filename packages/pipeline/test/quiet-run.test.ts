/*
 * A `run` waiting for a run whose chunks stand still (waiting for a worker, or stalled after one stopped) says so
 * now and then, rather than nothing for minutes.
 */
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { defaultConfig } from '@scheduler/core';
import { RunClient, SingleDatabase, fullRunId } from '../src/index';
import { newWorld, openHandQueues, redisUrl, type HandQueues } from './support/fleet-world';
import { writeOrganization } from './support/organization-fixture';

const AS_OF = '2026-11-28';

describe('a client waiting for a run whose chunks stand still', () => {
  let world: ReturnType<typeof newWorld>;
  let queues: HandQueues;

  beforeEach(async () => {
    world = newWorld();
    queues = await openHandQueues(world.prefix);
  });
  afterEach(async () => {
    await queues.close();
    world.cleanup();
  });

  it('says it still waits, with how many chunks are done, and then completes the run', async () => {
    const database = join(world.directory, 'acme.sqlite');
    writeOrganization(database, { contacts: 1_500, today: AS_OF });
    const config = { ...defaultConfig(), batch_size: 500 };
    const lines: { level: number; msg: string; runId?: string; organization?: string; done?: number; total?: number }[] = [];
    const client = await RunClient.connect({
      redisUrl: redisUrl(),
      locator: SingleDatabase.open(database),
      config,
      threads: 1,
      logger: pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line) as (typeof lines)[number]) }),
      startLocalWorkers: true,
      prefix: world.prefix,
      quietRunMs: 1_000,
    });
    const quiet = (): typeof lines => lines.filter((line) => /^no chunk of the run has finished/.test(line.msg));
    try {
      await queues.chunks.pause();
      const running = client.fullRun('acme', { asOf: AS_OF });
      await vi.waitFor(() => expect(quiet().length).toBeGreaterThanOrEqual(1), { timeout: 30_000, interval: 100 });
      expect(quiet()[0]).toMatchObject({ level: 30, runId: fullRunId('acme', AS_OF, config), organization: 'acme', done: 0, total: 3 });
      await queues.chunks.resume();
      expect((await running).status).toBe('completed');
    } finally {
      await client.close();
    }
  }, 60_000);
});
