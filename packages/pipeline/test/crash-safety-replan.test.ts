import { Job, Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QUEUE_NAMES, REQUEST_JOB_NAMES } from '@scheduler/queue';
import { RETRYING_JOB_OPTIONS } from '../src/index';
import { checkpointsOf, expireLocksOfDeadWorkers, mulberry32, sleep, type CheckpointRow } from './support/crash-harness';
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
  type KillRecord,
} from './support/crash-scenario';

/**
 * RULES.md §10 ("a retry completes the run"; "Nothing lost"), a crash in the finalizer while a second
 * request for the same run arrives. Ops run `scheduler run` for today with the workers' configuration
 * (so its run id is the nightly run's); its worker dies (SIGKILL) in the finalizer, after every chunk's
 * result was staged; before the finalizer's lock expires, the nightly request for the same organization and
 * day (`nightly-<day>-<org>-<nightly job>`, what the nightly job enqueues) reaches the fresh worker. Planning the run again
 * would delete its staged chunk results while BullMQ keeps the run's chunk jobs as done (same job ids), and
 * every finalizer attempt would then fail: the request must leave the run in flight to its finalizer.
 */

const SEED = 7_000_001;

describe('a run whose finalizer is killed while the nightly request for the same run arrives', () => {
  let world: CrashWorld;
  let kill: KillRecord;
  let nightlyOutcome: unknown;
  let exitCode: number | null = null;
  let output = '';
  let heldAfter = '';
  let checkpoint: CheckpointRow | undefined;
  let rerun: { exitCode: number | null; held: string; summary: Record<string, unknown> | null } | null = null;

  beforeAll(async () => {
    const started = Date.now();
    const deadline = started + SCENARIO_BUDGET_MS;
    world = await playScenario(
      () => prepareCrashWorld({ contacts: 2_000, seed: 7, reference: false }),
      async (world) => {
        const requests = new Queue(QUEUE_NAMES.requests, { connection: world.redis.duplicate(), prefix: world.prefix });
        try {
          const run = startRunCommand(world);
          // The worker and its children die in the finalizer: every chunk's result is staged, the finalizer's job is active.
          kill = await killAt(world, { target: 'finalize', only: 'group' }, mulberry32(SEED), deadline, false, { keepLocks: true });
          // The fresh worker serves the queues; the dead worker's finalizer is not handed back yet (its lock has 60 s to run).
          const nightly = await requests.add(
            REQUEST_JOB_NAMES.fullRun,
            { organization: 'acme', asOf: AS_OF },
            { ...RETRYING_JOB_OPTIONS, jobId: `nightly-${AS_OF}-acme-repeat-nightly-full-runs-1` },
          );
          while (!['completed', 'failed'].includes(await nightly.getState())) {
            if (Date.now() > deadline) throw new Error('the nightly request was never processed');
            await sleep(50);
          }
          nightlyOutcome = (await Job.fromId(requests, nightly.id!))?.returnvalue;
          // Now the lock expires: BullMQ hands the finalizer back, and it is retried (4 attempts, 2 s, 4 s, 8 s apart).
          await expireLocksOfDeadWorkers(world.redis, world.prefix);
          exitCode = await exitedWithin(run, deadline);
          output = run.output();
          heldAfter = fileHolds(world).held;
          checkpoint = checkpointsOf(world.database).find((row) => row.runId === world.runId);
          if (exitCode !== 0) {
            // The way out: the same command again (it runs the failed run again under a rerun id).
            const again = startRunCommand(world);
            const againExit = await exitedWithin(again, deadline);
            rerun = { exitCode: againExit, held: fileHolds(world).held, summary: lastJsonLine(again.output()) };
          }
        } finally {
          await requests.close();
        }
      },
    );
    console.info(
      `crash-safety-replan: ${Math.round((Date.now() - started) / 1000)} s; kill: ${kill.observed}; nightly request: ` +
        `${JSON.stringify(nightlyOutcome)}; run command exit ${exitCode}; file held ${heldAfter}; checkpoint ` +
        `${checkpoint?.status}: ${checkpoint?.errorMessage}; rerun: ${JSON.stringify(rerun && { ...rerun, summary: rerun.summary?.run_id })}`,
    );
  }, SCENARIO_HOOK_TIMEOUT_MS);

  afterAll(async () => {
    await world?.cleanup();
  });

  it('kills the finalizer of the run the nightly request names, and the nightly request leaves that run in flight', () => {
    expect(kill.observed).toMatch(/; finalizer active/);
    expect(kill.fileHeld).toBe('previous');
    expect(nightlyOutcome).toMatchObject({ runId: world.runId, status: 'in-flight' });
  });

  it('leaves the previous committed schedule intact, and a failed run says why', () => {
    expect(heldAfter === 'previous' || (exitCode === 0 && heldAfter === 'other')).toBe(true);
    if (checkpoint?.status === 'failed') expect(checkpoint.errorMessage).toBeTruthy();
  });

  it('is completed by running the same command again (when the waiting one failed), which commits a new schedule', () => {
    if (exitCode === 0) {
      expect(checkpoint?.status).toBe('completed');
      return;
    }
    // 'other': not the previous schedule (this world computes no reference rows).
    expect(rerun).toMatchObject({ exitCode: 0, held: 'other', summary: { status: 'completed', as_of: AS_OF } });
    expect(String(rerun?.summary?.run_id)).toMatch(new RegExp(`^${world.runId}-rerun-`));
    const checkpoints = checkpointsOf(world.database);
    expect(checkpoints.find((row) => row.runId === rerun?.summary?.run_id)?.status).toBe('completed');
    expect(checkpoints.filter((row) => row.status === 'started')).toEqual([]);
  });

  // RULES.md §10: "A crash at any point leaves the previous committed schedule intact, and a retry completes
  // the run" — a request for the same run meanwhile leaves the run in flight to its finalizer.
  it('completes the run: the waiting `run` command exits 0 and the checkpoint says completed', () => {
    expect({ exitCode, lastLines: exitCode === 0 ? '' : output.trim().split('\n').slice(-2).join('\n') }).toEqual({ exitCode: 0, lastLines: '' });
    expect(checkpoint?.status).toBe('completed');
  });
});
