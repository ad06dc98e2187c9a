import { RunClient, SingleDatabase, createLogger, formatRunSummary, fullRunId, rerunId, todayIn } from '@scheduler/pipeline';
import { readEnv } from '../cli-env';
import { configFrom } from '../config-option';
import { chunkProgressBar } from '../progress-bar';
import { untilStopped } from '../stop-while-waiting';

export interface RunOptions {
  db: string;
  asOf?: string;
  config?: string;
  json?: boolean;
  rerun?: boolean;
  localWorkers: boolean;
}

/** `scheduler run --db FILE`: one full run through the queue, waited for until committed. */
export const runCommand = async (options: RunOptions): Promise<void> => {
  const { REDIS_URL, SCHEDULER_CONFIG, SCHEDULER_THREADS, LOG_LEVEL, SCHEDULER_QUEUE_PREFIX } = readEnv();
  const config = configFrom(options.config, SCHEDULER_CONFIG);
  const locator = SingleDatabase.open(options.db);
  const logger = createLogger({ level: LOG_LEVEL, toStderr: true });
  const asOf = options.asOf ?? todayIn(config);
  const stableId = fullRunId(locator.organization, asOf, config);
  // A rerun is named now, so that the lines logged before it is enqueued carry its id.
  const rerunAskedAt = Date.now();
  const runId = options.rerun === true ? rerunId(stableId, rerunAskedAt) : stableId;
  const client = await RunClient.connect({
    redisUrl: REDIS_URL,
    locator,
    config,
    threads: SCHEDULER_THREADS,
    logger,
    startLocalWorkers: options.localWorkers,
    prefix: SCHEDULER_QUEUE_PREFIX,
    subject: { organization: locator.organization, runId },
  });
  const progress = options.json === true ? null : chunkProgressBar();
  try {
    const summary = await untilStopped(
      client.fullRun(locator.organization, { asOf, rerun: options.rerun === true, rerunAskedAt }, progress?.update),
      `run ${runId} completed`,
      client,
      (signal) => {
        progress?.stop();
        logger.warn({ signal, runId, organization: locator.organization }, 'stopping: the local workers finish the jobs in their hands (send the signal again to stop at once)');
      },
    );
    progress?.stop();
    process.stdout.write(options.json === true ? `${JSON.stringify(summary)}\n` : `${formatRunSummary(summary)}\n`);
  } finally {
    progress?.stop();
    await client.close();
  }
};
