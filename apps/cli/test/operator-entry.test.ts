import { spawn, spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { countContactRows, openOrganizationDb } from '@scheduler/db';
import { sourceFingerprint } from '../bin/cli-bundle-cache.mjs';
import { redisUrl } from './support/scheduler-cli';

/**
 * `pnpm scheduler`, the entry operators run: bin/scheduler.mjs, which runs a bundle of the sources kept
 * for their current state (built by the first launch after a change). The other CLI tests run the test
 * run's own bundle; these make sure the entry itself works, the cache and its tsx fallback included.
 */
const LAUNCHER = fileURLToPath(new URL('../bin/scheduler.mjs', import.meta.url));
let cache: string;
const scheduler = (...args: string[]) => schedulerWith({}, ...args);
const schedulerWith = (env: Record<string, string>, ...args: string[]) =>
  spawnSync(process.execPath, [LAUNCHER, ...args], { encoding: 'utf8', timeout: 60_000, env: { ...process.env, SCHEDULER_CLI_CACHE: cache, ...env } });

beforeAll(() => {
  cache = mkdtempSync(join(tmpdir(), 'scheduler-cli-cache-'));
});
afterAll(() => rmSync(cache, { recursive: true, force: true }));

describe('the cache of bundles behind `pnpm scheduler`', () => {
  it('builds one bundle at the first launch and runs it at every later one', () => {
    const first = scheduler('migrate', '--help');
    expect(first.status, first.stderr).toBe(0);
    expect(first.stdout).toContain('migrate');
    const builds = readdirSync(cache);
    expect(builds).toEqual([sourceFingerprint()]);
    const built = statSync(join(cache, builds[0]!, 'main.js')).mtimeMs;

    const second = scheduler('seed', '--help');
    expect(second.status, second.stderr).toBe(0);
    expect(second.stdout).toContain('--contacts');
    expect(readdirSync(cache)).toEqual(builds);
    expect(statSync(join(cache, builds[0]!, 'main.js')).mtimeMs).toBe(built);
  });

  it('runs the sources through tsx when no bundle can be kept', () => {
    const directory = mkdtempSync(join(tmpdir(), 'scheduler-cli-test-'));
    try {
      const file = join(directory, 'a-file');
      writeFileSync(file, '');
      const fallback = schedulerWith({ SCHEDULER_CLI_CACHE: join(file, 'cache') }, 'migrate', '--db', join(directory, 'org.sqlite'));
      expect(fallback.status, fallback.stderr).toBe(0);
      expect(fallback.stdout).toContain('applied 0000_contract_tables');
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });

  it('tells a change of the sources, manifests or lockfile from a change elsewhere', () => {
    const root = mkdtempSync(join(tmpdir(), 'scheduler-cli-tree-'));
    try {
      const write = (path: string, text: string) => {
        mkdirSync(join(root, path, '..'), { recursive: true });
        writeFileSync(join(root, path), text);
      };
      write('pnpm-lock.yaml', 'lock 1');
      write('apps/cli/package.json', '{}');
      write('apps/cli/src/main.ts', 'one');
      write('packages/core/src/rules/deep.ts', 'two');
      write('packages/core/test/rules.test.ts', 'test');
      write('README.md', 'docs');
      const before = sourceFingerprint(root);
      expect(sourceFingerprint(root)).toBe(before);

      write('packages/core/test/rules.test.ts', 'another test');
      write('README.md', 'other docs');
      expect(sourceFingerprint(root)).toBe(before);

      write('packages/core/src/rules/deep.ts', 'three');
      const afterSource = sourceFingerprint(root);
      expect(afterSource).not.toBe(before);
      write('apps/cli/package.json', '{"dependencies":{}}');
      const afterManifest = sourceFingerprint(root);
      expect(afterManifest).not.toBe(afterSource);
      write('pnpm-lock.yaml', 'lock 2');
      const afterLock = sourceFingerprint(root);
      expect(afterLock).not.toBe(afterManifest);
      write('packages/core/src/new-file.ts', '');
      expect(sourceFingerprint(root)).not.toBe(afterLock);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});

describe('scheduler as operators run it', () => {
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

    const queues = { REDIS_URL: redisUrl(), SCHEDULER_QUEUE_PREFIX: `entry-${randomUUID()}`, LOG_LEVEL: 'warn' };
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
    const dashboard = spawn(process.execPath, [LAUNCHER, 'dashboard', '--port', '0'], {
      env: {
        ...process.env,
        SCHEDULER_CLI_CACHE: cache,
        REDIS_URL: redisUrl(),
        SCHEDULER_ORGS_DIR: directory,
        SCHEDULER_QUEUE_PREFIX: `entry-${randomUUID()}`,
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
