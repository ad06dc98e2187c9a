import { RunClient, SingleDatabase, createLogger, formatRunSummary, nameRescheduleRequest, rescheduleRunId } from '@scheduler/pipeline';
import { readEnv } from '../cli-env';
import { configFrom } from '../config-option';
import { untilStopped } from '../stop-while-waiting';

export interface RescheduleOptions {
  db: string;
  contact: number[];
  asOf?: string;
  config?: string;
  json?: boolean;
  localWorkers: boolean;
}

/** `scheduler reschedule --db FILE --contact ID...`: a targeted reschedule through the queue. */
export const rescheduleCommand = async (options: RescheduleOptions): Promise<void> => {
  const { REDIS_URL, SCHEDULER_CONFIG, SCHEDULER_THREADS, LOG_LEVEL, SCHEDULER_QUEUE_PREFIX } = readEnv();
  const locator = SingleDatabase.open(options.db);
  const logger = createLogger({ level: LOG_LEVEL, toStderr: true });
  // Named before it is enqueued, so that the lines logged before then (starting local workers) carry its run id.
  const request = nameRescheduleRequest();
  const runId = rescheduleRunId(locator.organization, request.jobId, request.createdAt);
  const client = await RunClient.connect({
    redisUrl: REDIS_URL,
    locator,
    config: configFrom(options.config, SCHEDULER_CONFIG),
    threads: Math.min(SCHEDULER_THREADS, 2),
    logger,
    startLocalWorkers: options.localWorkers,
    prefix: SCHEDULER_QUEUE_PREFIX,
    subject: { organization: locator.organization, runId },
  });
  try {
    const summary = await untilStopped(
      client.rescheduleContacts(locator.organization, options.contact, options.asOf, request),
      'the reschedule completed',
      client,
      (signal) => logger.warn({ signal, runId, organization: locator.organization }, 'stopping: the local workers finish the jobs in their hands (send the signal again to stop at once)'),
    );
    process.stdout.write(options.json === true ? `${JSON.stringify(summary)}\n` : `${formatRunSummary(summary)}\n`);
  } finally {
    await client.close();
  }
};
