import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkpointsOf, mulberry32, sleep, startReader, type CheckpointRow, type ReaderReport } from './support/crash-harness';
import {
  exitedWithin,
  fileHolds,
  killAt,
  lastJsonLine,
  playScenario,
  prepareCrashWorld,
  SCENARIO_BUDGET_MS,
  SCENARIO_HOOK_TIMEOUT_MS,
  startRunCommand,
  type CrashWorld,
  type KillPlan,
  type KillRecord,
} from './support/crash-scenario';

/**
 * RULES.md §10, from outside: "A crash at any point leaves the previous committed schedule intact, and a
 * retry completes the run", "A reader never sees a half-written run", and the run's checkpoint row
 * (started → completed). A full run is served by `scheduler worker` processes only (the waiting `run`
 * command has --no-local-workers). Its worker is killed with SIGKILL, with its backup process (a machine
 * crash), at seeded random moments: while chunks are computed, and inside the commit's open transaction. A
 * worker started beforehand takes over each time. The dead worker's job locks are expired by the test
 * instead of waited for (60 s each, see crash-harness.ts). A thread reads the file in one read transaction
 * after another the whole time. The other kill points (the finalizer before its commit, just after the
 * COMMIT) are in crash-safety-replan.test.ts and crash-safety-after-commit.test.ts.
 */

const SEED = 20261129;
// Two kills: no job of the run is handed back more than BullMQ's maxStalledCount (2, fleet.ts) times. A
// third kill while the run's backup job is at work fails the run for good (and, after its COMMIT, marks a
// committed run failed: see crash-safety-after-commit.test.ts).
const KILLS: readonly KillPlan[] = [
  { target: 'chunks', only: 'group' },
  { target: 'commit', only: 'group' },
];

describe('a full run whose worker is killed (SIGKILL) at random moments', () => {
  let world: CrashWorld;
  const kills: KillRecord[] = [];
  let report: ReaderReport;
  let firstExit: number | null;
  let firstOutput = '';
  /** When the waiting command did not complete: what the file held then, and the same command run again. */
  let afterFailure: { held: string; checkpoint: CheckpointRow | undefined } | null = null;
  let retryExit: number | null = null;
  let summary: Record<string, unknown> | null;

  beforeAll(async () => {
    const started = Date.now();
    const deadline = started + SCENARIO_BUDGET_MS;
    world = await playScenario(
      () => prepareCrashWorld({ contacts: 2_000, batchSize: 200, seed: 7 }),
      async (world) => {
        kills.length = 0;
        afterFailure = null;
        const random = mulberry32(SEED);
        const reader = startReader(world.database);
        try {
          const run = startRunCommand(world);
          for (const plan of KILLS) kills.push(await killAt(world, plan, random, deadline));
          firstExit = await exitedWithin(run, deadline);
          firstOutput = run.output();
          summary = lastJsonLine(firstOutput);
          if (firstExit !== 0) {
            afterFailure = {
              held: fileHolds(world).held,
              checkpoint: checkpointsOf(world.database).find((row) => row.runId === world.runId),
            };
            // RULES.md §10: "a retry completes the run" — the same command again, served by the fresh worker.
            const retry = startRunCommand(world);
            retryExit = await exitedWithin(retry, deadline);
            summary = lastJsonLine(retry.output());
          }
          // The reader looks a little longer at the committed schedule.
          await sleep(300);
        } finally {
          report = await reader.stop();
        }
      },
    );
    console.info(
      `crash-safety: ${kills.length} kills, ${Math.round((Date.now() - started) / 1000)} s\n` +
        kills
          .map(
            (kill) =>
              `  ${kill.target} (+${kill.delayMs} ms): ${kill.observed}; file held ${kill.fileHeld}, ` +
              `checkpoint ${kill.checkpoint}; handed back: ${kill.stalledJobs.join(', ')}`,
          )
          .join('\n') +
        `\n  run command exit ${firstExit}${afterFailure === null ? '' : `; after its failure the file held ${afterFailure.held}, checkpoint ${afterFailure.checkpoint?.status}: ${afterFailure.checkpoint?.errorMessage}; retry exit ${retryExit}`}` +
        `\n  reader: ${report.reads} reads, ${report.seen.length} distinct states`,
    );
  }, SCENARIO_HOOK_TIMEOUT_MS);

  afterAll(async () => {
    await world?.cleanup();
  });

  it('hits each aimed phase: chunk jobs at work, the commit transaction', () => {
    expect(kills.map((kill) => kill.target)).toEqual(KILLS.map((plan) => plan.target));
    expect(kills[0]!.observed).toMatch(/; finalizer waiting-children, [1-9]\d* chunk job/);
    expect(kills[1]!.observed).toMatch(/; finalizer active.*write lock held \(commit\)/);
    // Each kill handed jobs back to the queue (what BullMQ does on its own once their locks expire).
    for (const kill of kills) expect(kill.stalledJobs.length).toBeGreaterThan(0);
  });

  it('leaves the previous committed schedule intact after every kill (and its checkpoint started, not completed)', () => {
    expect(kills.map((kill) => ({ held: kill.fileHeld, checkpoint: kill.checkpoint }))).toEqual(
      kills.map(() => ({ held: 'previous', checkpoint: 'started' })),
    );
  });

  it('completes: the waiting `run` command exits 0 with its summary', () => {
    expect({ firstExit, afterFailure, lastLine: firstOutput.trim().split('\n').at(-1) }).toMatchObject({ firstExit: 0, afterFailure: null });
    expect(summary).toMatchObject({ run_id: world.runId, status: 'completed', as_of: '2026-11-29' });
  });

  it('commits the rows of an uninterrupted run of the same day on a copy of the same file, and leaves the sender rows alone', () => {
    const { held, snapshot } = fileHolds(world);
    if (held !== 'new') {
      const expected = new Set(world.expected!.schedulerRows);
      const actual = new Set(snapshot.schedulerRows);
      const missing = world.expected!.schedulerRows.filter((row) => !actual.has(row)).slice(0, 5);
      const extra = snapshot.schedulerRows.filter((row) => !expected.has(row)).slice(0, 5);
      expect({ rows: snapshot.schedulerRows.length, missing, extra }).toEqual({ rows: world.expected!.schedulerRows.length, missing: [], extra: [] });
    }
    expect(held).toBe('new');
    expect(snapshot.senderDigest).toBe(world.previous.senderDigest);
    expect(snapshot.senderCount).toBeGreaterThan(0);
  });

  it('records the committing run started → completed, with its counts and checksums, and leaves no run started', () => {
    const checkpoints = checkpointsOf(world.database);
    const committed = checkpoints.find((row) => row.runId === summary?.run_id);
    const emails = (summary?.emails ?? {}) as { pre_scheduled?: number; skipped?: number };
    expect(committed).toMatchObject({
      status: 'completed',
      errorMessage: null,
      contactsProcessed: 2_000,
      emailsScheduled: emails.pre_scheduled,
      emailsSkipped: emails.skipped,
    });
    expect(committed?.completedAt).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
    for (const checksum of [committed?.contactsChecksum, committed?.schedulesBeforeChecksum, committed?.schedulesAfterChecksum]) {
      expect(checksum).toMatch(/^[0-9a-f]{16,}$/);
    }
    expect(checkpoints.filter((row) => row.status === 'started')).toEqual([]);
    for (const failed of checkpoints.filter((row) => row.status === 'failed')) expect(failed.errorMessage).toBeTruthy();
    // The day before's run and the committing one; at most the one failed attempt besides.
    expect(checkpoints.filter((row) => row.status === 'completed')).toHaveLength(2);
  });

  it('never showed a reader a half-written run: only the whole previous schedule or the whole new one, each with its checkpoints', () => {
    expect(report.errors).toEqual([]);
    expect(report.reads).toBeGreaterThan(20);
    const allowed = new Set([
      `${world.previous.schedulerDigest} ${world.previous.senderDigest} completed-runs:1`,
      `${world.expected!.schedulerDigest} ${world.previous.senderDigest} completed-runs:2`,
    ]);
    const label = (key: string): string =>
      key
        .replace(world.previous.schedulerDigest, 'previous-schedule')
        .replace(world.expected!.schedulerDigest, 'new-schedule')
        .replace(world.previous.senderDigest, 'sender-rows-unchanged');
    expect(report.seen.filter(([key]) => !allowed.has(key)).map(([key, times]) => `${label(key)} ×${times}`)).toEqual([]);
    // It looked before and after the commit.
    expect(report.seen.map(([key]) => label(key).split(' ')[0])).toEqual(expect.arrayContaining(['previous-schedule', 'new-schedule']));
  });
});
