import type { ChunkRange } from './run-flow';

/** Errors of a full run that no retry of its job can fix (`retryable = false`: the job fails at once). */

/** The backup before a run failed for good: the run cannot commit (no retry of the finalizer helps). */
export class BackupFailedError extends Error {
  override readonly name = 'BackupFailedError';
  readonly retryable = false;
  constructor(runId: string, cause: string) {
    super(`the backup before run ${runId} failed, so the run does not commit: ${cause}`);
  }
}

/**
 * A job of a run that failed for good, retried or rerun by hand (Bull Board): the run has let its chunk results
 * go. Asking for the run again plans a new attempt (full-run-requests.ts).
 */
export class RunOverError extends Error {
  override readonly name = 'RunOverError';
  readonly retryable = false;
  constructor(runId: string) {
    super(
      `run ${runId} failed for good earlier and its chunk results are gone, so this job cannot complete it: ` +
        'ask for the run again (scheduler run, or a full-run job), which plans a new attempt from the database as it is now',
    );
  }
}

/**
 * Fewer chunk results than the run has chunks: a chunk job removed from the queue (Bull Board), or the run
 * failed for good meanwhile. No retry of the finalizer brings them back.
 */
export class MissingChunkResultsError extends Error {
  override readonly name = 'MissingChunkResultsError';
  readonly retryable = false;
  constructor(runId: string, found: number, expected: number) {
    super(`run ${runId} has ${found} of its ${expected} chunk results, so it cannot commit: ask for the run again, which plans a new attempt`);
  }
}

/**
 * A full run asked for after this one has completed first. This run's rows come from what it read before
 * that one (a run whose command was killed, its jobs picked up later): committed, they would undo it, and
 * bring back emails the newer run took away (a contact who moved to a year-round state). RULES.md §10.
 */
export class SupersededRunError extends Error {
  override readonly name = 'SupersededRunError';
  readonly retryable = false;
  constructor(runId: string, newer: string) {
    super(`run ${runId} does not commit: run ${newer}, planned after it, has completed, and this run's rows, read before, would replace its`);
  }
}

/** A chunk job whose range is not the one its run planned: its data was changed by hand (Bull Board). */
export class ChunkNotPlannedError extends Error {
  override readonly name = 'ChunkNotPlannedError';
  readonly retryable = false;
  constructor(runId: string, chunk: ChunkRange, planned: ChunkRange | null) {
    const plan = planned === null ? 'planned no such chunk' : `planned contacts ${planned.fromId}–${planned.toId} for it`;
    super(
      `chunk ${chunk.chunkIndex} of run ${runId} asks for contacts ${chunk.fromId}–${chunk.toId}, but the run ${plan} ` +
        '(was its job data edited?): ask for the run again, which plans a new attempt',
    );
  }
}
