import { CandidateTable } from '@scheduler/core';
import { ChunkNotPlannedError, RunOverError } from '../run-errors';
import { encodeTable } from '../table-codec';
import type { ComputeChunkResult, ComputeChunkTask } from '../thread-tasks';
import { scheduleContacts } from './schedule-contacts';
import { configOf, dayOf, loggerFor, portOptions, withPort, withStaging } from './task-resources';

/**
 * The thread's table for chunks, emptied for each: its columns' memory serves
 * chunk after chunk instead of megabytes allocated and zeroed per chunk (the
 * staging store keeps an encoded copy; a thread runs one task at a time).
 */
let chunkTable: CandidateTable | null = null;
const emptyChunkTable = (expectedContacts: number): CandidateTable => {
  if (chunkTable === null) chunkTable = new CandidateTable({ contacts: expectedContacts, emails: expectedContacts * 4 });
  else chunkTable.clear();
  return chunkTable;
};

/** A chunk's candidates, computed and staged for its run's finalizer. */
export const computeChunk = (task: ComputeChunkTask): ComputeChunkResult => {
  const started = performance.now();
  const log = loggerFor(task.log);
  return withStaging(task.files.stagingPath, (staging) => {
    const run = staging.run(task.runId);
    if (run === null) throw new Error(`run ${task.runId} was never planned`);
    if (run.status === 'failed') throw new RunOverError(task.runId);
    // A failure here would fail the committed run's finalizer too, should that be retried by hand as well.
    if (run.status === 'completed') return { chunkIndex: task.chunk.chunkIndex, notComputed: 'the run has completed' };
    const planned = staging.plannedRange(task.runId, task.chunk.chunkIndex);
    if (planned !== undefined && (planned?.fromId !== task.chunk.fromId || planned.toId !== task.chunk.toId)) {
      throw new ChunkNotPlannedError(task.runId, task.chunk, planned);
    }
    const config = configOf(run.configJson);
    const { table, stats } = withPort(task.files.databasePath, portOptions(config, true), (port) => {
      const today = dayOf(run.asOf);
      const unreadable: Record<string, number> = {};
      return scheduleContacts(
        port,
        config,
        today,
        port.contactInputsInRange(task.chunk, today, unreadable),
        unreadable,
        emptyChunkTable(Math.max(16, Math.min(task.chunk.toId - task.chunk.fromId + 1, 100_000))),
        // Every chunk reads the same campaign tables: the first says what is wrong with them, once a run.
        task.chunk.chunkIndex === 0 ? log : null,
      );
    });
    staging.saveChunk(task.runId, task.chunk.chunkIndex, stats, encodeTable(table));
    const durationMs = Math.round(performance.now() - started);
    log.info({ contacts: stats.total, emails: table.emailCount, durationMs }, 'chunk computed');
    return { chunkIndex: task.chunk.chunkIndex, contacts: stats.total, emails: table.emailCount, durationMs };
  });
};
