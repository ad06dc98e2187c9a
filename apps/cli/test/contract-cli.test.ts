/**
 * A black-box audit of CONTRACT.md "Command line" and "Configuration" and of
 * README's "A bad value stops start-up naming the variable": every command,
 * given a bad argument, a bad configuration file or a bad environment value,
 * ends with one clear line on stderr naming the problem and a non-zero exit.
 * (Unreadable databases, unreachable Redis and the run itself are in
 * operations.test.ts.)
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { seedOrganization } from '@scheduler/db';
import { readEnv } from '../src/cli-env';
import { UNREACHABLE_REDIS, expectOneClearLine, redisUrl, scheduler } from './support/scheduler-cli';

// Cases run two processes at a time (support/scheduler-cli.ts); a case's time includes its wait for a slot.
const CASE_TIMEOUT_MS = 120_000;

let directory: string;
let database: string;
const file = (name: string, text: string): string => {
  const path = join(directory, name);
  writeFileSync(path, text);
  return path;
};
/** A world of its own per case: its own queue prefix on the test Redis, its own organizations directory. */
const reachable = (): Record<string, string> => ({
  REDIS_URL: redisUrl(),
  SCHEDULER_QUEUE_PREFIX: `contract-cli-${randomUUID()}`,
  SCHEDULER_ORGS_DIR: join(directory, 'organizations'),
  DASHBOARD_PORT: '0',
});
/** Nothing answers: a case that got past its bad input would end on Redis instead, and fail its message check. */
const unreachable = (): Record<string, string> => ({ ...reachable(), REDIS_URL: UNREACHABLE_REDIS });

beforeAll(() => {
  directory = mkdtempSync(join(tmpdir(), 'scheduler-contract-cli-'));
  database = join(directory, 'acme.sqlite');
  seedOrganization(database, { contacts: 200, seed: 3, asOf: '2026-11-28' });
});
afterAll(() => rmSync(directory, { recursive: true, force: true }));

type Case = [title: string, args: () => string[], env: () => Record<string, string>, mention: RegExp];

/** A state_rules table meant to hold CA, with CS typed instead. */
const misspeltStateConfig = (): string => {
  const path = join(directory, 'misspelt-state.yaml');
  writeFileSync(path, 'state_rules:\n  CS: { kind: birthday_window, before: 30, after: 60 }\n  NY: { kind: year_round }\n');
  return path;
};

describe.concurrent('when an argument is bad', () => {
  const cases: Case[] = [
    ['run with --as-of a day that does not exist', () => ['run', '--db', database, '--as-of', '2026-02-30'], unreachable, /--as-of.*2026-02-30/],
    ['run with --as-of a day whose schedule would outgrow four-digit years', () => ['run', '--db', database, '--as-of', '9999-12-31'], unreachable, /--as-of.*9999-12-31.*9979-12-31/],
    ['run with --as-of a day before 1900', () => ['run', '--db', database, '--as-of', '1899-12-31'], unreachable, /--as-of.*1899-12-31.*1900-01-01 to 9979-12-31/],
    ['run with a state_rules code that no ZIP maps to (a misspelt state)', () => ['run', '--db', database, '--config', misspeltStateConfig()], unreachable, /state_rules\.CS/],
    ['reschedule with --as-of a word', () => ['reschedule', '--db', database, '--contact', '5', '--as-of', 'tomorrow'], unreachable, /--as-of.*tomorrow/],
    ['run with an unknown flag', () => ['run', '--db', database, '--bogus'], unreachable, /unknown option '--bogus'/],
    ['reschedule with a contact id that is not a number', () => ['reschedule', '--db', database, '--contact', 'x'], unreachable, /--contact.*'x'/],
    ['migrate without --db', () => ['migrate'], unreachable, /--db/],
    ['seed with a negative --contacts', () => ['seed', '--db', join(directory, 'negative.sqlite'), '--contacts', '-1'], unreachable, /--contacts.*-1/],
    ['seed with a fractional --contacts', () => ['seed', '--db', join(directory, 'fraction.sqlite'), '--contacts', '1.5'], unreachable, /--contacts.*1\.5/],
    ['seed with a --seed that is not a number', () => ['seed', '--db', join(directory, 'word.sqlite'), '--contacts', '10', '--seed', 'x'], unreachable, /--seed.*'x'/],
    ['dashboard with a --port out of range', () => ['dashboard', '--port', '99999'], unreachable, /--port.*99999/],
    ['demo with a --contacts that is not a number', () => ['demo', '--contacts', 'x', '--directory', join(directory, 'demo')], unreachable, /contacts/],
    ['demo with a --directory that is a file', () => ['demo', '--contacts', '10', '--directory', database], unreachable, /is not a directory/],
  ];
  it.each(cases)('%s ends with one clear line naming it and a non-zero exit', { timeout: CASE_TIMEOUT_MS }, async (_, args, env, mention) => {
    expectOneClearLine(await scheduler(args(), env()), mention);
  });

  // Node's recursive mkdir never returns under /proc; the demo must end instead.
  it('demo with a --directory that cannot be made names it', { timeout: CASE_TIMEOUT_MS }, async () => {
    const result = await scheduler(['demo', '--contacts', '10', '--directory', '/proc/scheduler-demo/orgs'], unreachable(), { timeoutMs: 20_000 });
    expectOneClearLine(result, /cannot create the directory \/proc\/scheduler-demo/);
  });

  // CONTRACT "Command line": one clear line, not a suggestion after it (a mistyped flag is the same case).
  it('a mistyped command ends with one clear line naming it', { timeout: CASE_TIMEOUT_MS }, async () => {
    expectOneClearLine(await scheduler(['schedule', '--db', database], unreachable()), /unknown command 'schedule'/);
  });

  // Not a message from inside BullMQ that names neither --threads nor the value given.
  it('worker with a --threads that is not a number names --threads', { timeout: CASE_TIMEOUT_MS }, async () => {
    expectOneClearLine(await scheduler(['worker', '--threads', 'x'], reachable()), /--threads/);
  });

  // As SCHEDULER_THREADS=1.5 is refused; a worker that started anyway would have to be stopped here.
  it('worker with a fractional --threads is refused', { timeout: CASE_TIMEOUT_MS }, async () => {
    expectOneClearLine(await scheduler(['worker', '--threads', '1.5'], reachable(), { timeoutMs: 10_000 }), /--threads/);
  });

  // An empty value (an unset shell variable) is not 0 contacts.
  it('seed with an empty --contacts is refused', { timeout: CASE_TIMEOUT_MS }, async () => {
    const path = join(directory, 'empty-count.sqlite');
    const result = await scheduler(['seed', '--db', path, '--contacts', ''], unreachable());
    expectOneClearLine(result, /--contacts/);
  });

  it('--help prints the commands on stdout and exits 0', { timeout: CASE_TIMEOUT_MS }, async () => {
    const result = await scheduler(['--help'], unreachable());
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/Usage: scheduler/);
    for (const command of ['migrate', 'seed', 'run', 'reschedule', 'worker', 'nightly', 'demo', 'dashboard']) expect(result.stdout).toContain(command);
  });

  // The message says what failed; the cause it keeps says why (here: the path is a directory).
  it('a configuration file that cannot be read: one line with the file and the reason', { timeout: CASE_TIMEOUT_MS }, async () => {
    const folder = join(directory, 'a-folder.yaml');
    mkdirSync(folder, { recursive: true });
    expectOneClearLine(await scheduler(['run', '--db', database, '--config', folder], unreachable()), /cannot read configuration file .*a-folder\.yaml \(.*EISDIR/);
  });

  // Not the whole usage text, whose last line says nothing is wrong.
  it('no command at all ends with one line saying a command is needed', { timeout: CASE_TIMEOUT_MS }, async () => {
    expectOneClearLine(await scheduler([], unreachable()), /command/);
  });
});

describe.concurrent('when the configuration file is bad', () => {
  const cases: Case[] = [
    ['nightly, an unknown nested key', () => ['nightly', '--config', file('nested-unknown.yaml', 'timing:\n  birthday_days: 3\n')], reachable, /timing\.birthday_days/],
    [
      'worker through SCHEDULER_CONFIG, a percentage above 1',
      () => ['worker', '--threads', '1'],
      () => ({ ...reachable(), SCHEDULER_CONFIG: file('cap.json', '{ "load_balancing": { "daily_send_percentage_cap": 2 } }') }),
      /load_balancing\.daily_send_percentage_cap/,
    ],
    ['run, a state rule of an unknown kind', () => ['run', '--db', database, '--config', file('kind.yaml', 'state_rules:\n  CA: { kind: forever }\n')], reachable, /state_rules\.CA/],
    ['dashboard, an AEP month 13', () => ['dashboard', '--config', file('aep.json', '{ "aep": { "dates": [{ "month": 13, "day": 1 }] } }')], reachable, /aep\.dates/],
    [
      'reschedule, a period of 0 days',
      () => ['reschedule', '--db', database, '--contact', '5', '--config', file('period.yaml', 'frequency:\n  period_days: 0\n')],
      reachable,
      /frequency\.period_days/,
    ],
  ];
  it.each(cases)('%s: one clear line naming the key and a non-zero exit', { timeout: CASE_TIMEOUT_MS }, async (_, args, env, mention) => {
    expectOneClearLine(await scheduler(args(), env(), { timeoutMs: 30_000 }), mention);
  });

  // The YAML library's message quotes the input over several lines: its first line says what and where.
  it('run, a YAML file that does not parse: one clear line', { timeout: CASE_TIMEOUT_MS }, async () => {
    const result = await scheduler(['run', '--db', database, '--config', file('broken.yaml', 'timing:\n  birthday_email_days_before: [\n')], unreachable());
    expectOneClearLine(result, /broken\.yaml/);
  });
});

describe.concurrent('when an environment value is bad', () => {
  // README: "A bad value stops start-up naming the variable."
  const cases: Case[] = [
    ['run, SCHEDULER_THREADS not a number', () => ['run', '--db', database], () => ({ ...unreachable(), SCHEDULER_THREADS: 'abc' }), /SCHEDULER_THREADS/],
    ['run, SCHEDULER_THREADS in an exponent', () => ['run', '--db', database], () => ({ ...unreachable(), SCHEDULER_THREADS: '1e1' }), /SCHEDULER_THREADS: must be a whole number/],
    ['run, SCHEDULER_THREADS in hexadecimal', () => ['run', '--db', database], () => ({ ...unreachable(), SCHEDULER_THREADS: '0x2' }), /SCHEDULER_THREADS: must be a whole number/],
    ['worker, LOG_LEVEL not a level', () => ['worker'], () => ({ ...unreachable(), LOG_LEVEL: 'verbose' }), /LOG_LEVEL/],
    // Reachable: a worker that started anyway would serve nothing until the case's time ran out.
    ['worker, SCHEDULER_ORGS_DIR that does not exist', () => ['worker'], () => ({ ...reachable(), SCHEDULER_ORGS_DIR: join(directory, 'nowhere') }), /SCHEDULER_ORGS_DIR.*nowhere/],
    ['nightly, SCHEDULER_QUEUE_PREFIX with a colon', () => ['nightly'], () => ({ ...unreachable(), SCHEDULER_QUEUE_PREFIX: 'a:b' }), /SCHEDULER_QUEUE_PREFIX/],
    ['reschedule, REDIS_URL not a URL', () => ['reschedule', '--db', database, '--contact', '5'], () => ({ ...unreachable(), REDIS_URL: 'not a url' }), /REDIS_URL/],
    [
      'dashboard, a DASHBOARD_PASSWORD shorter than 12 characters',
      () => ['dashboard'],
      () => ({ ...unreachable(), DASHBOARD_USER: 'ops', DASHBOARD_PASSWORD: 'short' }),
      /DASHBOARD_PASSWORD/,
    ],
  ];
  it.each(cases)('%s: one clear line naming the variable and a non-zero exit', { timeout: CASE_TIMEOUT_MS }, async (_, args, env, mention) => {
    expectOneClearLine(await scheduler(args(), env()), mention);
  });
});

describe('the line a bad environment value stops start-up with', () => {
  afterEach(() => vi.unstubAllEnvs());

  // Plain words of what the value must be, never the validation library's own ("Too small: expected number…").
  it.each([
    ['SCHEDULER_THREADS', '0', 'must be a whole number from 1 to 256'],
    ['SCHEDULER_THREADS', '257', 'must be a whole number from 1 to 256'],
    ['DASHBOARD_PORT', '70000', 'must be a whole number from 0 to 65535'],
    ['LOG_LEVEL', 'loud', 'must be one of fatal, error, warn, info, debug, trace, silent'],
    ['SCHEDULER_QUEUE_PREFIX', 'a:b', 'must be letters, digits, _ and - only'],
    ['DASHBOARD_READ_ONLY', 'yes', 'must be true, false, 1 or 0'],
    ['REDIS_URL', 'not a url', 'must be redis://[user:password@]host[:port][/database number] (or rediss://)'],
    ['DASHBOARD_USER', 'u'.repeat(101), 'must be at most 100 characters'],
  ])('names %s=%s and what it must be', (variable, value, words) => {
    vi.stubEnv('DASHBOARD_USER', variable === 'DASHBOARD_USER' ? value : undefined);
    vi.stubEnv('DASHBOARD_PASSWORD', variable === 'DASHBOARD_USER' ? 'a password of 12+' : undefined);
    vi.stubEnv(variable, value);
    expect(() => readEnv()).toThrow(`bad environment: ${variable}: ${words}`);
  });
});

describe('when REDIS_URL is not set', () => {
  afterEach(() => vi.unstubAllEnvs());

  // CONTRACT.md "Command line": "`REDIS_URL` names the Redis server (default `redis://127.0.0.1:6379`)".
  it('the CLI uses redis://127.0.0.1:6379', () => {
    vi.stubEnv('REDIS_URL', undefined);
    expect(readEnv().REDIS_URL).toBe('redis://127.0.0.1:6379');
  });

  // README: an empty variable (`REDIS_URL=` in a compose file) is an unset one.
  it('an empty REDIS_URL is the default too', () => {
    vi.stubEnv('REDIS_URL', '');
    expect(readEnv().REDIS_URL).toBe('redis://127.0.0.1:6379');
  });
});
