/*
 * The staging file (staging-schema.ts): chunk results are scratch data that wait there for the finalizer. A run
 * planned again starts afresh, and a run that is over leaves none of its results behind — neither to bloat the
 * file nor to be counted by a later finalizer of the same run id as if this plan's chunks had computed them.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { emptyContactStats, type ContactStats } from '../src/run-stats';
import type { ChunkRange } from '../src/run-flow';
import { StagingStore } from '../src/staging/staging-store';
import type { OrganizationFiles } from '../src/thread-tasks';
import { writeOrganization } from './support/organization-fixture';
import { fullRunThroughTasks } from './support/thread-task-runs';

const AS_OF = '2026-11-28';

let directory: string;
let stagingPath: string;

beforeEach(() => {
  directory = mkdtempSync(join(tmpdir(), 'staging-store-'));
  stagingPath = join(directory, 'acme.staging.sqlite');
});
afterEach(() => rmSync(directory, { recursive: true, force: true }));

/** The chunk results a run has in the staging file, read with plain SQL rather than through the store. */
const stagedChunkIndexes = (runId: string): number[] => {
  const db = new Database(stagingPath, { readonly: true });
  try {
    return db.prepare('SELECT chunk_index FROM staged_chunks WHERE run_id = ? ORDER BY chunk_index').pluck().all(runId) as number[];
  } finally {
    db.close();
  }
};

const withStore = <T>(work: (staging: StagingStore) => T): T => {
  const staging = new StagingStore(stagingPath);
  try {
    return work(staging);
  } finally {
    staging.close();
  }
};

const ranges = (count: number): ChunkRange[] => Array.from({ length: count }, (_, chunkIndex) => ({ chunkIndex, fromId: chunkIndex * 100 + 1, toId: (chunkIndex + 1) * 100 }));

/** A chunk's stats that say which chunk and which plan they came from: `total` = plan × 1000 + chunk index. */
const statsOf = (plan: number, chunkIndex: number): ContactStats => ({ ...emptyContactStats(), total: plan * 1000 + chunkIndex, usable: 1 });

const plan = (staging: StagingStore, runId: string, chunkCount: number): void =>
  staging.planRun({ runId, organization: 'acme', asOf: AS_OF, configJson: '{}' }, ranges(chunkCount), []);

describe('when a run is planned again', () => {
  // planRun's promise: "A re-plan of the same run starts afresh: its chunks, …". A finalizer checks that as many
  // results as planned chunks are in; an earlier plan's results must not make up that number.
  it("drops the earlier plan's chunk results: the new plan starts with none, and reads back only its own", () => {
    withStore((staging) => {
      plan(staging, 'run-a', 3);
      for (const chunk of ranges(3)) staging.saveChunk('run-a', chunk.chunkIndex, statsOf(1, chunk.chunkIndex), Buffer.from([1, chunk.chunkIndex]));
      plan(staging, 'run-b', 2);
      staging.saveChunk('run-b', 0, statsOf(9, 0), Buffer.from([9, 0]));

      plan(staging, 'run-a', 2);
      expect(staging.run('run-a')?.chunkCount).toBe(2);
      expect([...staging.chunks('run-a')]).toEqual([]);
      expect(stagedChunkIndexes('run-a')).toEqual([]);

      staging.saveChunk('run-a', 0, statsOf(2, 0), Buffer.from([2, 0]));
      expect([...staging.chunks('run-a')].map((chunk) => chunk.stats.total)).toEqual([statsOf(2, 0).total]);
      // Another run's results are its own.
      expect([...staging.chunks('run-b')].map((chunk) => chunk.stats.total)).toEqual([statsOf(9, 0).total]);
    });
  });
});

describe('when a run is over', () => {
  it.each(['completed', 'failed'] as const)('finishing it %s drops its chunk results from the staging file and keeps other runs\u2019', (status) => {
    withStore((staging) => {
      plan(staging, 'run-a', 2);
      plan(staging, 'run-b', 1);
      for (const chunkIndex of [0, 1]) staging.saveChunk('run-a', chunkIndex, statsOf(1, chunkIndex), Buffer.from([1, chunkIndex]));
      staging.saveChunk('run-b', 0, statsOf(9, 0), Buffer.from([9, 0]));
      expect(stagedChunkIndexes('run-a')).toEqual([0, 1]);

      staging.finishRun('run-a', status, null);
      expect(staging.run('run-a')?.status).toBe(status);
      expect(stagedChunkIndexes('run-a')).toEqual([]);
      expect([...staging.chunks('run-a')]).toEqual([]);
      expect(stagedChunkIndexes('run-b')).toEqual([0]);
    });
  });

  // staging-schema.ts: "chunk results are scratch data the finalizer deletes after its commit".
  it('a full run through its tasks leaves none of its chunk results in the staging file once committed', async () => {
    const files: OrganizationFiles = { organization: 'acme', databasePath: join(directory, 'acme.sqlite'), stagingPath };
    writeOrganization(files.databasePath, { contacts: 500, today: AS_OF });
    const runId = 'run-acme-staging';
    let stagedBeforeCommit: number[] = [];
    const summary = await fullRunThroughTasks(files, runId, AS_OF, () => {
      stagedBeforeCommit = stagedChunkIndexes(runId);
    });
    expect(summary.status).toBe('completed');
    expect(stagedBeforeCommit.length).toBeGreaterThan(0);
    expect(stagedChunkIndexes(runId)).toEqual([]);
    expect(withStore((staging) => staging.run(runId)?.status)).toBe('completed');
  });
});
