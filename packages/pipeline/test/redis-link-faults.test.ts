import { join } from 'node:path';
import { QueueEvents } from 'bullmq';
import type { Redis } from 'ioredis';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { QUEUE_NAMES } from '@scheduler/queue';
import { committedRows } from './support/committed-schedule';
import { connectClient, newWorld, redisUrl, startDirectoryFleet } from './support/fleet-world';
import { writeOrganization } from './support/organization-fixture';
import { RedisLink, type LinkFaults } from './support/redis-link';

const AS_OF = '2026-11-28';
/** More connections than the client opens: each of them, in turn, is the slow one. */
const CONNECTIONS_TRIED = 7;

describe('a run client on a poor link to Redis, a fleet serving its organization', () => {
  let world: ReturnType<typeof newWorld>;
  let database: string;

  beforeEach(() => {
    world = newWorld();
    database = join(world.directory, 'acme.sqlite');
    writeOrganization(database, { contacts: 300, today: AS_OF });
  });
  afterEach(() => world.cleanup());

  const throughLink = async (faults: LinkFaults, use: (link: RedisLink) => Promise<void>): Promise<void> => {
    const link = await RedisLink.start(redisUrl(), faults);
    try {
      await use(link);
    } finally {
      await link.close();
    }
  };

  it('commits whichever of its connections is slow to open', async () => {
    const fleet = await startDirectoryFleet(world.directory, world.prefix);
    try {
      for (let slow = 1; slow <= CONNECTIONS_TRIED; slow += 1) {
        await throughLink({ openDelayOf: (connection) => (connection === slow ? 1_000 : 0) }, async (link) => {
          const client = await connectClient(database, world.prefix, { threads: 1, redisUrl: link.url });
          try {
            const summary = await client.fullRun('acme', { asOf: AS_OF, rerun: true });
            expect(summary.status, `connection ${slow} slow`).toBe('completed');
          } finally {
            await client.close();
          }
        });
      }
    } finally {
      await fleet.close();
    }
    expect(committedRows(database).length).toBeGreaterThan(300);
  }, 150_000);

  it('waits out a reset of the connection it reads the run with, as the request completes, and returns the summary', async () => {
    const fleet = await startDirectoryFleet(world.directory, world.prefix);
    // The client hears of everything 200 ms after this observer does (one way).
    const observer = new QueueEvents(QUEUE_NAMES.requests, { connection: { url: redisUrl() }, prefix: world.prefix });
    await observer.waitUntilReady();
    try {
      await throughLink({ latencyOf: () => 200 }, async (link) => {
        const client = await connectClient(database, world.prefix, { threads: 1, redisUrl: link.url });
        try {
          // The finalize queue's: what the client reads the run's finalizer with once its request completed.
          const finalizeConnection = (client as unknown as { connections: Redis[] }).connections[1]!;
          let dropped = false;
          observer.on('completed', () => {
            const port = (finalizeConnection as unknown as { stream: { localPort: number } }).stream.localPort;
            dropped = link.dropPeer(port, 1_500);
          });
          const summary = await client.fullRun('acme', { asOf: AS_OF });
          expect(dropped).toBe(true);
          expect(summary.status).toBe('completed');
        } finally {
          await client.close();
        }
      });
    } finally {
      await observer.close();
      await fleet.close();
    }
  }, 90_000);
});

describe('a run client whose Redis goes away once its work is done', () => {
  let world: ReturnType<typeof newWorld>;
  let database: string;

  beforeEach(() => {
    world = newWorld();
    database = join(world.directory, 'acme.sqlite');
    writeOrganization(database, { contacts: 200, today: AS_OF });
  });
  afterEach(() => world.cleanup());

  it('closes without waiting for it, so the command that printed its summary ends', async () => {
    const link = await RedisLink.start(redisUrl(), {});
    try {
      const client = await connectClient(database, world.prefix, { threads: 1, redisUrl: link.url });
      const summary = await client.fullRun('acme', { asOf: AS_OF });
      expect(summary.status).toBe('completed');
      // Redis stays away for longer than the test: a close that waits for it never ends.
      link.dropAll(120_000);
      const started = Date.now();
      await client.close();
      expect(Date.now() - started).toBeLessThan(30_000);
    } finally {
      await link.close();
    }
  }, 60_000);
});

