import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Queue, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import { parseConfig, type Config } from '@scheduler/core';
import { seedOrganization } from '@scheduler/db';
import { CHUNK_JOB_NAME, QUEUE_NAMES } from '@scheduler/queue';
import { RunClient, SingleDatabase, createLogger, fullRunId } from '../../src/index';
import {
  RedisGate,
  WriteLockProbe,
  checkpointsOf,
  copyDatabase,
  expireLocksOfDeadWorkers,
  integrityOf,
  killHard,
  sleep,
  snapshotOf,
  spawnCli,
  type Snapshot,
  type Spawned,
} from './crash-harness';
import { newWorld, redisUrl } from './fleet-world';

const AS_OF_BEFORE = '2026-11-28';
export const AS_OF = '2026-11-29';

/**
 * Where a kill is aimed: a chunk being computed, the finalizer before its commit, the commit's open
 * transaction, or the moment its COMMIT is done (before the finalizer's job is recorded as completed).
 */
type KillTarget = 'chunks' | 'finalize' | 'commit' | 'after-commit';

/** Where, and whether the worker's whole process group (its backup process too: a machine crash) or the worker alone (the OOM killer). */
export interface KillPlan {
  readonly target: KillTarget;
  readonly only: 'group' | 'process';
}

export interface KillRecord {
  readonly target: KillTarget;
  /** What was seen just before the SIGKILL. */
  readonly observed: string;
  readonly delayMs: number;
  /** What the file held right after the kill. */
  readonly fileHeld: 'previous' | 'new' | 'other';
  /** The run whose worker was killed (the first attempt's id, or a rerun's). */
  readonly runId: string | null;
  readonly checkpoint: string;
  readonly stalledJobs: string[];
}

/**
 * A world of its own: an organization `acme` with one committed run (the day before), and the rows an
 * uninterrupted run of AS_OF gives on a copy of that file (`ref`), computed by the same kind of worker
 * process the crash run will use.
 */
export interface CrashWorld {
  readonly directory: string;
  readonly organizations: string;
  readonly database: string;
  readonly configPath: string;
  readonly config: Config;
  readonly prefix: string;
  readonly env: Record<string, string>;
  readonly redis: Redis;
  readonly runId: string;
  readonly previous: Snapshot;
  /** The rows of the uninterrupted run (null when not asked for). */
  readonly expected: Snapshot | null;
  /** The worker serving the queues now (replaced after each kill), and its gate (none for the first one). */
  worker: Spawned;
  workerGate: RedisGate | null;
  /** The worker that takes over after the next kill, started already. */
  next: GatedWorker;
  readonly spawned: Spawned[];
  readonly gates: RedisGate[];
  cleanup(): Promise<void>;
}

const T0 = Date.now();
/** Compute threads per worker process. */
const WORKER_THREADS = 2;
const traced: string[] = [];
/** Kept for the errors of a scenario that went wrong (CRASH_TRACE=1 prints each line as it comes too). */
const trace = (message: string): void => {
  const line = `[crash ${((Date.now() - T0) / 1000).toFixed(1)}s] ${message}`;
  traced.push(line);
  if (process.env.CRASH_TRACE === '1') process.stderr.write(`${line}\n`);
};
const tracedSoFar = (): string => `scenario so far:\n${traced.join('\n')}`;

/** The run ended before the kill aimed at it landed: a moment the harness missed, not a product failure. */
class HarnessMissError extends Error {
  override readonly name = 'HarnessMissError';
}

/**
 * Plays a crash scenario in a world of its own, and again in a new world (up to `tries` times) when the harness
 * missed its moment: on a loaded machine a short phase can pass between two looks. Returns the world it played in.
 */
export const playScenario = async (
  prepare: () => Promise<CrashWorld>,
  scenario: (world: CrashWorld) => Promise<void>,
  tries = 3,
): Promise<CrashWorld> => {
  for (let attempt = 1; ; attempt++) {
    const world = await prepare();
    try {
      await scenario(world);
      return world;
    } catch (error) {
      if (!(error instanceof HarnessMissError) || attempt >= tries) {
        await world.cleanup();
        throw error;
      }
      trace(`attempt ${attempt} missed its moment (${error.message.split(';')[0]}); playing it again in a new world`);
      await world.cleanup();
    }
  }
};

/** How long a crash scenario may take, from its start: a loaded CI machine runs it several times slower than an idle one. */
export const SCENARIO_BUDGET_MS = 150_000;
/** The hook running a scenario: its budget, and time to report what it saw. */
export const SCENARIO_HOOK_TIMEOUT_MS = SCENARIO_BUDGET_MS + 10_000;

const startWorker = (world: Pick<CrashWorld, 'env' | 'spawned'>, redisUrl?: string): Spawned => {
  const worker = spawnCli(['worker', '--threads', String(WORKER_THREADS)], redisUrl === undefined ? world.env : { ...world.env, REDIS_URL: redisUrl });
  world.spawned.push(worker);
  return worker;
};

/** A worker started now behind a closed gate (see RedisGate): it serves the queues once the gate opens. */
const startGatedWorker = async (world: Pick<CrashWorld, 'env' | 'spawned' | 'gates'>): Promise<GatedWorker> => {
  const gate = await RedisGate.start(world.env.REDIS_URL!);
  world.gates.push(gate);
  return { gate, worker: startWorker(world, gate.url) };
};

interface GatedWorker {
  readonly gate: RedisGate;
  readonly worker: Spawned;
}

export const prepareCrashWorld = async (options: {
  contacts: number;
  /** Contacts per chunk; none: the default configuration (the one the workers, and so the nightly runs, use). */
  batchSize?: number;
  seed: number;
  /** Whether to compute the rows of an uninterrupted run of AS_OF (on a copy of the file). */
  reference?: boolean;
}): Promise<CrashWorld> => {
  const base = newWorld();
  const organizations = join(base.directory, 'organizations');
  mkdirSync(organizations);
  const database = join(organizations, 'acme.sqlite');
  const configPath = join(base.directory, 'config.json');
  const configInput = options.batchSize === undefined ? {} : { batch_size: options.batchSize };
  const config = parseConfig(configInput);
  writeFileSync(configPath, JSON.stringify(configInput));
  const env = {
    REDIS_URL: redisUrl(),
    SCHEDULER_ORGS_DIR: organizations,
    SCHEDULER_QUEUE_PREFIX: base.prefix,
    LOG_LEVEL: 'warn',
  };
  const redis = new Redis(redisUrl(), { maxRetriesPerRequest: null });
  const spawned: Spawned[] = [];
  const gates: RedisGate[] = [];
  const world = { env, spawned, gates };
  // The first worker starts (several seconds) while the organization is seeded, and the next one behind its gate.
  const worker = startWorker(world);
  const next = await startGatedWorker(world);
  seedOrganization(database, { contacts: options.contacts, seed: options.seed, asOf: AS_OF_BEFORE });

  // The queue's own client, no workers of its own: the worker process does the runs.
  const runOn = async (path: string, organization: string, asOf: string): Promise<void> => {
    const client = await RunClient.connect({
      redisUrl: redisUrl(),
      locator: SingleDatabase.open(path),
      config,
      threads: 1,
      logger: createLogger({ level: 'silent' }),
      startLocalWorkers: false,
      prefix: base.prefix,
    });
    try {
      const summary = await client.fullRun(organization, { asOf });
      if (summary.status !== 'completed') throw new Error(`run of ${organization} for ${asOf}: ${summary.status}`);
    } finally {
      await client.close();
    }
  };
  trace('seeded');
  await runOn(database, 'acme', AS_OF_BEFORE);
  trace('day before committed');
  const previous = snapshotOf(database);
  let expected: Snapshot | null = null;
  if (options.reference !== false) {
    const reference = join(organizations, 'ref.sqlite');
    await copyDatabase(database, reference);
    await runOn(reference, 'ref', AS_OF);
    expected = snapshotOf(reference);
    trace('reference run committed');
  }

  return {
    directory: base.directory,
    organizations,
    database,
    configPath,
    config,
    prefix: base.prefix,
    env,
    redis,
    runId: fullRunId('acme', AS_OF, config),
    previous,
    expected,
    worker,
    workerGate: null,
    next,
    spawned,
    gates,
    async cleanup() {
      for (const process of spawned) await killHard(process);
      for (const gate of gates) await gate.close();
      // The queues of this prefix only.
      for (const name of Object.values(QUEUE_NAMES)) {
        const queue = new Queue(name, { connection: redis.duplicate(), prefix: base.prefix });
        await queue.obliterate({ force: true }).catch(() => undefined);
        await queue.close();
      }
      redis.disconnect();
      base.cleanup();
    },
  };
};

/** The `run` command ops would type for the crash run, served only by the fleet's worker processes. */
export const startRunCommand = (world: CrashWorld): Spawned => {
  const run = spawnCli(
    ['run', '--db', world.database, '--as-of', AS_OF, '--config', world.configPath, '--no-local-workers', '--json'],
    world.env,
  );
  world.spawned.push(run);
  return run;
};

export const lastJsonLine = (output: string): Record<string, unknown> | null => {
  const lines = output.trim().split('\n').reverse();
  for (const line of lines) {
    if (!line.startsWith('{')) continue;
    try {
      const value = JSON.parse(line) as Record<string, unknown>;
      if ('run_id' in value) return value;
    } catch {
      // A log line.
    }
  }
  return null;
};

/** What the organization's file holds now: the previous committed schedule, the new one, or something else. */
export const fileHolds = (world: CrashWorld): { held: 'previous' | 'new' | 'other'; snapshot: Snapshot } => {
  const snapshot = snapshotOf(world.database);
  const held =
    snapshot.schedulerDigest === world.previous.schedulerDigest
      ? 'previous'
      : snapshot.schedulerDigest === world.expected?.schedulerDigest
        ? 'new'
        : 'other';
  return { held, snapshot };
};

/**
 * Waits for the crash run to reach `target` (polling the queue and the file's write lock), waits a random
 * moment more, and kills the serving worker (SIGKILL to its process group). Then checks what the file
 * holds, hands the dead worker's jobs back as BullMQ would once their locks expire, and starts a fresh worker.
 */
export const killAt = async (
  world: CrashWorld,
  { target, only }: KillPlan,
  random: () => number,
  deadlineMs: number,
  prepareNext = true,
  options: { keepLocks?: boolean } = {},
): Promise<KillRecord> => {
  const chunks = new Queue(QUEUE_NAMES.chunks, { connection: world.redis.duplicate(), prefix: world.prefix });
  const backups = new Queue(QUEUE_NAMES.backups, { connection: world.redis.duplicate(), prefix: world.prefix });
  const finalize = new Queue(QUEUE_NAMES.finalize, { connection: world.redis.duplicate(), prefix: world.prefix });
  const probe = new WriteLockProbe(world.database);
  try {
    /** The run's finalizer (the first attempt's, or a rerun's: their ids start with the run's). */
    const finalizer = async (): Promise<{ state: string; runId: string | null }> => {
      for (const [state, jobs] of [
        ['active', await finalize.getActive()],
        ['waiting-children', await finalize.getWaitingChildren()],
      ] as const) {
        const job = jobs.find((candidate) => String((candidate.data as { runId?: string }).runId).startsWith(world.runId));
        if (job !== undefined) return { state, runId: (job.data as { runId: string }).runId };
      }
      return { state: 'none', runId: null };
    };
    const finalizerState = async (): Promise<string> => (await finalizer()).state;
    const chunkJobs = async (): Promise<{ active: number; completed: number }> => {
      const ofRun = (jobs: Job[]) =>
        jobs.filter((job) => job.name === CHUNK_JOB_NAME && String((job.data as { runId?: string }).runId).startsWith(world.runId)).length;
      return { active: ofRun(await chunks.getActive()), completed: ofRun(await chunks.getCompleted()) };
    };
    const reached = async (): Promise<boolean> => {
      const state = await finalizerState();
      if (target === 'chunks') {
        const counts = await chunkJobs();
        // Some chunk results staged already, others being computed.
        return state === 'waiting-children' && counts.active > 0 && counts.completed > 1;
      }
      if (state !== 'active') return false;
      if (target === 'finalize') return !probe.held();
      // The finalizer opens the file for writing first (a migration check: a write lock for a moment), then
      // computes, then commits: the commit is a write lock after the lock was seen free, still held 10 ms later.
      if (!probe.held()) {
        seenFree = true;
        return false;
      }
      if (!seenFree) return false;
      await sleep(10);
      return probe.held();
    };
    let seenFree = false;
    const committed = (runId: string | null): boolean =>
      checkpointsOf(world.database).find((row) => row.runId === runId)?.status === 'completed';
    const untilReached = async (): Promise<void> => {
      while (!(await reached())) {
        if (Date.now() > deadlineMs) throw new Error(`the run never reached ${target}; ${tracedSoFar()}\nworker output:\n${world.worker.output().slice(-3000)}`);
        if ((target === 'commit' || target === 'finalize') && committed(world.runId)) {
          throw new HarnessMissError(`the run committed before the kill aimed at its ${target} landed; ${tracedSoFar()}`);
        }
        if (world.worker.child.exitCode !== null) throw new Error(`the worker exited (${world.worker.child.exitCode}):\n${world.worker.output().slice(-3000)}`);
        await sleep(target === 'chunks' || target === 'finalize' ? 10 : 2);
      }
    };
    trace(`waiting for ${target}`);
    await untilReached();
    let delayMs = 0;
    let observed: string;
    let runId: string | null;
    if (target === 'after-commit') {
      // Inside the commit now. Its COMMIT needs the run's verified backup: once the backup job is in hand,
      // the worker is cut off from Redis, so that its finalizer's job cannot be recorded completed; the kill
      // comes when the commit's write lock goes (its COMMIT done), with the job still active.
      const gate = world.workerGate;
      if (gate === null) throw new Error('an after-commit kill needs a worker behind a gate (not the first worker)');
      runId = (await finalizer()).runId;
      const backup = async (): Promise<string> =>
        (await (await backups.getJob(`${runId}-backup`))?.getState()) ?? 'none';
      while (!['active', 'completed'].includes(await backup())) {
        if (Date.now() > deadlineMs) throw new Error('the backup job was never taken');
        await sleep(2);
      }
      gate.hold();
      // The lock seen held for 10 ms may still have been a brief one before the commit (the finalizer's
      // migration check on a busy machine): the kill comes once a lock's release leaves the run's
      // checkpoint completed, that is once the COMMIT is done.
      for (;;) {
        while (probe.held()) {
          if (Date.now() > deadlineMs) throw new Error('the commit never ended');
          await sleep(2);
        }
        if (committed(runId)) break;
        trace('the write lock released was not the commit’s; waiting for the next one');
        while (!probe.held() && !committed(runId)) {
          if (Date.now() > deadlineMs) throw new Error('the commit never came');
          await sleep(2);
        }
      }
      probe.close();
      await killHard(world.worker, only);
      observed = `${only === 'group' ? 'worker and its children' : 'worker process only'} killed after the commit's write lock was released; finalizer then ${await finalizerState()}`;
    } else {
      let before: { state: string; runId: string | null };
      let active: number;
      let lockHeld: boolean;
      for (;;) {
        delayMs = Math.floor(random() * (target === 'chunks' ? 150 : target === 'finalize' ? 60 : 10));
        // What the queue shows is read before the moment is drawn: a commit's write lock can be brief, and
        // four round trips to Redis on a loaded machine could outlast it between the look and the kill.
        before = await finalizer();
        ({ active } = await chunkJobs());
        if (target === 'chunks' && (before.state !== 'waiting-children' || active === 0)) {
          throw new HarnessMissError(`the chunks were done before the kill aimed at them landed; ${tracedSoFar()}`);
        }
        if (delayMs > 0) await sleep(delayMs);
        lockHeld = probe.held();
        // A write lock gone within milliseconds was not the commit's (which waits for the run's backup
        // inside its transaction) but a brief one before it, such as the finalizer's migration check on a
        // busy machine: the commit's own lock is the next one.
        if (target !== 'commit' || lockHeld) break;
        trace('the write lock seen was gone before the kill; waiting for the next one');
        await untilReached();
      }
      runId = before.runId;
      probe.close();
      await killHard(world.worker, only);
      observed = `${only === 'group' ? 'worker and its children' : 'worker process only'} killed; finalizer ${before.state}, ${active} chunk job(s) active${lockHeld ? ', write lock held (commit)' : ''}`;
    }

    const { held } = fileHolds(world);
    const checkpoint = checkpointsOf(world.database).find((row) => row.runId === runId)?.status ?? 'none';
    const integrity = integrityOf(world.database);
    if (integrity !== 'ok') throw new Error(`after a kill (${observed}) the file fails its integrity check: ${integrity}`);
    const stalledJobs = options.keepLocks === true ? [] : await expireLocksOfDeadWorkers(world.redis, world.prefix);
    // The worker started earlier takes over; another one starts for the next kill.
    world.next.gate.open();
    world.worker = world.next.worker;
    world.workerGate = world.next.gate;
    if (prepareNext) world.next = await startGatedWorker(world);
    trace(`killed at ${target} (${observed}); file held ${held}, checkpoint ${checkpoint}; handed back ${stalledJobs.join(', ')}`);
    return { target, observed, delayMs, fileHeld: held, runId, checkpoint, stalledJobs };
  } finally {
    try {
      probe.close();
    } catch {
      // Closed already.
    }
    await chunks.close();
    await backups.close();
    await finalize.close();
  }
};

export const exitedWithin = async (spawned: Spawned, deadlineMs: number): Promise<number | null> => {
  const timeout = sleep(Math.max(0, deadlineMs - Date.now())).then(() => 'timeout' as const);
  const code = await Promise.race([spawned.exited, timeout]);
  if (code === 'timeout') throw new Error(`the command did not finish in time:\n${spawned.output().slice(-3000)}`);
  return code;
};
