import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
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

  it('is built once per process, and removed when the process exits', () => {
    const module = fileURLToPath(new URL('../src/thread-bundle.ts', import.meta.url));
    const script = `
      const { threadBundlePath } = await import(${JSON.stringify(module)});
      const [first, second] = await Promise.all([threadBundlePath(), threadBundlePath()]);
      const third = await threadBundlePath();
      process.stdout.write(JSON.stringify({ first, second, third, existed: (await import('node:fs')).existsSync(first) }));
    `;
    const child = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8' });
    expect(child.status, child.stderr).toBe(0);
    const { first, second, third, existed } = JSON.parse(child.stdout) as { first: string; second: string; third: string; existed: boolean };
    expect([second, third]).toEqual([first, first]);
    expect(existed).toBe(true);
    expect(existsSync(dirname(first))).toBe(false);
  });
});
