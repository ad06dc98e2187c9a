import { rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { defaultConfig } from '@scheduler/core';
import { seedOrganization } from '@scheduler/db';
import { RunClient, SingleDatabase, createLogger, formatRunSummary } from '@scheduler/pipeline';
import { checkRedisReachable, redactedRedisUrl } from '@scheduler/queue';
import { readEnv } from '../cli-env';
import { makeDirectory } from '../make-directory';
import { chunkProgressBar } from '../progress-bar';

/** A path as one shell word: quoted when it holds anything but safe characters (a space, a quote…). */
const shellWord = (text: string): string => (/^[\w@%+=:,./-]+$/.test(text) ? text : `'${text.replaceAll("'", "'\\''")}'`);

export interface DemoOptions {
  contacts: number;
  directory: string;
}

/**
 * `scheduler demo`: the README's first command. A generated organization,
 * scheduled end to end through a real Redis queue, with a summary.
 */
export const demoCommand = async (options: DemoOptions): Promise<void> => {
  const { REDIS_URL, SCHEDULER_THREADS, LOG_LEVEL, SCHEDULER_QUEUE_PREFIX } = readEnv();
  const directory = resolve(options.directory);
  const path = join(directory, 'demo.sqlite');
  makeDirectory(directory);
  // Before the seeding, which takes seconds at a large --contacts and would be for nothing.
  await checkRedisReachable(REDIS_URL);
  for (const suffix of ['', '-wal', '-shm']) rmSync(`${path}${suffix}`, { force: true });
  rmSync(join(directory, '.scheduler'), { recursive: true, force: true });

  process.stdout.write(`Generating a demo organization of ${options.contacts.toLocaleString('en-US')} contacts in ${path}\n`);
  const seeded = seedOrganization(path, { contacts: options.contacts, seed: 1 });
  process.stdout.write(
    `  ${seeded.contacts.toLocaleString('en-US')} contacts, ${seeded.emailSchedules.toLocaleString('en-US')} rows of send history\n` +
      `Scheduling it through the queue at ${redactedRedisUrl(REDIS_URL)}\n`,
  );
  const client = await RunClient.connect({
    redisUrl: REDIS_URL,
    locator: SingleDatabase.open(path),
    config: defaultConfig(),
    threads: SCHEDULER_THREADS,
    // A person reads the demo's screen: warnings only, unless LOG_LEVEL asks for more (or less).
    logger: createLogger({ level: process.env.LOG_LEVEL === undefined ? 'warn' : LOG_LEVEL, toStderr: true }),
    startLocalWorkers: true,
    prefix: SCHEDULER_QUEUE_PREFIX,
  });
  const progress = chunkProgressBar();
  try {
    const summary = await client.fullRun('demo', { rerun: true }, progress.update);
    progress.stop();
    process.stdout.write(`${formatRunSummary(summary)}\n`);
    process.stdout.write(
      `\nThe schedule is in ${path} (table email_schedules).\n` +
        `Try, with a Redis running at REDIS_URL (default redis://127.0.0.1:6379; \`redis-server --daemonize yes\` starts one):\n` +
        `  pnpm -s scheduler reschedule --db ${shellWord(path)} --contact ${Math.min(42, seeded.contacts)}\n`,
    );
  } finally {
    progress.stop();
    await client.close();
  }
};
