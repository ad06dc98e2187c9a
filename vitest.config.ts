import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['packages/*/test/**/*.test.ts', 'apps/*/test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    globalSetup: ['apps/cli/test/support/global-setup.ts'],
    // Most test files spend their time waiting on Redis, timers and child processes, not on the CPU: on a
    // 2-core machine two files at a time took 539–540 s against 795 s one at a time (vitest's default there).
    // Three at a time took 424 s against 456 s for two, with more CPU and more contention for the timing tests.
    maxWorkers: Math.max(2, availableParallelism() - 1),
  },
});
