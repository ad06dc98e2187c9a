/** The work a compute thread does, by kind. Each task is synchronous SQLite and CPU work. */
export type ThreadTask = { kind: 'ping' };

export type ThreadTaskResult<T extends ThreadTask> = T extends { kind: 'ping' } ? 'pong' : never;

export const runThreadTask = (task: ThreadTask): ThreadTaskResult<ThreadTask> => {
  switch (task.kind) {
    case 'ping':
      return 'pong';
  }
};
