/**
 * A black-box audit of the operational promises: CONTRACT.md "Command line"
 * for unreadable databases and unreachable Redis, `run --json` against the
 * rows it committed, the logs of a run, bad contact rows, and malformed jobs
 * that other services enqueue to `scheduler-requests`.
 */
import { randomUUID } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openOrganizationDb, seedOrganization } from '@scheduler/db';
import { ROSTER_AS_OF, rosterExpectations, writeRoster } from './support/roster-organization';
import {
  UNREACHABLE_REDIS,
  bullmq,
  expectOneClearLine,
  jsonLines,
  redisUrl,
  scheduler,
  startScheduler,
  type RunningCli,
} from './support/scheduler-cli';

const AS_OF = '2026-11-28';
const CASE_TIMEOUT_MS = 120_000;
const SKIP_CODES = ['exclusion_window', 'year_round', 'frequency_cap', 'campaign_conflict'];

let directory: string;
beforeAll(() => {
  directory = mkdtempSync(join(tmpdir(), 'scheduler-operations-'));
});
afterAll(() => rmSync(directory, { recursive: true, force: true }));

const ownPrefix = (): string => `operations-${randomUUID()}`;

describe.concurrent('when a database cannot be read', () => {
  const notADatabase = (): string => {
    const path = join(directory, `notes-${randomUUID()}.sqlite`);
    writeFileSync(path, 'meeting notes, not a database\n');
    return path;
  };
  const aDirectory = (): string => {
    const path = join(directory, `folder-${randomUUID()}.sqlite`);
    mkdirSync(path);
    return path;
  };

  it('migrate --db naming a directory: one clear line naming the file', { timeout: CASE_TIMEOUT_MS }, async () => {
    const path = aDirectory();
    expectOneClearLine(await scheduler(['migrate', '--db', path], { REDIS_URL: UNREACHABLE_REDIS }), new RegExp(path));
  });

  it('seed --db naming a file that is not SQLite: one clear line saying so', { timeout: CASE_TIMEOUT_MS }, async () => {
    const path = notADatabase();
    expectOneClearLine(await scheduler(['seed', '--db', path, '--contacts', '10'], { REDIS_URL: UNREACHABLE_REDIS }), new RegExp(`${path}.*not a database`));
  });

  it('run --db naming a file that is not SQLite: one clear line saying so, and nothing else', { timeout: CASE_TIMEOUT_MS }, async () => {
    const path = notADatabase();
    const result = await scheduler(['run', '--db', path, '--as-of', AS_OF, '--json'], { REDIS_URL: redisUrl(), SCHEDULER_QUEUE_PREFIX: ownPrefix(), LOG_LEVEL: 'info' });
    expectOneClearLine(result, new RegExp(`${path}.*not a database`));
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stdout).toBe('');
  });

  it('reschedule --db naming a directory: one clear line naming it', { timeout: CASE_TIMEOUT_MS }, async () => {
    const path = aDirectory();
    const result = await scheduler(['reschedule', '--db', path, '--contact', '5', '--as-of', AS_OF], { REDIS_URL: redisUrl(), SCHEDULER_QUEUE_PREFIX: ownPrefix() });
    expectOneClearLine(result, new RegExp(path));
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
  });
});

describe.concurrent('when Redis is unreachable', () => {
  let database: string;
  beforeAll(() => {
    database = join(directory, 'unreachable.sqlite');
    seedOrganization(database, { contacts: 100, seed: 2, asOf: AS_OF });
  });
  const env = (redis = UNREACHABLE_REDIS): Record<string, string> => ({
    REDIS_URL: redis,
    SCHEDULER_QUEUE_PREFIX: ownPrefix(),
    SCHEDULER_ORGS_DIR: directory,
    DASHBOARD_PORT: '0',
  });

  it.each([
    ['worker', () => ['worker']],
    ['dashboard', () => ['dashboard']],
    ['demo', () => ['demo', '--contacts', '10', '--directory', join(directory, 'demo')]],
    // CONTRACT.md "Command line": the two commands that go through the queue.
    ['run', () => ['run', '--db', database, '--as-of', AS_OF, '--json']],
    ['reschedule', () => ['reschedule', '--db', database, '--contact', '5', '--as-of', AS_OF, '--json']],
  ])('%s ends with one clear line naming Redis and a non-zero exit', { timeout: CASE_TIMEOUT_MS }, async (_, args) => {
    expectOneClearLine(await scheduler(args(), env(), { timeoutMs: 40_000 }), /Redis is not reachable at redis:\/\/127\.0\.0\.1:1/);
  });

  it('demo with Redis unreachable generates no organization first', { timeout: CASE_TIMEOUT_MS }, async () => {
    const demoDirectory = join(directory, 'demo-unreached');
    expectOneClearLine(await scheduler(['demo', '--contacts', '10', '--directory', demoDirectory], env(), { timeoutMs: 40_000 }), /Redis is not reachable/);
    expect(existsSync(join(demoDirectory, 'demo.sqlite'))).toBe(false);
  });

  it('a host name that does not resolve is an unreachable Redis too', { timeout: CASE_TIMEOUT_MS }, async () => {
    expectOneClearLine(await scheduler(['nightly'], env('redis://no-such-host.invalid:6379'), { timeoutMs: 40_000 }), /Redis.*no-such-host\.invalid/);
  });

  // README: "A bad value stops start-up naming the variable"; CONTRACT: never a stack trace.
  it('REDIS_URL with a database that is not a number stops start-up naming REDIS_URL', { timeout: CASE_TIMEOUT_MS }, async () => {
    const url = new URL(redisUrl());
    expectOneClearLine(await scheduler(['nightly'], env(`redis://${url.host}/abc`), { timeoutMs: 40_000 }), /REDIS_URL: must be redis:/);
  });

  // Not two stack traces and exit 0 with the schedules registered in database 0.
  it('REDIS_URL naming a database the server does not have stops start-up', { timeout: CASE_TIMEOUT_MS }, async () => {
    const url = new URL(redisUrl());
    expectOneClearLine(await scheduler(['nightly'], env(`redis://${url.host}/99`), { timeoutMs: 40_000 }), /Redis at redis:\/\/.*\/99 has no database 99/);
  });
});

interface Summary {
  run_id: string;
  status: string;
  as_of: string;
  contacts: { total: number; usable: number; invalid: Record<string, number>; bad_dates: Record<string, number> };
  emails: { pre_scheduled: number; skipped: number; by_type: Record<string, number>; by_skip_reason: Record<string, number> };
  duration_ms: number;
}

/** CONTRACT.md "Run summary (--json), at least": the fields, their types and nesting. */
const expectContractSummary = (line: string): Summary => {
  const summary = JSON.parse(line) as Summary;
  const counts = (value: unknown): void => {
    expect(typeof value).toBe('object');
    for (const n of Object.values(value as Record<string, unknown>)) expect(Number.isSafeInteger(n) && (n as number) >= 0).toBe(true);
  };
  expect(typeof summary.run_id).toBe('string');
  expect(summary.run_id.length).toBeGreaterThan(0);
  expect(summary.status).toBe('completed');
  expect(summary.as_of).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  expect(Number.isSafeInteger(summary.contacts.total)).toBe(true);
  expect(Number.isSafeInteger(summary.contacts.usable)).toBe(true);
  expect(Object.keys(summary.contacts.invalid).sort()).toEqual(['invalid_email', 'missing_email', 'missing_zip', 'unknown_zip']);
  counts(summary.contacts.invalid);
  expect(Object.keys(summary.contacts.bad_dates).sort()).toEqual(['invalid_birth_date', 'invalid_effective_date']);
  counts(summary.contacts.bad_dates);
  expect(Number.isSafeInteger(summary.emails.pre_scheduled)).toBe(true);
  expect(Number.isSafeInteger(summary.emails.skipped)).toBe(true);
  counts(summary.emails.by_type);
  counts(summary.emails.by_skip_reason);
  expect(Object.keys(summary.emails.by_skip_reason).filter((code) => !SKIP_CODES.includes(code))).toEqual([]);
  expect(typeof summary.duration_ms).toBe('number');
  expect(summary.duration_ms).toBeGreaterThanOrEqual(0);
  return summary;
};

/** Non-zero entries only: a summary may list a type with 0, SQL's GROUP BY never does. */
const nonZero = (counts: Record<string, number>): Record<string, number> =>
  Object.fromEntries(Object.entries(counts).filter(([, n]) => n !== 0));

interface CommittedCounts {
  byStatus: Record<string, number>;
  ofRun: number;
  byType: Record<string, number>;
  bySkipCode: Record<string, number>;
  contacts: number;
  contactIdsWithRows: number[];
  checkpoint: { status: string; contacts_processed: number; emails_scheduled: number; emails_skipped: number; completed_at: string | null } | undefined;
}

/** Counted in SQL, by hand, from the committed file. */
const committedCounts = (path: string, runId: string): CommittedCounts => {
  const db = openOrganizationDb(path, { readonly: true });
  try {
    const pairs = (sql: string, ...params: unknown[]): Record<string, number> =>
      Object.fromEntries((db.sqlite.prepare(sql).raw().all(...params) as [string, number][]).map(([key, n]) => [key, n]));
    return {
      byStatus: pairs(`SELECT status, COUNT(*) FROM email_schedules WHERE status IN ('pre-scheduled', 'skipped') GROUP BY status`),
      ofRun: (db.sqlite.prepare('SELECT COUNT(*) AS n FROM email_schedules WHERE scheduler_run_id = ?').get(runId) as { n: number }).n,
      byType: pairs(`SELECT email_type, COUNT(*) FROM email_schedules WHERE status IN ('pre-scheduled', 'skipped') GROUP BY email_type`),
      bySkipCode: pairs(
        `SELECT substr(skip_reason, 1, instr(skip_reason, ': ') - 1), COUNT(*) FROM email_schedules WHERE status = 'skipped' GROUP BY 1`,
      ),
      contacts: (db.sqlite.prepare('SELECT COUNT(*) AS n FROM contacts').get() as { n: number }).n,
      contactIdsWithRows: (
        db.sqlite.prepare(`SELECT DISTINCT contact_id FROM email_schedules WHERE status IN ('pre-scheduled', 'skipped') ORDER BY contact_id`).raw().all() as [number][]
      ).map(([id]) => id),
      checkpoint: db.sqlite
        .prepare('SELECT status, contacts_processed, emails_scheduled, emails_skipped, completed_at FROM scheduler_checkpoints WHERE scheduler_run_id = ?')
        .get(runId) as CommittedCounts['checkpoint'],
    };
  } finally {
    db.close();
  }
};

describe('when a run goes through a fleet of `scheduler worker`', () => {
  const prefix = ownPrefix();
  let organizations: string;
  let worker: RunningCli;
  let summary: Summary | undefined;
  let workerLinesOfRun = '';
  let runStderr = '';

  const fleetEnv = (): Record<string, string> => ({ REDIS_URL: redisUrl(), SCHEDULER_QUEUE_PREFIX: prefix, LOG_LEVEL: 'debug' });

  beforeAll(async () => {
    organizations = join(directory, 'organizations');
    mkdirSync(organizations);
    seedOrganization(join(organizations, 'acme.sqlite'), { contacts: 2_000, seed: 7, asOf: AS_OF });
    writeRoster(join(organizations, 'roster.sqlite'));
    worker = startScheduler(['worker', '--threads', '1'], { ...fleetEnv(), SCHEDULER_ORGS_DIR: organizations });
    await worker.waitFor(/fleet worker ready/);
  }, CASE_TIMEOUT_MS);
  afterAll(async () => {
    await worker.stop();
  });

  it('run --json exits 0 with the contract summary as the last line of stdout, agreeing with the committed rows', { timeout: CASE_TIMEOUT_MS }, async () => {
    const path = join(organizations, 'acme.sqlite');
    const before = worker.stdout.length;
    const result = await scheduler(['run', '--db', path, '--as-of', AS_OF, '--json', '--no-local-workers'], fleetEnv());
    workerLinesOfRun = worker.stdout.slice(before);
    runStderr = result.stderr;
    expect(result.status, result.stderr).toBe(0);
    const lines = result.stdout.trim().split('\n');
    summary = expectContractSummary(lines[lines.length - 1]!);
    expect(summary.as_of).toBe(AS_OF);

    const committed = committedCounts(path, summary.run_id);
    // A full run replaces every pre-scheduled and skipped row (RULES.md §10): they are all this run's.
    expect(committed.ofRun).toBe(summary.emails.pre_scheduled + summary.emails.skipped);
    expect(committed.byStatus).toEqual(nonZero({ 'pre-scheduled': summary.emails.pre_scheduled, skipped: summary.emails.skipped }));
    expect(committed.byType).toEqual(nonZero(summary.emails.by_type));
    expect(committed.bySkipCode).toEqual(nonZero(summary.emails.by_skip_reason));
    expect(summary.contacts.total).toBe(committed.contacts);
    expect(summary.contacts.usable + Object.values(summary.contacts.invalid).reduce((sum, n) => sum + n, 0)).toBe(summary.contacts.total);
    // Every usable contact has at least its AEP email (RULES.md §4), skipped or not; no unusable one has a row.
    expect(committed.contactIdsWithRows).toHaveLength(summary.contacts.usable);
    // "exits 0 only when committed": its checkpoint is completed, with the same counts.
    expect(committed.checkpoint).toMatchObject({
      status: 'completed',
      contacts_processed: summary.contacts.total,
      emails_scheduled: summary.emails.pre_scheduled,
      emails_skipped: summary.emails.skipped,
    });
    expect(committed.checkpoint?.completed_at).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
  });

  it("every log line of that run, the worker's and the run command's, is pino JSON carrying the run id and organization", () => {
    expect(summary, 'the run above completed').toBeDefined();
    const records = [...jsonLines(workerLinesOfRun), ...jsonLines(runStderr)];
    // Not vacuous: the worker logged the run (planning, chunks, backup, commit).
    expect(records.length).toBeGreaterThanOrEqual(3);
    for (const record of records) {
      expect(record, JSON.stringify(record)).toMatchObject({ runId: summary!.run_id, organization: 'acme' });
      expect(typeof record.level).toBe('number');
      expect(typeof record.time).toBe('number');
    }
  });

  it('counts every bad contact row under its reason and schedules none of them (RULES.md §2)', { timeout: CASE_TIMEOUT_MS }, async () => {
    const path = join(organizations, 'roster.sqlite');
    const result = await scheduler(['run', '--db', path, '--as-of', ROSTER_AS_OF, '--json', '--no-local-workers'], fleetEnv());
    expect(result.status, result.stderr).toBe(0);
    const lines = result.stdout.trim().split('\n');
    const roster = expectContractSummary(lines[lines.length - 1]!);
    const expected = rosterExpectations();
    expect(roster.contacts).toMatchObject({
      total: expected.total,
      usable: expected.usableIds.length,
      invalid: expected.invalid,
      bad_dates: expected.badDates,
    });
    const committed = committedCounts(path, roster.run_id);
    expect(committed.contactIdsWithRows).toEqual(expected.usableIds);
    expect(committed.ofRun).toBe(roster.emails.pre_scheduled + roster.emails.skipped);
  });

  describe('and another service enqueues a malformed job', () => {
    // README / CONTRACT: "A payload that fails validation fails at once, without retries, with a message naming the field."
    it.each([
      ['a campaign reschedule without campaignInstanceId', 'reschedule-campaign', { organization: 'acme' }, /campaignInstanceId/],
      ['a field the schema does not have', 'reschedule-contacts', { organization: 'acme', contactIds: [1], colour: 'red' }, /colour/],
      ['an asOf that is not a calendar date', 'reschedule-contacts', { organization: 'acme', contactIds: [1], asOf: '2026-02-30' }, /asOf/],
      ['a full run as of a day whose schedule would outgrow four-digit years', 'full-run', { organization: 'acme', asOf: '9999-12-31' }, /asOf.*9979-12-31/],
      ['a fractional contact id', 'reschedule-contacts', { organization: 'acme', contactIds: [4, 1.5] }, /contactIds/],
      ['a full run whose rerun is not a boolean', 'full-run', { organization: 'acme', rerun: 'yes' }, /rerun/],
      ['an organization name that is a path', 'reschedule-campaign', { organization: '../acme', campaignInstanceId: 1 }, /organization/],
    ])('%s fails once, naming the field', { timeout: CASE_TIMEOUT_MS }, async (_, name, payload, field) => {
      const { Queue, Job } = bullmq();
      const { hostname, port } = new URL(redisUrl());
      const requests = new Queue('scheduler-requests', { connection: { host: hostname, port: Number(port || 6379) }, prefix });
      try {
        // The enqueuer asks for retries; a malformed payload must not use them.
        const job = await requests.add(name, payload, { attempts: 5, backoff: { type: 'fixed', delay: 10 } });
        // Read from Redis rather than followed through QueueEvents, whose stream can miss an event that comes
        // before its first read: the job's own record says how it ended and after how many attempts.
        const deadline = Date.now() + 60_000;
        let state = await requests.getJobState(job.id!);
        while (state !== 'failed' && state !== 'completed' && Date.now() < deadline) {
          await new Promise((resolve) => setTimeout(resolve, 50));
          state = await requests.getJobState(job.id!);
        }
        const ended = await Job.fromId(requests, job.id!);
        const seen = `state ${state}, attempts ${ended?.attemptsMade}, reason ${ended?.failedReason}`;
        expect(state, seen).toBe('failed');
        expect(ended?.attemptsMade, seen).toBe(1);
        expect(ended?.failedReason, seen).toMatch(field);
        // At error level, once: what an operator's alert on errors catches, with no retry announced.
        await worker.waitFor(new RegExp(`^\\{"level":50,[^\\n]*"jobId":"${job.id}",[^\\n]*"msg":"job failed for good"\\}$`, 'm'));
        expect(worker.stdout).not.toMatch(new RegExp(`"jobId":"${job.id}",[^\\n]*"msg":"job failed; it will be tried again"`));
      } finally {
        await requests.close();
      }
    });
  });

  it('everything the worker wrote, from start-up on, is a JSON log record', () => {
    expect(jsonLines(worker.stdout).length).toBeGreaterThan(0);
    jsonLines(worker.stderr);
  });

  // An ID is a contacts.id: full runs schedule contact 0, and the job schema takes any integer.
  it('reschedule --contact 0 reschedules the contact whose id is 0', { timeout: CASE_TIMEOUT_MS }, async () => {
    const path = join(organizations, 'roster.sqlite');
    const result = await scheduler(['reschedule', '--db', path, '--contact', '0', '--as-of', ROSTER_AS_OF, '--json', '--no-local-workers'], fleetEnv());
    expect(result.status, result.stderr).toBe(0);
    const lines = result.stdout.trim().split('\n');
    expect(JSON.parse(lines[lines.length - 1]!)).toMatchObject({ status: 'completed', contacts: { total: 1, usable: 1 } });
  });
});

describe('when `run` starts its own workers (no fleet serves the queues)', () => {
  let result: Awaited<ReturnType<typeof scheduler>>;
  let runId = '';

  beforeAll(async () => {
    const path = join(directory, 'solo.sqlite');
    seedOrganization(join(directory, 'solo-seed.sqlite'), { contacts: 500, seed: 9, asOf: AS_OF });
    copyFileSync(join(directory, 'solo-seed.sqlite'), path);
    result = await scheduler(['run', '--db', path, '--as-of', AS_OF, '--json'], { REDIS_URL: redisUrl(), SCHEDULER_QUEUE_PREFIX: ownPrefix(), LOG_LEVEL: 'debug' });
    const lines = result.stdout.trim().split('\n');
    runId = (JSON.parse(lines[lines.length - 1] ?? '{}') as { run_id?: string }).run_id ?? '';
  }, CASE_TIMEOUT_MS);

  it('every stderr line is pino JSON, and every line from the run on carries its run id and organization', () => {
    expect(result.status, result.stderr).toBe(0);
    expect(runId).not.toBe('');
    const records = jsonLines(result.stderr);
    const first = records.findIndex((record) => record.runId === runId);
    expect(first).toBeGreaterThanOrEqual(0);
    const ofRun = records.slice(first);
    expect(ofRun.some((record) => record.msg === 'chunk computed')).toBe(true);
    for (const record of ofRun) expect(record, JSON.stringify(record)).toMatchObject({ runId, organization: 'solo' });
  });

  // The lines before the run's job exists (starting local workers) included.
  it('every line the run command writes carries the run id and organization', () => {
    expect(result.status).toBe(0);
    for (const record of jsonLines(result.stderr)) expect(record, JSON.stringify(record)).toMatchObject({ runId, organization: 'solo' });
  });

  // A rerun and a reschedule are named when they are asked for, not by the run they follow or by the fleet.
  it.each([
    ['run --rerun', ['run', '--rerun']],
    ['reschedule', ['reschedule', '--contact', '3']],
  ])('every line %s writes with its own workers carries the id of the run it made', { timeout: CASE_TIMEOUT_MS }, async (_, command) => {
    const own = await scheduler([...command, '--db', join(directory, 'solo.sqlite'), '--as-of', AS_OF, '--json'], {
      REDIS_URL: redisUrl(),
      SCHEDULER_QUEUE_PREFIX: ownPrefix(),
      LOG_LEVEL: 'debug',
    });
    expect(own.status, own.stderr).toBe(0);
    const lines = own.stdout.trim().split('\n');
    const ownRunId = (JSON.parse(lines[lines.length - 1]!) as { run_id: string }).run_id;
    expect(ownRunId).not.toBe(runId);
    const records = jsonLines(own.stderr);
    expect(records.some((record) => record.msg === 'no fleet serves this organization; starting workers in this process')).toBe(true);
    for (const record of records) expect(record, JSON.stringify(record)).toMatchObject({ runId: ownRunId, organization: 'solo' });
  });
});

describe('when `scheduler nightly` registers the nightly job scheduler', () => {
  // CONTRACT.md "Command line": `nightly` registers the nightly job scheduler; success is exit 0.
  it('exits 0 and leaves a repeating nightly job on scheduler-requests', { timeout: CASE_TIMEOUT_MS }, async () => {
    const prefix = ownPrefix();
    const result = await scheduler(['nightly'], { REDIS_URL: redisUrl(), SCHEDULER_QUEUE_PREFIX: prefix });
    expect(result.status, result.stderr).toBe(0);
    const { Queue } = bullmq();
    const { hostname, port } = new URL(redisUrl());
    const requests = new Queue('scheduler-requests', { connection: { host: hostname, port: Number(port || 6379) }, prefix });
    try {
      const schedulers = await requests.getJobSchedulers();
      const nightly = schedulers.filter((entry) => entry.name === 'nightly');
      expect(nightly, JSON.stringify(schedulers)).toHaveLength(1);
      // A daily pattern in the configured time zone (America/Chicago unless configured).
      expect(nightly[0]).toMatchObject({ tz: 'America/Chicago' });
      expect(typeof nightly[0]!.pattern).toBe('string');
    } finally {
      await requests.obliterate({ force: true });
      await requests.close();
    }
  });
});
