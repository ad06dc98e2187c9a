import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'vitest';

/** A fresh directory per test, removed after it: each test gets its own SQLite files. */
export const useTempDirectory = (): (() => string) => {
  let directory: string | null = null;
  afterEach(() => {
    if (directory !== null) rmSync(directory, { recursive: true, force: true });
    directory = null;
  });
  return () => {
    directory ??= mkdtempSync(join(tmpdir(), 'scheduler-db-test-'));
    return directory;
  };
};
