import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildThreadBundle } from '../src/thread-bundle';

describe("the compute threads' bundle", () => {
  it('is removed with its process, and a bundle left by a process that is gone is removed at the next start', async () => {
    // A pid that was alive and is no more: a process that has exited.
    const gonePid = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout;
    const first = await buildThreadBundle();
    const parent = dirname(dirname(first.path));
    const leftByGone = join(parent, `bundle-${gonePid}-left`);
    const leftByLive = join(parent, `bundle-${process.pid}-kept`);
    mkdirSync(leftByGone, { recursive: true });
    mkdirSync(leftByLive, { recursive: true });
    try {
      const second = await buildThreadBundle();
      expect(existsSync(leftByGone)).toBe(false);
      expect(existsSync(leftByLive)).toBe(true);
      expect(existsSync(first.path)).toBe(true);
      second.remove();
      first.remove();
      expect(existsSync(dirname(first.path))).toBe(false);
    } finally {
      rmSync(leftByLive, { recursive: true, force: true });
      rmSync(leftByGone, { recursive: true, force: true });
    }
  });
});
