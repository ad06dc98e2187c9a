import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Readable } from 'node:stream';

/** Where a full run's time went, from its worker's log lines. */
export interface RunPhases {
  /** From "run planned" to "run committed". */
  readonly planned_to_committed_s: number;
  /** From "run planned" to the last chunk computed. */
  readonly chunks_s: number;
  readonly append_s: number;
  readonly finalize_s: number;
  /** The commit's transaction, its wait for the verified backup included. */
  readonly commit_s: number;
  readonly backup_wait_s: number;
  /** The backup process: start checksums, then the copy and its integrity check. */
  readonly backup_s: number;
  readonly backup_checksums_s: number;
  readonly backup_copy_and_check_s: number;
}

interface LogLine {
  readonly time: number;
  readonly msg: string;
  readonly runId?: string;
  readonly [field: string]: unknown;
}

const MESSAGES = new Set(['run planned', 'chunk computed', 'backup taken and verified', 'run committed']);
const secondsOf = (ms: unknown): number => Number((Number(ms) / 1000).toFixed(2));

/**
 * Reads a worker's pino JSON lines as they come (the stream must be read to
 * its end anyway, so that a full pipe never blocks the worker's logging) and
 * keeps those that time a full run's steps.
 */
export class RunPhaseLog {
  private readonly lines: LogLine[] = [];

  constructor(workerStdout: Readable) {
    createInterface({ input: workerStdout }).on('line', (text) => {
      if (!text.startsWith('{')) return;
      try {
        const line = JSON.parse(text) as LogLine;
        if (MESSAGES.has(line.msg) && typeof line.runId === 'string') this.lines.push(line);
      } catch {
        // Not a log line of ours.
      }
    });
  }

  /**
   * The run's phases once its worker's lines for them have come through (a
   * compute thread's line may trail the job's completion a little); null
   * when they do not come within a few seconds.
   */
  async of(runId: string): Promise<RunPhases | null> {
    for (let waited = 0; waited < 5_000; waited += 50) {
      const phases = this.phasesOf(runId);
      if (phases !== null) return phases;
      await sleep(50);
    }
    return null;
  }

  private phasesOf(runId: string): RunPhases | null {
    const lines = this.lines.filter((line) => line.runId === runId);
    const one = (msg: string): LogLine | undefined => lines.find((line) => line.msg === msg);
    const planned = one('run planned');
    const committed = one('run committed');
    const backup = one('backup taken and verified');
    const chunks = lines.filter((line) => line.msg === 'chunk computed');
    if (planned === undefined || committed === undefined || backup === undefined || chunks.length === 0) return null;
    return {
      planned_to_committed_s: secondsOf(committed.time - planned.time),
      chunks_s: secondsOf(Math.max(...chunks.map((line) => line.time)) - planned.time),
      append_s: secondsOf(committed.appendMs),
      finalize_s: secondsOf(committed.finalizeMs),
      commit_s: secondsOf(committed.commitMs),
      backup_wait_s: secondsOf(committed.backupWaitMs),
      backup_s: secondsOf(backup.durationMs),
      backup_checksums_s: secondsOf(backup.checksumsMs),
      backup_copy_and_check_s: secondsOf(backup.backupMs),
    };
  }
}
