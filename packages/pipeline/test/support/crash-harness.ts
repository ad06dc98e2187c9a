import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import { Worker as ThreadWorker } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { Worker as QueueWorker } from 'bullmq';
import type { Redis } from 'ioredis';
import { QUEUE_NAMES } from '@scheduler/queue';
import { schedulerNodeArgs } from '../../../../apps/cli/test/support/bundled-scheduler';

/**
 * Black-box tools of the crash-safety tests (RULES.md §10): worker processes killed with SIGKILL, what the
 * organization's file holds read with plain SQL (never through the engine's code), and a reader on a thread
 * of its own that looks at the schedule again and again while a run is killed and retried.
 */

const ROOT = fileURLToPath(new URL('../../../..', import.meta.url));

/** The same kill moments every time for the same seed. */
export { mulberry32 } from './organization-fixture';

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export interface Spawned {
  readonly child: ChildProcess;
  /** What the process wrote (stdout and stderr), for the failure messages. */
  readonly output: () => string;
  readonly exited: Promise<number | null>;
}

/** `scheduler …` as ops would start it, in a process group of its own (so that a kill takes its children too). */
export const spawnCli = (args: readonly string[], env: Record<string, string>): Spawned => {
  const child = spawn(process.execPath, schedulerNodeArgs(args), {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let text = '';
  const keep = (chunk: Buffer): void => {
    text += chunk.toString('utf8');
    if (text.length > 200_000) text = text.slice(-100_000);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, output: () => text, exited };
};

/**
 * A TCP relay to Redis that lets a process's first connection through (the CLI's reachability check) and
 * holds the others until `open()`: a worker process started early does its slow start-up (the compute
 * threads' bundle, their warm-up) while another worker serves the queues, and takes
 * its first job only once opened. Each kill then costs a fresh worker's connection, not its start-up.
 */
export class RedisGate {
  private opened = false;
  private passedFirst = false;
  private readonly held: Socket[] = [];
  private readonly sockets = new Set<Socket>();
  private readonly relays: Array<{ client: Socket; upstream: Socket }> = [];

  private constructor(
    private readonly server: Server,
    private readonly target: { host: string; port: number },
  ) {
    server.on('connection', (client) => this.accept(client));
  }

  static async start(redisUrl: string): Promise<RedisGate> {
    const url = new URL(redisUrl);
    const server = createServer();
    const gate = new RedisGate(server, { host: url.hostname, port: Number(url.port || 6379) });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return gate;
  }

  get url(): string {
    const address = this.server.address();
    if (address === null || typeof address === 'string') throw new Error('the gate does not listen');
    return `redis://127.0.0.1:${address.port}`;
  }

  open(): void {
    this.opened = true;
    for (const client of this.held.splice(0)) this.relay(client);
  }

  /**
   * From now on nothing the process sends reaches Redis (a network partition): what it does without Redis
   * (a commit to SQLite) goes on, what needs Redis (recording a job completed) waits.
   */
  hold(): void {
    this.opened = false;
    this.passedFirst = true;
    for (const { client, upstream } of this.relays) {
      client.unpipe(upstream);
      client.pause();
    }
  }

  private accept(client: Socket): void {
    this.sockets.add(client);
    client.on('close', () => this.sockets.delete(client));
    client.on('error', () => client.destroy());
    if (this.opened || !this.passedFirst) {
      this.passedFirst = true;
      this.relay(client);
    } else {
      client.pause();
      this.held.push(client);
    }
  }

  private relay(client: Socket): void {
    const upstream = connect(this.target.port, this.target.host);
    this.sockets.add(upstream);
    upstream.on('close', () => {
      this.sockets.delete(upstream);
      client.destroy();
    });
    upstream.on('error', () => upstream.destroy());
    client.on('close', () => upstream.destroy());
    client.pipe(upstream);
    upstream.pipe(client);
    client.resume();
    this.relays.push({ client, upstream });
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/** SIGKILL to the process and everything it started (its backup process): a crash of the machine it runs on. */
export const killHard = async (spawned: Spawned, only: 'group' | 'process' = 'group'): Promise<void> => {
  try {
    process.kill(only === 'group' ? -spawned.child.pid! : spawned.child.pid!, 'SIGKILL');
  } catch {
    // Gone already.
  }
  await spawned.exited;
  if (only === 'process') return;
  // The group's other members (a backup process) die with the same signal; give the kernel a moment to reap.
  for (let i = 0; i < 100; i++) {
    try {
      process.kill(-spawned.child.pid!, 0);
    } catch {
      return;
    }
    await sleep(10);
  }
};

/**
 * What 60 s of waiting would do after a SIGKILL, at once: the dead process's job locks expire
 * (fleet.ts: lockDuration 60 000 ms, not configurable) and BullMQ's stalled-job check (every 30 s,
 * BullMQ's default stalledInterval) runs twice, the first marking the active jobs, the second moving
 * those without a lock back to wait (or failing them past maxStalledCount), exactly as the workers' own
 * checker would. Only to be called when no live worker holds a job: every active job's lock is deleted.
 */
export const expireLocksOfDeadWorkers = async (redis: Redis, prefix: string): Promise<string[]> => {
  const moved: string[] = [];
  for (const queueName of Object.values(QUEUE_NAMES)) {
    const key = (suffix: string): string => `${prefix}:${queueName}:${suffix}`;
    for (const jobId of await redis.lrange(key('active'), 0, -1)) await redis.del(key(`${jobId}:lock`));
    const janitor = new QueueWorker(queueName, null, { connection: redis.duplicate(), prefix, autorun: false, maxStalledCount: 2 });
    try {
      await janitor.waitUntilReady();
      const check = (janitor as unknown as { moveStalledJobsToWait(): Promise<void> }).moveStalledJobsToWait.bind(janitor);
      janitor.on('stalled', (jobId: string) => moved.push(`${queueName}/${jobId}`));
      for (let round = 0; round < 2; round++) {
        await redis.del(key('stalled-check'));
        await check();
      }
    } finally {
      await janitor.close(true);
    }
  }
  return moved;
};

/** The same lines and checks for the test and for its reader thread. */
const SCHEDULER_ROWS_SQL = `SELECT contact_id, email_type, event_year, event_month, event_day, scheduled_send_date,
    scheduled_send_time, status, skip_reason, priority, campaign_instance_id, email_template, sms_template, metadata
  FROM email_schedules WHERE status IN ('pre-scheduled', 'skipped')
  ORDER BY contact_id, email_type, scheduled_send_date, status`;
const SENDER_ROWS_SQL = `SELECT * FROM email_schedules WHERE status NOT IN ('pre-scheduled', 'skipped') ORDER BY id`;

const digest = (rows: readonly unknown[]): string => {
  const hash = createHash('sha256');
  for (const row of rows) hash.update(`${JSON.stringify(Object.values(row as object))}\n`);
  return hash.digest('hex');
};

export interface Snapshot {
  /** `pre-scheduled`/`skipped` rows, every column but ids, timestamps and run ids, in key order. */
  readonly schedulerRows: string[];
  readonly schedulerDigest: string;
  /** Every row with another status, every column. */
  readonly senderDigest: string;
  readonly senderCount: number;
}

export interface CheckpointRow {
  readonly runId: string;
  readonly status: string;
  readonly errorMessage: string | null;
  readonly completedAt: string | null;
  readonly contactsChecksum: string;
  readonly schedulesBeforeChecksum: string | null;
  readonly schedulesAfterChecksum: string | null;
  readonly contactsProcessed: number | null;
  readonly emailsScheduled: number | null;
  readonly emailsSkipped: number | null;
}

/** One read transaction: the schedule as a reader of the file sees it at one moment. */
export const snapshotOf = (path: string): Snapshot => {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    return db.transaction(() => {
      const scheduler = db.prepare(SCHEDULER_ROWS_SQL).all();
      const sender = db.prepare(SENDER_ROWS_SQL).all();
      return {
        schedulerRows: scheduler.map((row) => JSON.stringify(Object.values(row as object))),
        schedulerDigest: digest(scheduler),
        senderDigest: digest(sender),
        senderCount: sender.length,
      };
    })();
  } finally {
    db.close();
  }
};

export const checkpointsOf = (path: string): CheckpointRow[] => {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    return db
      .prepare(
        `SELECT scheduler_run_id AS runId, status, error_message AS errorMessage, completed_at AS completedAt,
           contacts_checksum AS contactsChecksum, schedules_before_checksum AS schedulesBeforeChecksum,
           schedules_after_checksum AS schedulesAfterChecksum, contacts_processed AS contactsProcessed,
           emails_scheduled AS emailsScheduled, emails_skipped AS emailsSkipped
         FROM scheduler_checkpoints ORDER BY id`,
      )
      .all() as CheckpointRow[];
  } finally {
    db.close();
  }
};

export const integrityOf = (path: string): string => {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    return (db.prepare('PRAGMA integrity_check').pluck().all() as string[]).join('; ');
  } finally {
    db.close();
  }
};

/** A consistent copy of an organization's file (SQLite's online backup), as the starting point of a reference run. */
export const copyDatabase = async (from: string, to: string): Promise<void> => {
  const db = new Database(from, { readonly: true, fileMustExist: true });
  try {
    await db.backup(to);
  } finally {
    db.close();
  }
};

/**
 * Whether some connection holds the file's write lock (a full run's commit is one BEGIN IMMEDIATE
 * transaction): a BEGIN IMMEDIATE of our own that cannot wait says so, and is rolled back at once.
 */
export class WriteLockProbe {
  private readonly db: Database.Database;
  constructor(path: string) {
    this.db = new Database(path, { fileMustExist: true, timeout: 0 });
  }
  held(): boolean {
    try {
      this.db.exec('BEGIN IMMEDIATE');
    } catch (error) {
      if ((error as { code?: string }).code?.startsWith('SQLITE_BUSY') === true) return true;
      throw error;
    }
    this.db.exec('ROLLBACK');
    return false;
  }
  close(): void {
    this.db.close();
  }
}

/** Reader thread: reads the schedule in one read transaction after another until told to stop. */
const READER_SOURCE = `
const { workerData, parentPort } = require('node:worker_threads');
const { createHash } = require('node:crypto');
const Database = require(workerData.betterSqlite3);
const flag = new Int32Array(workerData.stop);
const digest = (rows) => {
  const hash = createHash('sha256');
  for (const row of rows) hash.update(JSON.stringify(Object.values(row)) + '\\n');
  return hash.digest('hex');
};
const seen = new Map();
let reads = 0;
let errors = [];
const db = new Database(workerData.path, { readonly: true, fileMustExist: true, timeout: 5000 });
const scheduler = db.prepare(workerData.schedulerSql);
const sender = db.prepare(workerData.senderSql);
const completed = db.prepare("SELECT count(*) FROM scheduler_checkpoints WHERE status = 'completed'").pluck();
const read = db.transaction(() => digest(scheduler.all()) + ' ' + digest(sender.all()) + ' completed-runs:' + completed.get());
while (Atomics.load(flag, 0) === 0) {
  try {
    const key = read();
    seen.set(key, (seen.get(key) ?? 0) + 1);
    reads++;
  } catch (error) {
    if (errors.length < 5) errors.push(String(error && error.message || error));
  }
}
db.close();
parentPort.postMessage({ reads, seen: [...seen], errors });
`;

export interface ReaderReport {
  readonly reads: number;
  /** `<scheduler rows digest> <sender rows digest> completed-runs:<completed checkpoints>` → times seen. */
  readonly seen: Array<[string, number]>;
  readonly errors: string[];
}

export const startReader = (path: string): { stop: () => Promise<ReaderReport> } => {
  const stop = new SharedArrayBuffer(4);
  const thread = new ThreadWorker(READER_SOURCE, {
    eval: true,
    workerData: {
      path,
      stop,
      schedulerSql: SCHEDULER_ROWS_SQL,
      senderSql: SENDER_ROWS_SQL,
      betterSqlite3: createRequire(import.meta.url).resolve('better-sqlite3'),
    },
  });
  const report = new Promise<ReaderReport>((resolve, reject) => {
    thread.once('message', resolve);
    thread.once('error', reject);
  });
  return {
    stop: async () => {
      Atomics.store(new Int32Array(stop), 0, 1);
      const result = await report;
      await thread.terminate();
      return result;
    },
  };
};
