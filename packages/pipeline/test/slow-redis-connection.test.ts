import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { defaultConfig } from '@scheduler/core';
import { RunClient, SingleDatabase, createLogger } from '../src/index';
import { committedRows } from './support/committed-schedule';
import { newWorld, redisUrl, startDirectoryFleet } from './support/fleet-world';
import { writeOrganization } from './support/organization-fixture';
import { SlowRedisLink } from './support/slow-redis-link';

const AS_OF = '2026-11-28';
/** More connections than the client opens: each of them, in turn, is the slow one. */
const CONNECTIONS_TRIED = 7;

describe('a run client whose connections to Redis open slowly', () => {
  let world: ReturnType<typeof newWorld>;

  beforeEach(() => {
    world = newWorld();
  });
  afterEach(() => world.cleanup());

  it('commits through a fleet whichever of its connections is the slow one', async () => {
    const database = join(world.directory, 'acme.sqlite');
    writeOrganization(database, { contacts: 300, today: AS_OF });
    const fleet = await startDirectoryFleet(world.directory, world.prefix);
    try {
      for (let slow = 1; slow <= CONNECTIONS_TRIED; slow += 1) {
        const link = await SlowRedisLink.start(redisUrl(), (connection) => connection === slow, 1_000);
        try {
          const client = await RunClient.connect({
            redisUrl: link.url,
            locator: SingleDatabase.open(database),
            config: defaultConfig(),
            threads: 1,
            logger: createLogger({ level: 'silent' }),
            startLocalWorkers: true,
            prefix: world.prefix,
          });
          try {
            const summary = await client.fullRun('acme', { asOf: AS_OF, rerun: true });
            expect(summary.status, `connection ${slow} slow`).toBe('completed');
          } finally {
            await client.close();
          }
        } finally {
          await link.close();
        }
      }
    } finally {
      await fleet.close();
    }
    expect(committedRows(database).length).toBeGreaterThan(300);
  }, 150_000);
});
