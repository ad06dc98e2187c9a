import type { ChangeLogId } from '@scheduler/db';
import type { RunSummary } from './run-summary';
import type { ChunkRange } from './run-flow';
import type { RunInFlight } from './organization-port';

/** Where a task finds its organization: paths resolved by the main thread. */
export interface OrganizationFiles {
  readonly organization: string;
  readonly databasePath: string;
  readonly stagingPath: string;
}

/** Log bindings every line of the task carries. */
export interface TaskLogContext {
  readonly runId: string;
  readonly organization: string;
  readonly chunk?: number;
  readonly level: string;
  /** Where the thread's lines go: stderr when the process prints results on stdout (the CLI). */
  readonly toStderr: boolean;
}

export interface PlanRunTask {
  readonly kind: 'plan-run';
  readonly files: OrganizationFiles;
  readonly runId: string;
  /**
   * The stable id of the run asked for (organization, as-of, configuration), of which `runId` may be an
   * attempt (`-retryN`) or a run again on changed inputs (`-gN`): any completed run of it on today's inputs answers.
   */
  readonly stableRunId: string;
  readonly asOf: string;
  readonly configJson: string;
  readonly rerun: boolean;
  /**
   * The run's job ids are held by an earlier flow of it, which failed for good or completed for a file
   * that no longer holds the run: adding the flow again would add nothing, so the task answers but plans nothing.
   */
  readonly flowTaken?: boolean;
  readonly log: TaskLogContext;
}
export type PlanRunResult =
  | { readonly status: 'planned'; readonly chunks: ChunkRange[]; readonly contactRows: number }
  | { readonly status: 'already-completed'; readonly summary: RunSummary }
  /** Completed here, but what it read has changed since: `generation` names the inputs a new run would read. */
  | { readonly status: 'inputs-changed'; readonly summary: RunSummary; readonly generation: number | null }
  /** Not completed here, and its flow's ids are taken (`flowTaken`): the run must be planned under an id of its own. */
  | { readonly status: 'flow-taken' };

export interface ComputeChunkTask {
  readonly kind: 'compute-chunk';
  readonly files: OrganizationFiles;
  readonly runId: string;
  readonly chunk: ChunkRange;
  readonly log: TaskLogContext;
}
export type ComputeChunkResult =
  | { readonly chunkIndex: number; readonly contacts: number; readonly emails: number; readonly durationMs: number }
  /** Retried by hand after its run committed: nothing computed, and nothing to fail either. */
  | { readonly chunkIndex: number; readonly notComputed: 'the run has completed' };

export interface FinalizeRunTask {
  readonly kind: 'finalize-run';
  readonly files: OrganizationFiles;
  readonly runId: string;
  readonly log: TaskLogContext;
}

export interface RescheduleTask {
  readonly kind: 'reschedule';
  readonly files: OrganizationFiles;
  readonly runId: string;
  readonly target: { readonly contactIds: readonly number[] } | { readonly campaignInstanceId: number };
  readonly asOf: string;
  readonly configJson: string;
  readonly log: TaskLogContext;
}
export type RescheduleResult =
  | { readonly status: 'deferred'; readonly fullRun: RunInFlight }
  /** The campaign targets every contact: a full run reschedules it. */
  | { readonly status: 'needs-full-run' }
  | { readonly status: 'completed'; readonly summary: RunSummary };

export interface PendingChangesTask {
  readonly kind: 'pending-changes';
  readonly files: OrganizationFiles;
}
export interface PendingChangesResult {
  /** Campaign instances with pending `campaign_change_log` rows, and the newest such row of each. */
  readonly byInstance: { readonly campaignInstanceId: number; readonly latestChangeLogId: ChangeLogId }[];
  /** Pending rows whose `campaign_instance_id` is no integer: no reschedule can name their instance. */
  readonly withoutInstance: ChangeLogId[];
}

/** A full run's start checksums and its point-in-time backup, verified; old copies pruned. */
export interface BackupTask {
  readonly kind: 'backup';
  readonly files: OrganizationFiles;
  readonly runId: string;
  readonly log: TaskLogContext;
}

/** A run that failed for good: its checkpoint records the error; the previous schedule stays. */
export interface FailRunTask {
  readonly kind: 'fail-run';
  readonly files: OrganizationFiles;
  readonly runId: string;
  readonly error: string;
}

/** Pays a fresh thread's first-task costs at worker start (see warm-up.ts). */
interface WarmUpTask {
  readonly kind: 'warm-up';
}

export type ThreadTask =
  | WarmUpTask
  | PlanRunTask
  | ComputeChunkTask
  | FinalizeRunTask
  | RescheduleTask
  | PendingChangesTask
  | FailRunTask
  | BackupTask;

type ResultOf<T extends ThreadTask> = T extends WarmUpTask
  ? { readonly threadId: number }
  : T extends PlanRunTask
  ? PlanRunResult
  : T extends ComputeChunkTask
    ? ComputeChunkResult
    : T extends FinalizeRunTask
      ? RunSummary
      : T extends RescheduleTask
        ? RescheduleResult
        : T extends PendingChangesTask
          ? PendingChangesResult
          : T extends FailRunTask
            ? { readonly recorded: boolean }
            : T extends BackupTask
              ? { readonly path: string; readonly bytes: number }
              : never;

/**
 * Errors cross the thread boundary as plain values (a class does not survive
 * structured cloning); the main thread turns them back into error kinds.
 */
export interface TaskFailure {
  readonly failed: true;
  readonly name: string;
  readonly message: string;
  readonly retryable: boolean;
}

export type ThreadTaskResult<T extends ThreadTask> = ResultOf<T> | TaskFailure;

export const isTaskFailure = (value: unknown): value is TaskFailure =>
  typeof value === 'object' && value !== null && (value as { failed?: unknown }).failed === true;
