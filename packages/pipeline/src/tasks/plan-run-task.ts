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
      const staged = staging.run(task.runId);
      const summary = task.rerun ? null : (staged?.summary ?? null);
      if (summary !== null) {
        const completed = port.completedRun(task.runId);
        if (completed.state === 'inputs-unchanged') return { status: 'already-completed', summary };
        if (completed.state === 'inputs-changed') {
          // Asked for again after it ran again under another name (its inputs changed, or a rerun): that run answers.
          // Looked for under the stable id: an attempt's (`-retry2`) reruns and runs again are named after it.
          const inForce = port.sameRunInForce(task.stableRunId);
          const inForceSummary = inForce === null ? null : (staging.run(inForce)?.summary ?? null);
          if (inForceSummary !== null) return { status: 'already-completed', summary: inForceSummary };
          return { status: 'inputs-changed', summary, generation: completed.generation };
        }
      }
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
      const later = staging.latestCompletedAsOf();
      if (later !== null && later > task.asOf) {
        // Asked for on purpose (scheduler run --as-of), or an old request retried in Bull Board: ops should know.
        loggerFor(task.log).warn({ latestCompletedAsOf: later }, `a run as of ${later} has completed; this run, as of ${task.asOf}, replaces its schedule`);
      }
      return { status: 'planned', chunks, contactRows: port.contactRowCount() };
    }),
  );
};
