import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { Readable } from 'node:stream';
import { expect } from 'vitest';
import { schedulerNodeArgs } from './bundled-scheduler';

/** The Redis server the tests may use (bash scripts/test.sh starts one). */
export const redisUrl = (): string => {
  const url = process.env.REDIS_URL;
  if (url === undefined) throw new Error('REDIS_URL must name a Redis server (bash scripts/test.sh starts one)');
  return url;
};

/** A port nothing listens on: an unreachable Redis. */
export const UNREACHABLE_REDIS = 'redis://127.0.0.1:1';

export interface CliResult {
  status: number | null;
  signal: NodeJS.Signals | null;
  /** The test stopped the command: it was still running after the time it was given. */
  timedOut: boolean;
  stdout: string;
  stderr: string;
}

/**
 * The variables the CLI reads, removed from the inherited environment so that
 * a test sees only what it sets (a developer's own SCHEDULER_CONFIG or
 * DASHBOARD_PASSWORD must not change what a case means).
 */
const OWN_VARIABLES = /^(REDIS_URL|LOG_LEVEL|SCHEDULER_.*|DASHBOARD_.*)$/;

const cleanEnvironment = (env: Record<string, string>): NodeJS.ProcessEnv => ({
  ...Object.fromEntries(Object.entries(process.env).filter(([name]) => !OWN_VARIABLES.test(name))),
  LOG_LEVEL: 'warn',
  ...env,
});

/**
 * At most two CLI processes at once: a run or a worker starts compute threads
 * and warms them up (about a second of CPU each), and this runs on small
 * (2-core) machines beside other people's tests.
 */
let running = 0;
const waiting: (() => void)[] = [];
const slot = async (): Promise<() => void> => {
  if (running >= 2) await new Promise<void>((resolve) => waiting.push(resolve));
  running += 1;
  return () => {
    running -= 1;
    waiting.shift()?.();
  };
};

export interface SpawnOptions {
  /** Stop the command (SIGKILL) after this long; `timedOut` then says so. */
  timeoutMs?: number;
}

/** `scheduler <args>` as an operator runs it: its own process, no standard input. */
export const scheduler = async (args: string[], env: Record<string, string> = {}, options: SpawnOptions = {}): Promise<CliResult> => {
  const release = await slot();
  try {
    return await new Promise((resolve) => {
      const child = spawn(process.execPath, schedulerNodeArgs(args), {
        env: cleanEnvironment(env),
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      let timedOut = false;
      const timer = setTimeout(() => {
        timedOut = true;
        child.kill('SIGKILL');
      }, options.timeoutMs ?? 50_000);
      child.stdout.on('data', (data: Buffer) => (stdout += data.toString()));
      child.stderr.on('data', (data: Buffer) => (stderr += data.toString()));
      child.on('close', (status, signal) => {
        clearTimeout(timer);
        resolve({ status, signal, timedOut, stdout, stderr });
      });
    });
  } finally {
    release();
  }
};

/** A long-running `scheduler <args>` (worker, dashboard) whose output is read while it runs. */
export interface RunningCli {
  readonly child: ChildProcessByStdio<null, Readable, Readable>;
  stdout: string;
  stderr: string;
  /** Resolves once the output (stdout or stderr) matches. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<void>;
  /** SIGTERM, then wait for the exit (SIGKILL after `graceMs`). */
  stop(graceMs?: number): Promise<number | null>;
}

export const startScheduler = (args: string[], env: Record<string, string> = {}): RunningCli => {
  const child = spawn(process.execPath, schedulerNodeArgs(args), {
    env: cleanEnvironment(env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<number | null>((resolve) => child.on('close', (status) => resolve(status)));
  const running: RunningCli = {
    child,
    stdout: '',
    stderr: '',
    waitFor: async (pattern, timeoutMs = 40_000) => {
      const deadline = Date.now() + timeoutMs;
      while (!pattern.test(running.stdout) && !pattern.test(running.stderr)) {
        if (child.exitCode !== null) throw new Error(`scheduler ${args.join(' ')} exited: ${running.stderr}`);
        if (Date.now() > deadline) throw new Error(`scheduler ${args.join(' ')} did not print ${pattern}: ${running.stdout}${running.stderr}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    },
    stop: async (graceMs = 20_000) => {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      const status = await exited;
      clearTimeout(timer);
      return status;
    },
  };
  child.stdout.on('data', (data: Buffer) => (running.stdout += data.toString()));
  child.stderr.on('data', (data: Buffer) => (running.stderr += data.toString()));
  return running;
};

const nonEmptyLines = (text: string): string[] => text.split('\n').filter((line) => line.trim() !== '');

const parsesAsJson = (line: string): boolean => {
  try {
    JSON.parse(line);
    return true;
  } catch {
    return false;
  }
};

/** A line of a raw stack trace or of Node's report of an uncaught exception. */
const isStackLine = (line: string): boolean => /^\s+at\s/.test(line) || /^Node\.js v\d/.test(line);

/**
 * CONTRACT.md "Command line": "A bad argument, an unreadable database or an
 * unreachable Redis ends with one clear line on stderr and a non-zero exit,
 * never a stack trace alone." Read as: the command stops by itself with a
 * non-zero status; stderr's last line is a sentence (not a log record) that
 * matches `mention`; every line before it is a JSON log record (the pino logs
 * the command may have written while it worked); no raw stack trace anywhere.
 */
export const expectOneClearLine = (result: CliResult, mention: RegExp): void => {
  expect(result.timedOut, `the command was still running and had to be stopped; stderr: ${result.stderr}`).toBe(false);
  expect(result.signal, 'the command ended by itself, not by a signal').toBeNull();
  expect(result.status, `non-zero exit; stderr: ${result.stderr}`).not.toBe(0);
  const lines = nonEmptyLines(result.stderr);
  expect(lines.length, 'something on stderr').toBeGreaterThan(0);
  expect(lines.filter(isStackLine), 'no raw stack trace on stderr').toEqual([]);
  const last = lines[lines.length - 1]!;
  expect(parsesAsJson(last), `the last line is a sentence, not a log record: ${last}`).toBe(false);
  expect(lines.slice(0, -1).filter((line) => !parsesAsJson(line)), 'only JSON log records before the last line').toEqual([]);
  expect(last).toMatch(mention);
};

/** Every non-empty line of `text`, parsed (a line that is not JSON fails the test, naming it). */
export const jsonLines = (text: string): Record<string, unknown>[] =>
  nonEmptyLines(text).map((line) => {
    expect(parsesAsJson(line), `a log line that is not JSON: ${line}`).toBe(true);
    return JSON.parse(line) as Record<string, unknown>;
  });

/**
 * BullMQ as another service uses it. The CLI package does not depend on
 * bullmq itself; the queue package (whose payloads other services enqueue) does.
 */
export const bullmq = (): typeof import('../../../../packages/queue/node_modules/bullmq') =>
  createRequire(fileURLToPath(new URL('../../../../packages/queue/package.json', import.meta.url)))('bullmq');
