/**
 * `pnpm bench:run [contacts]` (default 1,000,000; or BENCH_CONTACTS): the fleet
 * end to end on a seeded organization, against the floor measured here too
 * (reading every contact, then inserting the run's rows sorted by contact
 * into an empty schedule table in one transaction). A worker process serves
 * the queues; `scheduler run` enqueues and waits, as an operator would.
 * Needs REDIS_URL: `pnpm bench:run` (scripts/bench-run.sh) starts a private Redis when it is not set.
 * The last line of stdout is one JSON object of the figures.
 */
import { spawn } from 'node:child_process';
import { createWriteStream, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue, QueueEvents } from 'bullmq';
import { Redis } from 'ioredis';
import { formatIsoDate, parseIsoDate } from '@scheduler/core';
import { contactChunks, openOrganizationDb, readContacts, schema, seedOrganization, type ScheduleRow } from '@scheduler/db';
import { QUEUE_NAMES, REQUEST_JOB_NAMES } from '@scheduler/queue';
import { asc, inArray } from 'drizzle-orm';
import { insertFloor } from './db/raw-floor';
import { RunPhaseLog, type RunPhases } from './run-phases';

const contactCount = Number(process.argv[2] ?? process.env.BENCH_CONTACTS ?? 1_000_000);
const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const AS_OF = '2026-11-28';
const NEXT_DAY = formatIsoDate(parseIsoDate(AS_OF)! + 1);
const RESCHEDULES = 60;
const directory = mkdtempSync(join(tmpdir(), 'bench-run-'));
// Queues of its own, so that no other fleet on this Redis takes its jobs.
const prefix = `bench-${process.pid}`;
const database = join(directory, 'bench.sqlite');
const seconds = (from: bigint): number => Number(process.hrtime.bigint() - from) / 1e9;
const round = (value: number, digits = 2): number => Number(value.toFixed(digits));
const say = (line: string): void => void process.stderr.write(`${line}\n`);
// BENCH_WORKER_LOG=FILE: the worker's info-level JSON lines are kept there too (the figures take their phases from them).
const workerLog = process.env.BENCH_WORKER_LOG;

/** Peak resident memory of a live process, in MB (Linux VmHWM). */
const peakRssMb = (pid: number): number => {
  const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match === null ? 0 : Math.round(Number(match[1]) / 1024);
};

/** Pids of a live process's children (Linux); none once it is gone. */
const childrenOf = (pid: number): number[] => {
  try {
    return readdirSync(`/proc/${pid}/task`).flatMap((thread) =>
      readFileSync(`/proc/${pid}/task/${thread}/children`, 'utf8').split(' ').filter(Boolean).map(Number),
    );
  } catch {
    return [];
  }
};

// The CLI as `pnpm scheduler` runs it, in one node process (no pnpm wrapper around it), so that its pid is the one
// to measure and stop. The worker starts first: a bundle it builds for changed sources is the runs' too.
const scheduler = (args: string[], env: Record<string, string> = {}) =>
  spawn(process.execPath, ['apps/cli/bin/scheduler.mjs', ...args], {
    env: { ...process.env, REDIS_URL: redisUrl, SCHEDULER_ORGS_DIR: directory, SCHEDULER_QUEUE_PREFIX: prefix, LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });

/** Runs `scheduler run` to completion, sampling its peak memory; returns its summary and the time it took. */
const timedRun = async (asOf: string): Promise<{ seconds: number; peakRssMb: number; summary: Record<string, unknown> }> => {
  const start = process.hrtime.bigint();
  const child = scheduler(['run', '--db', database, '--as-of', asOf, '--json', '--no-local-workers']);
  let peak = 0;
  const sampler = setInterval(() => {
    try {
      peak = Math.max(peak, peakRssMb(child.pid!));
    } catch {
      // The process has just exited.
    }
  }, 200);
  let output = '';
  child.stdout!.on('data', (data: Buffer) => (output += data.toString()));
  const code = await new Promise<number>((resolve) => child.on('exit', (exitCode) => resolve(exitCode ?? 1)));
  clearInterval(sampler);
  if (code !== 0) throw new Error(`scheduler run exited with ${code}`);
  const lines = output.trim().split('\n');
  return { seconds: seconds(start), peakRssMb: peak, summary: JSON.parse(lines[lines.length - 1]!) as Record<string, unknown> };
};

/** The floor: read every contact, then insert the run's committed rows, sorted by contact, into an empty table. */
const floor = (): { seconds: number; readSeconds: number; insertSeconds: number; rows: number } => {
  const db = openOrganizationDb(database, { readonly: true });
  const rows = db.orm
    .select()
    .from(schema.emailSchedules)
    .where(inArray(schema.emailSchedules.status, ['pre-scheduled', 'skipped']))
    .orderBy(asc(schema.emailSchedules.contactId))
    .all() as unknown as ScheduleRow[];
  const readStart = process.hrtime.bigint();
  let read = 0;
  for (const chunk of contactChunks(db, 10_000)) read += readContacts(db, chunk).length;
  const readSeconds = seconds(readStart);
  db.close();
  const insertStart = process.hrtime.bigint();
  const inserted = insertFloor(join(directory, 'floor.sqlite'), rows);
  const insertSeconds = seconds(insertStart);
  if (read !== contactCount) throw new Error(`floor read ${read} of ${contactCount} contacts`);
  return { seconds: readSeconds + insertSeconds, readSeconds, insertSeconds, rows: inserted };
};

const describePhases = (phases: RunPhases | null): string =>
  phases === null
    ? ''
    : `: chunks ${phases.chunks_s} s, append ${phases.append_s} s, finalize ${phases.finalize_s} s, ` +
      `commit ${phases.commit_s} s (of which waiting for the backup ${phases.backup_wait_s} s); backup ${phases.backup_s} s`;

/** The worker serves the finalize queue once its threads are started and warm (it registers that worker last). */
const untilWorkerReady = async (redis: Redis): Promise<void> => {
  const finalize = new Queue(QUEUE_NAMES.finalize, { connection: redis, prefix });
  try {
    for (const deadline = Date.now() + 120_000; Date.now() < deadline; ) {
      if ((await finalize.getWorkers()).length > 0) return;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    throw new Error('the worker did not start within 120 s');
  } finally {
    await finalize.close();
  }
};

const main = async (): Promise<void> => {
  say(`seeding ${contactCount.toLocaleString('en-US')} contacts in ${directory}`);
  const seedStart = process.hrtime.bigint();
  seedOrganization(database, { contacts: contactCount, seed: 1, asOf: AS_OF });
  const seedSeconds = seconds(seedStart);

  const redis = new Redis(redisUrl, { maxRetriesPerRequest: null });
  await redis.config('RESETSTAT');
  await redis.call('MEMORY', 'PURGE').catch(() => undefined);
  const baseline = Number(/used_memory:(\d+)/.exec(await redis.info('memory'))![1]);

  say('starting a worker process');
  const worker = scheduler(['worker'], { LOG_LEVEL: 'info' });
  const phaseLog = new RunPhaseLog(worker.stdout!);
  if (workerLog !== undefined) worker.stdout!.pipe(createWriteStream(workerLog));
  process.on('exit', () => worker.kill('SIGKILL'));
  await untilWorkerReady(redis);
  let redisPeak = 0;
  // The worker's children are its runs' backup processes (see backup-process.ts): each is a process of the fleet too.
  let backupPeak = 0;
  const redisSampler = setInterval(() => {
    void redis.info('memory').then((info) => {
      redisPeak = Math.max(redisPeak, Number(/used_memory:(\d+)/.exec(info)![1]));
    });
    for (const child of childrenOf(worker.pid!)) {
      try {
        backupPeak = Math.max(backupPeak, peakRssMb(child));
      } catch {
        // It has just exited.
      }
    }
  }, 250);

  say('first full run');
  const first = await timedRun(AS_OF);
  const firstPhases = await phaseLog.of(String(first.summary.run_id));
  say(`  ${round(first.seconds)} s${describePhases(firstPhases)}`);
  say('floor');
  const measuredFloor = floor();
  say(`  ${round(measuredFloor.seconds)} s`);
  say("next day's run");
  const next = await timedRun(NEXT_DAY);
  const nextPhases = await phaseLog.of(String(next.summary.run_id));
  say(`  ${round(next.seconds)} s${describePhases(nextPhases)}`);

  say(`${RESCHEDULES} single-contact reschedules`);
  const requests = new Queue(QUEUE_NAMES.requests, { connection: redis, prefix });
  const events = new QueueEvents(QUEUE_NAMES.requests, { connection: redis.duplicate(), prefix });
  await events.waitUntilReady();
  const latencies: number[] = [];
  for (let i = 0; i < RESCHEDULES; i++) {
    const contactId = 1 + Math.floor((i * 7919) % contactCount);
    const start = process.hrtime.bigint();
    const job = await requests.add(REQUEST_JOB_NAMES.rescheduleContacts, {
      organization: 'bench',
      contactIds: [contactId],
      asOf: NEXT_DAY,
    });
    await job.waitUntilFinished(events);
    latencies.push(seconds(start) * 1000);
  }
  latencies.sort((a, b) => a - b);
  clearInterval(redisSampler);
  const workerPeak = peakRssMb(worker.pid!);
  worker.kill('SIGTERM');
  await new Promise((resolve) => worker.on('exit', resolve));
  await events.close();
  await requests.close();
  redis.disconnect();
  rmSync(directory, { recursive: true, force: true });

  const figures = {
    contacts: contactCount,
    rows: measuredFloor.rows,
    seed_s: round(seedSeconds),
    floor_s: round(measuredFloor.seconds),
    floor_read_contacts_s: round(measuredFloor.readSeconds),
    floor_insert_rows_s: round(measuredFloor.insertSeconds),
    first_run_s: round(first.seconds),
    first_run_vs_floor: round(first.seconds / measuredFloor.seconds),
    next_day_run_s: round(next.seconds),
    next_day_vs_first: round(next.seconds / first.seconds),
    phases: { first_run: firstPhases, next_day: nextPhases },
    peak_rss_mb: { worker: workerPeak, backup_process: backupPeak, cli_first_run: first.peakRssMb, cli_next_day: next.peakRssMb },
    redis_peak_mb: round((redisPeak - baseline) / 1024 / 1024, 1),
    reschedule_ms: {
      p50: round(latencies[Math.floor(latencies.length * 0.5)]!, 1),
      p95: round(latencies[Math.floor(latencies.length * 0.95)]!, 1),
      max: round(latencies[latencies.length - 1]!, 1),
    },
    first_run_writes: first.summary.writes,
    next_day_writes: next.summary.writes,
  };
  console.log(JSON.stringify(figures));
};

try {
  await main();
  process.exit(0);
} catch (error) {
  console.error(error);
  process.exit(1);
}
