import { describe, expect, test } from 'vitest';
import { AggregateCache } from '../src/organizations/aggregate-cache';

const deferred = <T>(): { promise: Promise<T>; resolve: (value: T) => void; reject: (error: Error) => void } => {
  let resolve!: (value: T) => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<T>((yes, no) => {
    resolve = yes;
    reject = no;
  });
  return { promise, resolve, reject };
};

describe('cached aggregates', () => {
  test('are read once while the data version stands', async () => {
    const cache = new AggregateCache({ minRefreshMs: 0 });
    let reads = 0;
    const read = async (): Promise<number> => ++reads;
    expect((await cache.get('k', 'v1', read, 1_000))?.value).toBe(1);
    expect((await cache.get('k', 'v1', read, 1_000))?.value).toBe(1);
    expect((await cache.get('k', 'v2', read, 1_000))?.value).toBe(2);
  });

  test('are not read again sooner than the refresh interval, whatever the commits', async () => {
    let at = 0;
    const cache = new AggregateCache({ minRefreshMs: 1_000, now: () => at });
    let reads = 0;
    const read = async (): Promise<number> => ++reads;
    await cache.get('k', 'v1', read, 1_000);
    at = 999;
    expect((await cache.get('k', 'v2', read, 1_000))?.value).toBe(1);
    at = 1_000;
    expect((await cache.get('k', 'v2', read, 1_000))?.value).toBe(2);
  });

  test('a slow read leaves the caller with the previous value, or null, and is not started twice', async () => {
    const cache = new AggregateCache({ minRefreshMs: 0 });
    const slow = deferred<string>();
    let started = 0;
    const read = (): Promise<string> => {
      started++;
      return slow.promise;
    };
    expect(await cache.get('k', 'v1', read, 10)).toBeNull();
    expect(await cache.get('k', 'v1', read, 10)).toBeNull();
    expect(started).toBe(1);
    slow.resolve('first');
    expect(await cache.get('k', 'v1', read, 10)).toMatchObject({ value: 'first', refreshing: false });

    const next = deferred<string>();
    expect(await cache.get('k', 'v2', () => next.promise, 10)).toMatchObject({ value: 'first', refreshing: true });
    next.resolve('second');
    expect((await cache.get('k', 'v2', () => next.promise, 10))?.value).toBe('second');
  });

  test('a failed read reaches the caller that waits, and the next call tries again', async () => {
    const cache = new AggregateCache({ minRefreshMs: 0 });
    await expect(cache.get('k', 'v1', () => Promise.reject(new Error('unreadable')), 1_000)).rejects.toThrow('unreadable');
    expect((await cache.get('k', 'v1', async () => 'ok', 1_000))?.value).toBe('ok');
  });
});
