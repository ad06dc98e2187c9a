import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { Queue, QueueEvents } from 'bullmq';
import { Redis } from 'ioredis';
import { QUEUE_NAMES } from '@scheduler/queue';
import { defaultConfig, parseConfig, type Config, type ConfigInput } from '@scheduler/core';
import { OrganizationDirectory, RunClient, SingleDatabase, createLogger, startFleet, type Fleet } from '../../src/index';

export const redisUrl = (): string => {
  const url = process.env.REDIS_URL;
  if (url === undefined) throw new Error('REDIS_URL must name a Redis server for the fleet tests (bash scripts/test.sh starts one)');
  return url;
};

/** A temporary directory and a BullMQ prefix of its own: each test its own world. */
export const newWorld = (): { directory: string; prefix: string; cleanup: () => void } => {
  const directory = mkdtempSync(join(tmpdir(), 'scheduler-fleet-'));
  return { directory, prefix: `test-${randomUUID()}`, cleanup: () => rmSync(directory, { recursive: true, force: true }) };
};

/** Polls `condition` until it holds; fails after `timeoutMs`. */
export const until = async (condition: () => Promise<boolean>, timeoutMs = 60_000, intervalMs = 100): Promise<void> => {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
};

export const configWith = (input: ConfigInput = {}): Config => parseConfig({ ...input });

/** A client with workers in this process, on a queue prefix of its own. */
export const connectClient = (
  databasePath: string,
  prefix: string,
  options: { config?: Config; threads?: number; startLocalWorkers?: boolean; redisUrl?: string } = {},
): Promise<RunClient> =>
  RunClient.connect({
    redisUrl: options.redisUrl ?? redisUrl(),
    locator: SingleDatabase.open(databasePath),
    config: options.config ?? defaultConfig(),
    threads: options.threads ?? 2,
    logger: createLogger({ level: 'silent' }),
    startLocalWorkers: options.startLocalWorkers ?? true,
    prefix,
  });

/** A fleet over a directory of organization databases, in this process, on a test's prefix. */
export const startDirectoryFleet = (
  directory: string,
  prefix: string,
  options: { threads?: number; now?: () => Date; config?: Config } = {},
): Promise<Fleet> =>
  startFleet({
    redisUrl: redisUrl(),
    locator: new OrganizationDirectory(directory),
    config: options.config ?? defaultConfig(),
    threads: options.threads ?? 1,
    logger: createLogger({ level: 'silent' }),
    prefix,
    ...(options.now === undefined ? {} : { now: options.now }),
  });

/** The queues a test drives by hand, as another service or ops in Bull Board would, on a test's prefix. */
export interface HandQueues {
  readonly requests: Queue;
  readonly finalize: Queue;
  readonly chunks: Queue;
  /** Events of the requests and finalize queues, for `job.waitUntilFinished`. */
  readonly requestEvents: QueueEvents;
  readonly finalizeEvents: QueueEvents;
  close(): Promise<void>;
}

export const openHandQueues = async (prefix: string): Promise<HandQueues> => {
  const redis = new Redis(redisUrl(), { maxRetriesPerRequest: null });
  const requests = new Queue(QUEUE_NAMES.requests, { connection: redis, prefix });
  const finalize = new Queue(QUEUE_NAMES.finalize, { connection: redis, prefix });
  const chunks = new Queue(QUEUE_NAMES.chunks, { connection: redis, prefix });
  const requestEvents = new QueueEvents(QUEUE_NAMES.requests, { connection: redis.duplicate(), prefix });
  const finalizeEvents = new QueueEvents(QUEUE_NAMES.finalize, { connection: redis.duplicate(), prefix });
  await Promise.all([requestEvents.waitUntilReady(), finalizeEvents.waitUntilReady()]);
  return {
    requests,
    finalize,
    chunks,
    requestEvents,
    finalizeEvents,
    async close() {
      await Promise.all([requestEvents.close(), finalizeEvents.close(), requests.close(), finalize.close(), chunks.close()]);
      redis.disconnect();
    },
  };
};
