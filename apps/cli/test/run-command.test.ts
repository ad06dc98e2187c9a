import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openOrganizationDb, seedOrganization } from '@scheduler/db';
import { schedulerNodeArgs } from './support/bundled-scheduler';

const redisUrl = (): string => {
  const url = process.env.REDIS_URL;
  if (url === undefined) throw new Error('REDIS_URL must name a Redis server (bash scripts/test.sh starts one)');
  return url;
};

/** The CLI as an operator runs it, in its own process, with no standard input. */
const scheduler = (args: string[], env: Record<string, string> = {}): Promise<{ status: number | null; stdout: string; stderr: string }> =>
  new Promise((resolve) => {
    const child = spawn(process.execPath, schedulerNodeArgs(args), {
      env: { ...process.env, LOG_LEVEL: 'warn', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (data: Buffer) => (stdout += data.toString()));
    child.stderr.on('data', (data: Buffer) => (stderr += data.toString()));
    child.on('exit', (status) => resolve({ status, stdout, stderr }));
  });

// Each command starts workers of its own: 35-47 s apiece on a loaded 2-core machine when the CLI still loaded
// through tsx, where the default 60 s timed out the case that runs two of them.
describe('scheduler run and reschedule', { timeout: 180_000 }, () => {
  let directory: string;
  let database: string;
  const prefix = `cli-${randomUUID()}`;

  beforeAll(() => {
    directory = mkdtempSync(join(tmpdir(), 'scheduler-run-cli-'));
    database = join(directory, 'acme.sqlite');
    seedOrganization(database, { contacts: 1_500, seed: 5, asOf: '2026-11-28' });
  });
  afterAll(() => rmSync(directory, { recursive: true, force: true }));

  it('runs through the queue and prints the contract summary as the last line of stdout with --json', async () => {
    const result = await scheduler(['run', '--db', database, '--as-of', '2026-11-28', '--json'], {
      REDIS_URL: redisUrl(),
      SCHEDULER_QUEUE_PREFIX: prefix,
      LOG_LEVEL: 'info',
    });
    expect(result.status).toBe(0);
    const lines = result.stdout.trim().split('\n');
    // Logs (the workers' too) go to stderr: stdout is the summary alone.
    expect(lines).toHaveLength(1);
    expect(result.stderr).toContain('"msg":"chunk computed"');
    // The fleet names who asked for the run it planned, and the request's job.
    const planned = result.stderr.split('\n').find((line) => line.includes('"msg":"run planned"'));
    expect(JSON.parse(planned ?? '{}')).toMatchObject({ requestedBy: 'cli', jobId: expect.stringMatching(/^run-acme-2026-11-28-/) });
    const summary = JSON.parse(lines[lines.length - 1]!) as Record<string, any>;
    expect(summary).toMatchObject({ status: 'completed', as_of: '2026-11-28' });
    expect(typeof summary.run_id).toBe('string');
    expect(typeof summary.duration_ms).toBe('number');
    expect(summary.contacts.total).toBe(1_500);
    expect(Object.keys(summary.contacts.invalid).sort()).toEqual(['invalid_email', 'missing_email', 'missing_zip', 'unknown_zip']);
    expect(Object.keys(summary.contacts.bad_dates).sort()).toEqual(['invalid_birth_date', 'invalid_effective_date']);
    expect(summary.emails.pre_scheduled + summary.emails.skipped).toBe(
      Object.values(summary.emails.by_type as Record<string, number>).reduce((sum, n) => sum + n, 0),
    );
    expect(Object.keys(summary.emails.by_skip_reason).every((code) => ['exclusion_window', 'year_round', 'frequency_cap', 'campaign_conflict'].includes(code))).toBe(true);
  });

  it('says, asked again for a run that committed, that nothing ran again, and shows its summary', async () => {
    const text = await scheduler(['run', '--db', database, '--as-of', '2026-11-28'], { REDIS_URL: redisUrl(), SCHEDULER_QUEUE_PREFIX: prefix });
    expect(text.status).toBe(0);
    expect(text.stdout).toMatch(/^Run run-acme-2026-11-28-\S+ had completed already, in [\d.]+ s \(as of 2026-11-28\); nothing ran again/);
    expect(text.stdout).toMatch(/\n {2}contacts {3}1,500 read/);
  });

  it('reschedules a contact through the queue', async () => {
    const result = await scheduler(['reschedule', '--db', database, '--contact', '7', '--as-of', '2026-11-28', '--json'], {
      REDIS_URL: redisUrl(),
      SCHEDULER_QUEUE_PREFIX: prefix,
    });
    expect(result.status).toBe(0);
    const lines = result.stdout.trim().split('\n');
    expect(JSON.parse(lines[lines.length - 1]!)).toMatchObject({ status: 'completed', kind: 'contacts' });
  });

  // CONTRACT.md "Command line": `reschedule --db FILE --contact ID...`, several ids after one flag.
  it('reschedules every contact listed after one --contact, and only those', async () => {
    const result = await scheduler(['reschedule', '--db', database, '--contact', '3', '9', '11', '--as-of', '2026-11-28', '--json'], {
      REDIS_URL: redisUrl(),
      SCHEDULER_QUEUE_PREFIX: prefix,
    });
    expect(result.status, result.stderr).toBe(0);
    const lines = result.stdout.trim().split('\n');
    const summary = JSON.parse(lines[lines.length - 1]!) as { run_id: string; status: string; contacts: { total: number } };
    expect(summary).toMatchObject({ status: 'completed', contacts: { total: 3 } });
    const db = openOrganizationDb(database, { readonly: true });
    try {
      const checkpoint = db.sqlite
        .prepare('SELECT status, contacts_processed FROM scheduler_checkpoints WHERE scheduler_run_id = ?')
        .get(summary.run_id);
      expect(checkpoint).toEqual({ status: 'completed', contacts_processed: 3 });
    } finally {
      db.close();
    }
  });

  it('names the contacts asked for that the organization does not have, and reschedules the others', async () => {
    const env = { REDIS_URL: redisUrl(), SCHEDULER_QUEUE_PREFIX: prefix };
    const json = await scheduler(['reschedule', '--db', database, '--contact', '5', '987654', '-3', '--as-of', '2026-11-28', '--json'], env);
    expect(json.status, json.stderr).toBe(0);
    const lines = json.stdout.trim().split('\n');
    expect(JSON.parse(lines[lines.length - 1]!)).toMatchObject({ status: 'completed', contacts: { total: 1, not_found: [-3, 987654] } });
    const text = await scheduler(['reschedule', '--db', database, '--contact', '987654', '--as-of', '2026-11-28'], env);
    expect(text.status, text.stderr).toBe(0);
    expect(text.stdout).toMatch(/not found\s+contact 987654/);
  });

  // A run as of a later day by mistake, then the nights go on: only the night that replaces its schedule warns.
  it('warns when a run replaces the schedule of a run as of a later day, and not on the runs after it', async () => {
    const other = join(directory, 'later.sqlite');
    seedOrganization(other, { contacts: 300, seed: 6, asOf: '2026-11-28' });
    const env = { REDIS_URL: redisUrl(), SCHEDULER_QUEUE_PREFIX: prefix };
    const warningsOf = async (asOf: string): Promise<string[]> => {
      const result = await scheduler(['run', '--db', other, '--as-of', asOf, '--json'], env);
      expect(result.status, result.stderr).toBe(0);
      return result.stderr.split('\n').filter((line) => line.includes('"msg":"the schedule in force is'));
    };
    expect(await warningsOf('2026-12-05')).toEqual([]);
    const replacing = await warningsOf('2026-11-28');
    expect(replacing).toHaveLength(1);
    expect(JSON.parse(replacing[0]!)).toMatchObject({
      asOfInForce: '2026-12-05',
      runInForce: expect.stringMatching(/^run-later-2026-12-05-/),
      msg: expect.stringMatching(/this run, as of 2026-11-28, replaces it$/),
    });
    expect(await warningsOf('2026-11-29')).toEqual([]);
  });

  it.each([
    ['a bad configuration, naming the key', () => ['run', '--db', database, '--config', badConfig()], /timing\.birthday_email_days_before/],
    ['an unreachable Redis', () => ['run', '--db', database], /Redis is not reachable/],
    ['a missing database', () => ['run', '--db', join(directory, 'none.sqlite')], /does not exist/],
  ])('ends with one clear line on stderr and a non-zero exit for %s', async (_, args, message) => {
    const result = await scheduler(args(), { REDIS_URL: 'redis://127.0.0.1:1', SCHEDULER_QUEUE_PREFIX: prefix });
    expect(result.status).not.toBe(0);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(message);
  });

  const badConfig = (): string => {
    const path = join(directory, 'bad.yaml');
    writeFileSync(path, 'timing:\n  birthday_email_days_before: -3\n');
    return path;
  };
});
