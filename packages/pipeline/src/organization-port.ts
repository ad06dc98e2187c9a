import type {
  CampaignInstance,
  CampaignType,
  CandidateTable,
  ContactInputs,
  ExistingDayCounts,
} from '@scheduler/core';
import type { ChangeLogId } from '@scheduler/db';
import type { ChunkRange } from './run-flow';
import type { TableHolder } from './schedule-rows';
import type { PendingChangesResult } from './thread-tasks';

/** What a run writes into `scheduler_checkpoints` when it ends well. */
export interface CheckpointCompletion {
  readonly contactsProcessed: number;
  readonly emailsScheduled: number;
  readonly emailsSkipped: number;
}

/** A full run's checksums of the state before it (contacts, and the scheduler's rows). */
export interface StartChecksums {
  readonly contactsChecksum: string;
  readonly schedulesBeforeChecksum: string;
}

/**
 * A run id's state in the file. A completed run asked for again is the same run only while nobody has
 * changed what it read (the input generation it started at): else it must run again (RULES.md §10), and
 * `generation` names the inputs it would read now (null when the file does not keep them).
 */
export type CompletedRun =
  | { readonly state: 'not-completed' }
  /** `completedAt`: the checkpoint's UTC datetime (CONTRACT.md), null in a file that left it empty. */
  | { readonly state: 'inputs-unchanged'; readonly completedAt: string | null }
  | { readonly state: 'inputs-changed'; readonly generation: number | null; readonly completedAt: string | null };

export interface WriteCounts {
  readonly inserted: number;
  /** Changed in place: moved to another day, another status or content. */
  readonly updated: number;
  readonly deleted: number;
  /** As they were. */
  readonly kept: number;
}

/**
 * What the pipeline needs of one organization's database, filled by
 * sqlite-organization.ts over the db package. Everything is synchronous (better-sqlite3), and
 * every write that must be atomic is one call.
 */
/** A full run whose checkpoint says started, and when it did. */
export interface RunInFlight {
  readonly runId: string;
  readonly startedAtMs: number;
}

export interface OrganizationPort {
  readonly path: string;
  close(): void;

  contactRowCount(): number;
  chunkRanges(batchSize: number): ChunkRange[];
  /** The full run whose schedule is in force: the one that completed last; null when none has. */
  lastCompletedFullRun(): string | null;
  /** The full runs planned after `runId` (later checkpoints) that have completed, the latest first. */
  fullRunsCompletedAfter(runId: string): string[];
  /** Rows whose id JavaScript cannot hold exactly (beyond ±(2^53 − 1)): contacts no chunk covers, instances never read. */
  rowsBeyondSafeIds(table: 'contacts' | 'campaign_instances'): { count: number; examples: readonly string[] };
  campaignTypes(): CampaignType[];
  campaignInstances(): CampaignInstance[];
  /** Every contact of an id range with its history, campaign targets and behaviour, in id order. */
  /** `unreadable`: where rows the reads leave out as unreadable are counted, by `table.reason`. */
  contactInputsInRange(range: { fromId: number; toId: number }, today: number, unreadable: Record<string, number>): Iterable<ContactInputs>;
  contactInputsOf(contactIds: readonly number[], today: number, unreadable: Record<string, number>): ContactInputs[];
  /**
   * Contacts a campaign instance targets (pending/scheduled rows) and contacts that hold a pre-scheduled or skipped
   * email of it; `all` when its type targets every contact.
   */
  campaignTargets(campaignInstanceId: number): number[] | 'all';
  /** Day counts of rows the run keeps: scheduled/processing, and other contacts' pre-scheduled rows when some are excluded. */
  existingDayCounts(today: number, rescheduledContacts?: readonly number[]): ExistingDayCounts;
  pendingChangesByInstance(): PendingChangesResult;
  /**
   * Ids of the change-log rows requiring a reschedule and not processed yet (of one instance, when given). A run
   * reads them before it reads anything else and marks exactly those: a row logged later may describe a change
   * the run did not see, and must stay pending for the reschedule it asks for (RULES.md §10, "Nothing lost").
   */
  pendingChangeIds(campaignInstanceId?: number): ChangeLogId[];

  /** The latest full run whose checkpoint says started: what a reschedule must wait for, unless the queue says it is over. */
  fullRunInFlight(): RunInFlight | null;
  /** Whether the run completed here, and whether what it read has changed since it started. */
  completedRun(runId: string): CompletedRun;
  /** What the run's checkpoint says (`started`, `completed`, `failed`), or null when it has none. */
  checkpointStatus(runId: string): string | null;
  /**
   * The run whose rows the file holds, when it is this full run or one named after it (`-g…` for changed
   * inputs, `-rerun-…`) and nothing it read has changed since: asking for this run again is answered by it.
   */
  sameRunInForce(runId: string): string | null;
  /** Records a run's start; a targeted reschedule's with the checksums of its contacts and their schedule. */
  startCheckpoint(runId: string, contactIds?: readonly number[]): void;
  /** A full run's checksums of the contacts and of the schedule before it (costly: its backup job computes them, reading only). */
  startChecksums(): StartChecksums;
  /** Writes them into the run's checkpoint (its finalizer does, inside its commit). */
  recordStartChecksums(runId: string, checksums: StartChecksums): void;
  completeCheckpoint(runId: string, completion: CheckpointCompletion): void;
  failCheckpoint(runId: string, error: string): void;
  recordConfig(configJson: string): void;
  /** A verified point-in-time copy before a full run; old copies pruned. */
  backup(): Promise<{ path: string; bytes: number }>;

  /**
   * A full run's result replaces every pre-scheduled/skipped row, and the change-log rows it saw pending
   * (`processedChangeIds`) are marked processed, in one transaction. The holder's table is released (null) once its rows are written.
   * `beforeCommit` runs last inside that transaction, on this connection: what it throws rolls everything back.
   */
  commitFullRun(
    runId: string,
    run: TableHolder,
    sendTime: string,
    processedChangeIds: readonly ChangeLogId[],
    beforeCommit?: (writes: WriteCounts) => void,
  ): WriteCounts;
  /**
   * A targeted result replaces those contacts' pre-scheduled/skipped rows, and the change-log rows it saw pending
   * (`processedChangeIds`) are marked processed, in one transaction; `beforeCommit` runs last inside it.
   */
  commitContacts(
    runId: string,
    contactIds: readonly number[],
    table: CandidateTable,
    sendTime: string,
    processedChangeIds: readonly ChangeLogId[],
    beforeCommit?: (writes: WriteCounts) => void,
  ): WriteCounts;
}
