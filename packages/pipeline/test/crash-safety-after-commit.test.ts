import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkpointsOf, mulberry32, sleep, startReader, type CheckpointRow, type ReaderReport, type Snapshot } from './support/crash-harness';
import {
  AS_OF,
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
 * RULES.md §10, a crash just after a run's COMMIT. The run's worker (with its backup process) is killed
 * twice inside the commit's open transaction; the third time, the worker is cut off from Redis inside the
 * commit (RedisGate.hold) and killed once the commit's write lock goes: the schedule and the checkpoint
 * `completed` are committed, the finalizer's BullMQ job is not recorded completed. Handed back a third time,
 * past BullMQ's maxStalledCount (2, fleet.ts), the finalizer's job fails for good ("job stalled more than
 * allowable limit") and the fleet records the run's failure; the checkpoint of the committed run must stay
 * `completed`, since the file holds that run's schedule (it once went to `failed`).
 */

const SEED = 424242;
const KILLS: readonly KillPlan[] = [
  { target: 'commit', only: 'group' },
  { target: 'commit', only: 'group' },
  { target: 'after-commit', only: 'group' },
];

describe('a run whose worker is killed just after its COMMIT (its finalizer handed back a third time)', () => {
  let world: CrashWorld;
  const kills: KillRecord[] = [];
  let committed: Snapshot;
  let exitCode: number | null = null;
  let output = '';
  let checkpoint: CheckpointRow | undefined;
  let heldAtEnd: Snapshot;
  let report: ReaderReport;

  beforeAll(async () => {
    const started = Date.now();
    const deadline = started + SCENARIO_BUDGET_MS;
    world = await playScenario(
      () => prepareCrashWorld({ contacts: 2_000, batchSize: 500, seed: 11, reference: false }),
      async (world) => {
        kills.length = 0;
        const random = mulberry32(SEED);
        const reader = startReader(world.database);
        try {
          const run = startRunCommand(world);
          for (const [index, plan] of KILLS.entries()) kills.push(await killAt(world, plan, random, deadline, index < KILLS.length - 1));
          // What the COMMIT left: the run's schedule.
          committed = fileHolds(world).snapshot;
          exitCode = await exitedWithin(run, deadline);
          output = run.output();
          // A failure is recorded by the worker as the job fails, beside the command's exit: give it 3 s to show.
          for (let waited = 0; waited < 3_000; waited += 100) {
            checkpoint = checkpointsOf(world.database).find((row) => row.runId === world.runId);
            if (checkpoint?.status !== 'completed') break;
            await sleep(100);
          }
          heldAtEnd = fileHolds(world).snapshot;
        } finally {
          report = await reader.stop();
        }
      },
    );
    console.info(
      `crash-safety-after-commit: ${Math.round((Date.now() - started) / 1000)} s\n` +
        kills.map((kill) => `  ${kill.target}: ${kill.observed}; file held ${kill.fileHeld}, checkpoint ${kill.checkpoint}`).join('\n') +
        `\n  run command exit ${exitCode}: ${output.trim().split('\n').at(-1)}\n  checkpoint ${checkpoint?.status}: ${checkpoint?.errorMessage}` +
        `\n  reader: ${report.reads} reads, ${report.seen.length} distinct states`,
    );
  }, SCENARIO_HOOK_TIMEOUT_MS);

  afterAll(async () => {
    await world?.cleanup();
  });

  it('kills twice inside the commit (the previous schedule stays) and once just after its COMMIT (the new one is there, completed)', () => {
    expect(kills.map((kill) => [kill.target, kill.fileHeld, kill.checkpoint])).toEqual([
      ['commit', 'previous', 'started'],
      ['commit', 'previous', 'started'],
      ['after-commit', 'other', 'completed'],
    ]);
    expect(kills[0]!.observed).toMatch(/write lock held \(commit\)/);
    expect(kills[1]!.observed).toMatch(/write lock held \(commit\)/);
    expect(kills[2]!.observed).toMatch(/after the commit's write lock was released; finalizer then active/);
    expect(committed.schedulerDigest).not.toBe(world.previous.schedulerDigest);
  });

  it('keeps the committed schedule: nothing rolls it back, the sender rows are untouched', () => {
    expect(heldAtEnd.schedulerDigest).toBe(committed.schedulerDigest);
    expect(heldAtEnd.senderDigest).toBe(world.previous.senderDigest);
  });

  it('showed readers only the whole previous schedule or the whole committed one', () => {
    expect(report.errors).toEqual([]);
    const schedules = new Set(report.seen.map(([key]) => key.split(' ')[0]));
    expect([...schedules].sort()).toEqual([world.previous.schedulerDigest, committed.schedulerDigest].sort());
  });

  // RULES.md §10: "Each run writes a scheduler_checkpoints row (started → completed or failed)"; the run
  // committed (its schedule is in the file, its checkpoint said completed), so its row must stay completed
  // when its finalizer, handed back once too often, then fails for good.
  it('keeps the committed run\'s checkpoint completed once its finalizer is handed back after the COMMIT', () => {
    expect({ status: checkpoint?.status, error: checkpoint?.errorMessage ?? null }).toEqual({ status: 'completed', error: null });
  });

  it('reports the outcome in the waiting command: exit 0 with the summary, or a message naming the failure', () => {
    if (exitCode === 0) expect(lastJsonLine(output)).toMatchObject({ run_id: world.runId, status: 'completed', as_of: AS_OF });
    else expect(output).toMatch(/failed/);
  });
});
