import type { RunSummary } from './run-summary';

/**
 * What a request job returns; the CLI's run client and the dashboard read it. A full run's request plans
 * the run, or finds it in flight, and has no summary: the run's finalizer returns it when it commits.
 */
export type RequestOutcome =
  | { readonly runId: string; readonly status: 'planned'; readonly chunks: number }
  | { readonly runId: string; readonly status: 'in-flight' }
  | { readonly runId: string; readonly status: 'already-completed' | 'completed'; readonly summary: RunSummary }
  /** A campaign reschedule that targets every contact: a full run, asked for under a request of its own, answers it. */
  | { readonly runId: string; readonly status: 'full run requested' };

/** The run whose finalizer will answer a request, when its outcome does not answer it itself. */
export const runStillToCommit = (outcome: RequestOutcome): string | null =>
  outcome.status === 'planned' || outcome.status === 'in-flight' ? outcome.runId : null;
