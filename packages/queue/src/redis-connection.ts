import { Redis } from 'ioredis';

export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';

/** The URL as it may be shown: its password replaced. */
export const redactedRedisUrl = (url: string): string => {
  try {
    const parsed = new URL(url);
    if (parsed.password !== '') parsed.password = '***';
    return parsed.href;
  } catch {
    return url;
  }
};

/**
 * The database number a Redis URL names in its path (0 when none). ioredis
 * reads any other path as NaN and a number the server lacks as a failed
 * SELECT it only reports as an event: both are refused here instead.
 */
export const redisDatabaseOf = (url: string): number => {
  const { protocol, pathname } = new URL(url);
  if (protocol !== 'redis:' && protocol !== 'rediss:') throw new Error(`${redactedRedisUrl(url)} is not a redis:// or rediss:// URL`);
  if (pathname === '' || pathname === '/') return 0;
  const database = /^\/(\d{1,9})$/.exec(pathname)?.[1];
  if (database === undefined) throw new Error(`${redactedRedisUrl(url)}: the path must be a database number, not ${pathname}`);
  return Number(database);
};

/**
 * A connection for a worker (blocking commands must wait out Redis restarts)
 * or for a producer (fail fast instead of queueing commands while offline).
 */
export const createRedisConnection = (url: string, role: 'worker' | 'producer'): Redis => {
  const redis = new Redis(url, {
    maxRetriesPerRequest: role === 'worker' ? null : 1,
    enableOfflineQueue: role === 'worker',
    lazyConnect: false,
  });
  // A lost connection shows where it matters: a command fails, and BullMQ's queues and workers emit 'error'
  // (the fleet logs it). Without a listener here ioredis prints a stack trace for every reconnect attempt.
  redis.on('error', () => undefined);
  return redis;
};

/** Resolves when Redis answers PING in the database the URL names, or rejects with a message naming the URL. */
export const checkRedisReachable = async (url: string, timeoutMs = 3000): Promise<void> => {
  const database = redisDatabaseOf(url);
  const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, connectTimeout: timeoutMs, retryStrategy: () => null });
  client.on('error', () => undefined);
  try {
    try {
      // connectTimeout covers the TCP connection only: a server (or a proxy) that accepts and never answers is
      // caught by this bound on the whole exchange.
      let timer: NodeJS.Timeout | undefined;
      const silent = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
      });
      try {
        await Promise.race([client.connect().then(() => client.ping()), silent]);
      } finally {
        clearTimeout(timer);
      }
    } catch (cause) {
      throw new Error(`Redis is not reachable at ${redactedRedisUrl(url)}`, { cause });
    }
    if (database !== 0) {
      await client.select(database).catch((cause: unknown) => {
        throw new Error(`Redis at ${redactedRedisUrl(url)} has no database ${database}`, { cause });
      });
    }
  } finally {
    client.disconnect();
  }
};
