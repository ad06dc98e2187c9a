import { join } from 'node:path';
import { QueueEvents } from 'bullmq';
import type { Redis } from 'ioredis';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { defaultConfig } from '@scheduler/core';
import { QUEUE_NAMES } from '@scheduler/queue';
import { OrganizationDirectory, RunClient, SingleDatabase, createLogger, startFleet } from '../src/index';
import { committedRows } from './support/committed-schedule';
import { connectClient, newWorld, redisUrl, startDirectoryFleet } from './support/fleet-world';
import { writeOrganization } from './support/organization-fixture';
import { RedisLink, type LinkFaults } from './support/redis-link';

const AS_OF = '2026-11-28';
/** More connections than the client opens: each of them, in turn, is the slow one. */
const CONNECTIONS_TRIED = 7;

let world: ReturnType<typeof newWorld>;
let database: string;

beforeEach(() => {
  world = newWorld();
  database = join(world.directory, 'acme.sqlite');
  writeOrganization(database, { contacts: 300, today: AS_OF });
});
afterEach(() => world.cleanup());

describe('a run client on a poor link to Redis, a fleet serving its organization', () => {

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

describe('a run client or a fleet whose Redis goes away', () => {

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

  it('says so each time: once when it goes, once when it is back', async () => {
    const lines: { level: number; msg: string }[] = [];
    const logger = pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line) as { level: number; msg: string }) });
    const messages = (): string[] => lines.map((line) => line.msg).filter((msg) => /Redis/.test(msg));
    const link = await RedisLink.start(redisUrl(), {});
    try {
      const client = await RunClient.connect({
        redisUrl: link.url,
        locator: SingleDatabase.open(database),
        config: defaultConfig(),
        threads: 1,
        logger,
        startLocalWorkers: false,
        prefix: world.prefix,
      });
      try {
        for (const outage of [1, 2]) {
          link.dropAll(1_500);
          await vi.waitFor(() => expect(messages().filter((msg) => msg === 'Redis is reachable again')).toHaveLength(outage), { timeout: 15_000, interval: 100 });
        }
        expect(messages()).toEqual([
          'lost the connection to Redis; waiting for it to come back',
          'Redis is reachable again',
          'lost the connection to Redis; waiting for it to come back',
          'Redis is reachable again',
        ]);
      } finally {
        await client.close();
      }
    } finally {
      await link.close();
    }
  }, 60_000);

  it('stops once it has no job in hand, though its workers cannot reach Redis to say goodbye', async () => {
    const link = await RedisLink.start(redisUrl(), {});
    try {
      const fleet = await startFleet({
        redisUrl: link.url,
        locator: new OrganizationDirectory(world.directory),
        config: defaultConfig(),
        threads: 1,
        logger: createLogger({ level: 'silent' }),
        prefix: world.prefix,
      });
      // Away for longer than the test: a close that waits for it never ends.
      link.dropAll(120_000);
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      const started = Date.now();
      await fleet.close();
      expect(Date.now() - started).toBeLessThan(30_000);
    } finally {
      await link.close();
    }
  }, 60_000);
});

