import { Piscina } from 'piscina';
import type { AggregateResult, AggregateTask } from './aggregate-tasks';

/**
 * One thread for whole-schedule aggregates: one at a time is enough for a
 * dashboard, and leaves the other cores to the workers sharing the machine.
 */
export class AggregatePool {
  private readonly piscina = new Piscina({
    filename: new URL('./aggregate-thread.mjs', import.meta.url).href,
    minThreads: 0,
    maxThreads: 1,
    idleTimeout: 60_000,
  });

  run<Task extends AggregateTask>(task: Task): Promise<AggregateResult<Task>> {
    return this.piscina.run(task) as Promise<AggregateResult<Task>>;
  }

  async close(): Promise<void> {
    await this.piscina.close({ force: true });
  }
}
