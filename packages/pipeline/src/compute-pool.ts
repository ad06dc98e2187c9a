import { availableParallelism } from 'node:os';
import { pathToFileURL } from 'node:url';
import { Piscina } from 'piscina';
import { threadBundlePath } from './thread-bundle';
import { isTaskFailure, type ThreadTask, type ThreadTaskResult } from './thread-tasks';

/** Rounds of warm-up tasks tried before every thread has had one (piscina picks the thread). */
const WARM_UP_ROUNDS = 3;

/**
 * The threads that do the CPU- and SQLite-bound work of every job, so that
 * the main thread's event loop stays free to renew BullMQ's job locks: no job
 * is reported stalled while it is working.
 */
export class ComputePool {
  private readonly piscina: Piscina;

  private constructor(
    readonly threads: number,
    /** The threads' code, one JavaScript file (a backup process loads it too). */
    readonly bundlePath: string,
  ) {
    this.piscina = new Piscina({
      filename: pathToFileURL(bundlePath).href,
      name: 'runThreadTask',
      // Threads stay warm: starting one costs more than a small reschedule.
      minThreads: threads,
      maxThreads: threads,
      idleTimeout: Number.POSITIVE_INFINITY,
      // One task per thread at a time: a task is one synchronous chunk of work.
      concurrentTasksPerWorker: 1,
      // An idle thread waits for its next task without blocking its event loop: its timers run (collectWhenIdle).
      atomics: 'async',
      // Threads load the plain JavaScript bundle: inheriting the process's `--import tsx` would put every
      // thread's module loading through the TypeScript loader (measured 7 s and 300 MB more per thread).
      execArgv: [],
    });
  }

  static async start(threads: number = availableParallelism()): Promise<ComputePool> {
    const pool = new ComputePool(threads, await threadBundlePath());
    await pool.warmUp();
    return pool;
  }

  /**
   * One warm-up task per thread before the pool serves jobs, so that no job
   * pays a fresh thread's first-task costs. A failed warm-up is left to the
   * real task to report.
   */
  private async warmUp(): Promise<void> {
    const warmed = new Set<number>();
    for (let round = 0; round < WARM_UP_ROUNDS && warmed.size < this.threads; round++) {
      const results = await Promise.all(Array.from({ length: this.threads }, () => this.run({ kind: 'warm-up' })));
      for (const result of results) if (!isTaskFailure(result)) warmed.add(result.threadId);
    }
  }

  run<T extends ThreadTask>(task: T): Promise<ThreadTaskResult<T>> {
    return this.piscina.run(task) as Promise<ThreadTaskResult<T>>;
  }

  /**
   * Waits for running tasks, then stops the threads; `force` stops them at once (a finalizer in its
   * commit, waiting for a backup, rolls back: its job is retried elsewhere).
   */
  async close(force = false): Promise<void> {
    await (force ? this.piscina.destroy() : this.piscina.close());
  }
}
