import { availableParallelism } from 'node:os';
import { Piscina } from 'piscina';
import type { ThreadTask, ThreadTaskResult } from './thread-tasks';

/**
 * The threads that do the CPU- and SQLite-bound work of every job, so that
 * the main thread's event loop stays free to renew BullMQ's job locks: no job
 * is reported stalled while it is working.
 */
export class ComputePool {
  private readonly piscina: Piscina;

  constructor(readonly threads: number = availableParallelism()) {
    this.piscina = new Piscina({
      filename: new URL('./thread-entry.mjs', import.meta.url).href,
      minThreads: 0,
      maxThreads: threads,
      idleTimeout: 30_000,
      // One task per thread at a time: a task is one synchronous chunk of work.
      concurrentTasksPerWorker: 1,
    });
  }

  run<T extends ThreadTask>(task: T): Promise<ThreadTaskResult<T>> {
    return this.piscina.run(task) as Promise<ThreadTaskResult<T>>;
  }

  /** Waits for running tasks, then stops the threads. */
  async close(): Promise<void> {
    await this.piscina.close();
  }
}
