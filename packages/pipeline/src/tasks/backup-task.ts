import { PhaseTimer } from '../phase-timer';
import { RunOverError } from '../run-errors';
import type { BackupTask } from '../thread-tasks';
import { loggerFor, withPort, withStaging } from './task-resources';

/**
 * A full run's point-in-time backup, verified, and its start checksums: read-only on the organization's
 * file (its finalizer, which waits for the outcome in the staging file, writes the checksums inside its
 * commit). Runs in a process of its own (see backup-process.ts). A backup already verified for the run is
 * not taken again.
 */
export const backup = async (task: BackupTask): Promise<{ path: string; bytes: number }> => {
  const started = performance.now();
  const timer = new PhaseTimer();
  const log = loggerFor(task.log);
  return withStaging(task.files.stagingPath, async (staging) => {
    const done = staging.backup(task.runId);
    if (done?.status === 'verified') {
      log.info({ path: done.path }, 'backup already taken and verified');
      return { path: done.path, bytes: done.bytes };
    }
    if (staging.run(task.runId)?.status === 'failed') throw new RunOverError(task.runId);
    const outcome = await withPort(task.files.databasePath, { readonly: true }, async (port) => {
      const checksums = port.startChecksums();
      timer.lap('checksumsMs');
      const copy = await port.backup();
      timer.lap('backupMs');
      return { ...checksums, ...copy };
    });
    staging.recordBackup(task.runId, { status: 'verified', ...outcome });
    const copy = { path: outcome.path, bytes: outcome.bytes };
    log.info(
      { ...copy, durationMs: Math.round(performance.now() - started), ...timer.phases, maxRssMb: Math.round(process.resourceUsage().maxRSS / 1024) },
      'backup taken and verified',
    );
    return copy;
  });
};
