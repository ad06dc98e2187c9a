import { asOfInRunId } from '../run-identity';
import type { PlanRunResult, PlanRunTask } from '../thread-tasks';
import { configOf, loggerFor, portOptions, withPort, withStaging } from './task-resources';

/**
 * Plans a full run: its chunks staged and its checkpoint started, or, asked for again, the run that answers
 * it (already completed, or completed on inputs that have changed since).
 */
export const planRun = (task: PlanRunTask): PlanRunResult => {
  const config = configOf(task.configJson);
  return withStaging(task.files.stagingPath, (staging) =>
    withPort(task.files.databasePath, portOptions(config, false), (port) => {
      // A completed run of the same stable id on what the file holds now (a rerun, a run again on changed inputs,
      // another attempt; named after the stable id) answers a request that does not ask for a rerun.
      const inForceAnswer = (): PlanRunResult | null => {
        const inForce = port.sameRunInForce(task.stableRunId);
        const summary = inForce === null ? null : (staging.run(inForce)?.summary ?? null);
        return summary === null ? null : { status: 'already-completed', summary };
      };
      const staged = staging.run(task.runId);
      const summary = task.rerun ? null : (staged?.summary ?? null);
      if (summary !== null) {
        const completed = port.completedRun(task.runId);
        if (completed.state === 'inputs-unchanged') return { status: 'already-completed', summary };
        if (completed.state === 'inputs-changed') {
          // Asked for again after it ran again under another name (its inputs changed, or a rerun): that run answers.
          return inForceAnswer() ?? { status: 'inputs-changed', summary, generation: completed.generation };
        }
      }
      // This attempt did not complete (failed for good, or is new), but another run of it may have since (a rerun
      // that overtook it): that run answers, and nothing runs again.
      const answer = task.rerun ? null : inForceAnswer();
      if (answer !== null) return answer;
      if (task.flowTaken === true) return { status: 'flow-taken' };
      // Read before any chunk reads the campaign tables: the rows the commit may mark processed (RULES.md §10).
      const pendingChangeIds = port.pendingChangeIds();
      const chunks = port.chunkRanges(config.batch_size);
      const beyond = port.rowsBeyondSafeIds('contacts');
      if (beyond.count > 0) {
        loggerFor(task.log).warn(
          { contacts: beyond.count, ids: beyond.examples },
          `${beyond.count} contacts have an id beyond ±(2^53 − 1), which this scheduler cannot hold exactly: they are skipped (first ids: ${beyond.examples.join(', ')})`,
        );
      }
      const instancesBeyond = port.rowsBeyondSafeIds('campaign_instances');
      if (instancesBeyond.count > 0) {
        loggerFor(task.log).warn(
          { campaignInstances: instancesBeyond.count, ids: instancesBeyond.examples },
          `${instancesBeyond.count} campaign instances have an id beyond ±(2^53 − 1), which this scheduler cannot hold exactly: ` +
            `their campaigns are not scheduled (first ids: ${instancesBeyond.examples.join(', ')})`,
        );
      }
      staging.planRun({ runId: task.runId, organization: task.files.organization, asOf: task.asOf, configJson: task.configJson }, chunks, pendingChangeIds);
      port.startCheckpoint(task.runId);
      const inForce = port.lastCompletedFullRun();
      const later = inForce === null ? null : asOfInRunId(inForce);
      if (later !== null && later > task.asOf) {
        // Asked for on purpose (scheduler run --as-of), or an old request retried in Bull Board: ops should know.
        loggerFor(task.log).warn(
          { runInForce: inForce, asOfInForce: later },
          `the schedule in force is that of a run as of ${later} (${inForce}); this run, as of ${task.asOf}, replaces it`,
        );
      }
      return { status: 'planned', chunks, contactRows: port.contactRowCount() };
    }),
  );
};
