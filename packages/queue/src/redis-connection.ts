import { Redis } from 'ioredis';

export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';

/**
 * A connection for a worker (blocking commands must wait out Redis restarts)
 * or for a producer (fail fast instead of queueing commands while offline).
 */
export const createRedisConnection = (url: string, role: 'worker' | 'producer'): Redis =>
  new Redis(url, {
    maxRetriesPerRequest: role === 'worker' ? null : 1,
    enableOfflineQueue: role === 'worker',
    lazyConnect: false,
  });

/** Resolves when Redis answers PING, or rejects with a message naming the URL. */
export const checkRedisReachable = async (url: string, timeoutMs = 3000): Promise<void> => {
  const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, connectTimeout: timeoutMs, retryStrategy: () => null });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.ping();
  } catch (cause) {
    throw new Error(`Redis is not reachable at ${url}`, { cause });
  } finally {
    client.disconnect();
  }
};
