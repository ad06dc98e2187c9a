/*
 * `scheduler run` stopped by SIGTERM (or Ctrl-C) while its own workers run the flow: they finish the jobs in
 * their hands, the command exits as a process SIGTERM ended, with one clear line, and the rest of the run
 * stays in the queue: the next `run` of the file takes it up and completes it. Nothing is lost.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openOrganizationDb, seedOrganization } from '@scheduler/db';
import { expectOneClearLine, redisUrl, scheduler, startScheduler } from './support/scheduler-cli';

const AS_OF = '2026-11-28';

describe('when a run is stopped by SIGTERM while its own workers compute its chunks', () => {
  let directory: string;
  let database: string;

  beforeAll(() => {
    directory = mkdtempSync(join(tmpdir(), 'scheduler-run-stop-'));
    database = join(directory, 'busy.sqlite');
    seedOrganization(database, { contacts: 300_000, seed: 9, asOf: AS_OF });
  });
  afterAll(() => rmSync(directory, { recursive: true, force: true }));

  it('exits 143 with one clear line, and the next run of the file completes the run', { timeout: 180_000 }, async () => {
    const env = { REDIS_URL: redisUrl(), SCHEDULER_QUEUE_PREFIX: `run-stop-${randomUUID()}`, LOG_LEVEL: 'info' };
    const first = startScheduler(['run', '--db', database, '--as-of', AS_OF, '--json'], env);
    try {
      await first.waitFor(/"chunk computed"/, 90_000);
      const status = await first.stop(60_000);
      expectOneClearLine({ status, signal: null, timedOut: false, stdout: first.stdout, stderr: first.stderr }, /^scheduler: stopped by SIGTERM before run run-busy-2026-11-28-\w+ completed; its jobs stay in the queue: run this command again to complete it/);
      expect(status).toBe(143);
      expect(first.stdout).toBe('');
    } finally {
      first.child.kill('SIGKILL');
    }
    const db = openOrganizationDb(database, { readonly: true });
    try {
      expect(db.sqlite.prepare('SELECT status FROM scheduler_checkpoints').pluck().all()).toEqual(['started']);
    } finally {
      db.close();
    }

    const second = await scheduler(['run', '--db', database, '--as-of', AS_OF, '--json'], env, { timeoutMs: 150_000 });
    expect(second.status, second.stderr).toBe(0);
    const summary = JSON.parse(second.stdout.trim().split('\n').at(-1)!) as { status: string; contacts: { total: number } };
    expect(summary).toMatchObject({ status: 'completed', contacts: { total: 300_000 } });
  });
});
