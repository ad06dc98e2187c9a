import { spawn, type ChildProcess, type StdioOptions } from 'node:child_process';
import { getPriority, setPriority } from 'node:os';
import { pathToFileURL } from 'node:url';
import type { BackupTask, ThreadTaskResult } from './thread-tasks';

/**
 * Scheduling priority (nice) of a backup process. A full run's backup (checksums, copy, integrity check:
 * tens of seconds of CPU at 1M contacts) runs beside the run's chunks, which keep every core busy; at a
 * lower priority it takes the CPU the compute threads leave; once the chunks are done its run's finalizer
 * gives it the worker's priority back (see `hurry`), and it has a core beside the finalizer's.
 */
const BACKUP_NICE = 10;

// The child loads the compute threads' bundle and runs the one task it is sent. A stop signal sent to the
// worker's process group (Ctrl-C, a service manager) reaches it too: it lets its worker decide (a graceful stop
// waits for the backup, a forced one kills it), and it stops when its worker is gone (the IPC channel closes).
// Not a process group of its own: with the kernel's autogroups, a session of its own would take half the CPU
// from the chunks whatever its nice value.
// The signals are taken before the bundle loads: a Ctrl-C in the tenths of a second it takes killed the child.
const CHILD_SCRIPT = `
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => {});
const { runThreadTask } = await import(process.env.SCHEDULER_THREAD_BUNDLE_URL);
let answered = false;
process.once('disconnect', () => { if (!answered) process.exit(1); });
// A worker gone (killed while it started) leaves nobody to answer: exit quietly, not with an EPIPE stack.
const goneWorker = (error) => { if (error) process.exit(1); };
process.once('message', async (task) => {
  const result = await runThreadTask(task);
  answered = true;
  if (!process.connected) process.exit(1);
  process.send(result, (error) => (error ? process.exit(1) : process.disconnect()));
});
if (process.connected) process.send({ ready: true }, goneWorker);
else process.exit(1);
`;

/**
 * Runs full-run backups, each in a child process of its own at a lower priority: not on a compute
 * thread, so that a finalizer waiting (on a thread) for its run's backup never waits for a thread the
 * backup needs, and the copy's page cache and the integrity check's memory are not the worker's.
 */
export class BackupRunner {
  private readonly children = new Map<ChildProcess, string>();

  constructor(private readonly bundlePath: string) {}

  run(task: BackupTask): Promise<ThreadTaskResult<BackupTask>> {
    return new Promise((resolve, reject) => {
      // The task's log lines go where the worker's go. No loader of the worker's is passed on (plain JavaScript).
      const stdio: StdioOptions = ['ignore', task.log.toStderr ? 2 : 'inherit', 'inherit', 'ipc'];
      const child: ChildProcess = spawn(process.execPath, ['--input-type=module', '-e', CHILD_SCRIPT], {
        env: { ...process.env, SCHEDULER_THREAD_BUNDLE_URL: pathToFileURL(this.bundlePath).href },
        stdio,
      });
      this.children.set(child, task.runId);
      try {
        setPriority(child.pid!, BACKUP_NICE);
      } catch {
        // Not allowed here (or the child is gone already): it runs at the worker's priority.
      }
      let result: ThreadTaskResult<BackupTask> | null = null;
      child.on('message', (message: unknown) => {
        if (typeof message === 'object' && message !== null && 'ready' in message) child.send(task);
        else result = message as ThreadTaskResult<BackupTask>;
      });
      child.once('error', (error: Error) => {
        this.children.delete(child);
        reject(error);
      });
      child.once('exit', (code: number | null, signal: NodeJS.Signals | null) => {
        this.children.delete(child);
        if (result !== null) resolve(result);
        else reject(new Error(`the backup process of run ${task.runId} ended (${signal ?? `exit code ${code}`}) without a result`));
      });
    });
  }

  /**
   * The run's finalizer has started (its chunks are done): its backup, if it runs here, is now what the
   * commit will wait for, so it gets the worker's own priority back. Lowering a nice value needs the
   * privilege to (CAP_SYS_NICE); without it the backup stays where it was.
   */
  hurry(runId: string): void {
    for (const [child, childRunId] of this.children) {
      if (childRunId !== runId || child.pid === undefined) continue;
      try {
        setPriority(child.pid, getPriority());
      } catch {
        // Not allowed: it finishes at its lower priority.
      }
    }
  }

  /** Stops backups still running (a forced shutdown): their jobs are retried elsewhere. */
  kill(): void {
    for (const child of this.children.keys()) child.kill('SIGKILL');
  }
}
