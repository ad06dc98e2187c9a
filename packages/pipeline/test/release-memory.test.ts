import { constants, PerformanceObserver, type PerformanceEntry } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { collectWhenIdle } from '../src/release-memory';

/** Full collections asked for by code (gc()), not those V8 decides on. */
const watchForcedCollections = (): { count: () => number; stop: () => void } => {
  const forced: PerformanceEntry[] = [];
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      const detail = (entry as PerformanceEntry & { detail?: { kind: number; flags: number } }).detail;
      if (detail !== undefined && detail.kind === constants.NODE_PERFORMANCE_GC_MAJOR && (detail.flags & constants.NODE_PERFORMANCE_GC_FLAGS_FORCED) !== 0) {
        forced.push(entry);
      }
    }
  });
  observer.observe({ entryTypes: ['gc'] });
  return { count: () => forced.length, stop: () => observer.disconnect() };
};

describe('a compute thread collects its garbage when it stays idle', () => {
  let watch: ReturnType<typeof watchForcedCollections> | null = null;
  afterEach(() => {
    collectWhenIdle.taskStarted();
    watch?.stop();
  });

  it('collects once, a second after its last task ended', async () => {
    watch = watchForcedCollections();
    collectWhenIdle.taskEnded();
    await sleep(500);
    expect(watch.count()).toBe(0);
    await sleep(1_000);
    expect(watch.count()).toBe(1);
    await sleep(1_200);
    expect(watch.count()).toBe(1);
  });

  it('does not collect between tasks that follow each other within the second', async () => {
    watch = watchForcedCollections();
    for (let task = 0; task < 4; task++) {
      collectWhenIdle.taskEnded();
      await sleep(400);
      collectWhenIdle.taskStarted();
    }
    await sleep(1_200);
    expect(watch.count()).toBe(0);
  });
});
