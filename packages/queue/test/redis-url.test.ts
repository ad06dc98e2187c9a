import { describe, expect, it } from 'vitest';
import { redactedRedisUrl, redisDatabaseOf } from '../src/index';

describe('a Redis URL', () => {
  it('names database 0 when it has no path, else the number its path gives', () => {
    expect(redisDatabaseOf('redis://127.0.0.1:6379')).toBe(0);
    expect(redisDatabaseOf('redis://127.0.0.1:6379/')).toBe(0);
    expect(redisDatabaseOf('rediss://user:pw@cache.internal:6380/7')).toBe(7);
  });

  it('is refused when its path is not a database number, or it is not a redis URL', () => {
    // ioredis would read these as database NaN, or as a path of its own making.
    for (const url of ['redis://127.0.0.1:6379/abc', 'redis://127.0.0.1:6379/1/2', 'redis://127.0.0.1:6379/-1', 'http://127.0.0.1:6379']) {
      expect(() => redisDatabaseOf(url), url).toThrow(/database number|not a redis/);
    }
  });

  it('is shown without its password', () => {
    const shown = redactedRedisUrl('redis://scheduler:s3cret-Pa55@cache.internal:6380/2');
    expect(shown).not.toContain('s3cret-Pa55');
    expect(shown).toBe('redis://scheduler:***@cache.internal:6380/2');
    expect(redactedRedisUrl('redis://127.0.0.1:6379')).toBe('redis://127.0.0.1:6379');
  });
});
