import { availableParallelism } from 'node:os';
import { pathToFileURL } from 'node:url';
import { Piscina } from 'piscina';
import { buildThreadBundle } from './thread-bundle';
import type { ThreadTask, ThreadTaskResult } from './thread-tasks';

/**
 * The threads that do the CPU- and SQLite-bound work of every job, so that
 * the main thread's event loop stays free to renew BullMQ's job locks: no job
 * is reported stalled while it is working.
 */
export class ComputePool {
  private readonly piscina: Piscina;

  private constructor(
    readonly threads: number,
    private readonly bundle: { path: string; remove: () => void },
  ) {
    this.piscina = new Piscina({
      filename: pathToFileURL(this.bundle.path).href,
      name: 'runThreadTask',
      // Threads stay warm: starting one costs more than a small reschedule.
      minThreads: threads,
      maxThreads: threads,
      idleTimeout: Number.POSITIVE_INFINITY,
      // One task per thread at a time: a task is one synchronous chunk of work.
      concurrentTasksPerWorker: 1,
    });
  }

  static async start(threads: number = availableParallelism()): Promise<ComputePool> {
    return new ComputePool(threads, await buildThreadBundle());
  }

  run<T extends ThreadTask>(task: T): Promise<ThreadTaskResult<T>> {
    return this.piscina.run(task) as Promise<ThreadTaskResult<T>>;
  }

  /** Waits for running tasks, then stops the threads. */
  async close(): Promise<void> {
    await this.piscina.close();
    this.bundle.remove();
  }
}
