import { spawn, spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { countContactRows, openOrganizationDb } from '@scheduler/db';
import { redisUrl } from './support/scheduler-cli';

/**
 * `pnpm scheduler`, the entry operators run: the sources loaded through tsx.
 * The other CLI tests run the test run's bundle of the same sources
 * (support/cli-bundle.ts); these make sure the entry itself works.
 */
const main = fileURLToPath(new URL('../src/main.ts', import.meta.url));
const TSX_ENTRY = ['--import', 'tsx', main];
const scheduler = (...args: string[]) => schedulerWith({}, ...args);
const schedulerWith = (env: Record<string, string>, ...args: string[]) =>
  spawnSync(process.execPath, [...TSX_ENTRY, ...args], { encoding: 'utf8', timeout: 60_000, env: { ...process.env, ...env } });

describe('scheduler through tsx, as operators run it', () => {
  let directory: string | null = null;
  afterEach(() => {
    if (directory !== null) rmSync(directory, { recursive: true, force: true });
    directory = null;
  });

  it('seeds a new database, migrates it as up to date, and refuses bad arguments with one line', () => {
    directory = mkdtempSync(join(tmpdir(), 'scheduler-cli-test-'));
    const path = join(directory, 'org.sqlite');
    const seeded = scheduler('seed', '--db', path, '--contacts', '500', '--seed', '4', '--as-of', '2026-03-15');
    expect(seeded.status).toBe(0);
    expect(seeded.stdout).toContain('500 contacts');
    const db = openOrganizationDb(path, { readonly: true });
    expect(countContactRows(db)).toBe(500);
    db.close();

    const migrated = scheduler('migrate', '--db', path);
    expect(migrated.status).toBe(0);
    expect(migrated.stdout.trim()).toBe(`${path}: up to date`);

    const again = scheduler('seed', '--db', path, '--contacts', '5');
    expect(again.status).not.toBe(0);
    expect(again.stderr.trim().split('\n')).toHaveLength(1);
    expect(again.stderr).toContain('already holds contacts');

    const badCount = scheduler('seed', '--db', join(directory, 'other.sqlite'), '--contacts', 'many');
    expect(badCount.status).not.toBe(0);
    expect(badCount.stderr).toContain('--contacts');
  });

  it('runs a seeded organization through the queue to its commit', () => {
    directory = mkdtempSync(join(tmpdir(), 'scheduler-cli-test-'));
    const path = join(directory, 'org.sqlite');
    expect(scheduler('seed', '--db', path, '--contacts', '300', '--as-of', '2026-03-15').status).toBe(0);

    const queues = { REDIS_URL: redisUrl(), SCHEDULER_QUEUE_PREFIX: `tsx-${randomUUID()}`, LOG_LEVEL: 'warn' };
    const run = schedulerWith(queues, 'run', '--db', path, '--as-of', '2026-03-15', '--json');

    expect(run.status, run.stderr).toBe(0);
    const summary = JSON.parse(run.stdout.trim().split('\n').at(-1)!) as { status: string; contacts: { total: number }; emails: { pre_scheduled: number } };
    expect(summary).toMatchObject({ status: 'completed', contacts: { total: 300 } });
    const db = openOrganizationDb(path, { readonly: true });
    try {
      expect(db.sqlite.prepare("SELECT count(*) FROM email_schedules WHERE status = 'pre-scheduled'").pluck().get()).toBe(summary.emails.pre_scheduled);
    } finally {
      db.close();
    }
  });

  it('serves the dashboard, Bull Board and its scripts included, and stops on SIGTERM', async () => {
    directory = mkdtempSync(join(tmpdir(), 'scheduler-cli-test-'));
    const dashboard = spawn(process.execPath, [...TSX_ENTRY, 'dashboard', '--port', '0'], {
      env: {
        ...process.env,
        REDIS_URL: redisUrl(),
        SCHEDULER_ORGS_DIR: directory,
        SCHEDULER_QUEUE_PREFIX: `tsx-${randomUUID()}`,
        DASHBOARD_USER: 'ops',
        DASHBOARD_PASSWORD: 'a long enough password',
        LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    const exited = new Promise<number | null>((resolve) => dashboard.once('close', (status) => resolve(status)));
    try {
      let stderr = '';
      const url = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no address printed: ${stderr}`)), 50_000);
        dashboard.stderr.on('data', (data: Buffer) => {
          stderr += data.toString();
          const address = /^dashboard: (http:\/\/\S+?)\/?$/m.exec(stderr)?.[1];
          if (address !== undefined) {
            clearTimeout(timer);
            resolve(address);
          }
        });
      });
      const authorization = `Basic ${Buffer.from('ops:a long enough password').toString('base64')}`;

      const page = await fetch(`${url}/queues`, { headers: { authorization } });
      expect(page.status).toBe(200);
      const html = await page.text();
      const scripts = [...html.matchAll(/<script[^>]* src="([^"]+)"/g)].map((match) => match[1]!);
      expect(scripts.length).toBeGreaterThan(0);
      for (const script of scripts) {
        const response = await fetch(new URL(script, `${url}/queues/`), { headers: { authorization } });
        expect(response.status, script).toBe(200);
        expect(response.headers.get('content-type'), script).toMatch(/javascript/);
      }

      dashboard.kill('SIGTERM');
      expect(await exited).toBe(0);
    } finally {
      dashboard.kill('SIGKILL');
    }
  });
});
