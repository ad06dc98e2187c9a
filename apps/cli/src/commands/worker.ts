import { OrganizationDirectory, createLogger, startFleet, type Fleet } from '@scheduler/pipeline';
import { checkRedisReachable } from '@scheduler/queue';
import { organizationsDirectory, readEnv } from '../cli-env';
import { configFrom } from '../config-option';
import { stopOnSignals } from '../stop-signals';
import { signalExitCode } from '../stop-while-waiting';

export interface WorkerOptions {
  config?: string;
  threads?: number;
}

/**
 * How long a forced stop waits for the fleet to close before the process exits anyway: closing talks to
 * Redis, and an unreachable Redis would hold it for as long as it is away.
 */
const FORCED_STOP_GRACE_MS = 3_000;

/** `scheduler worker`: serve the queues until SIGTERM/SIGINT, then finish in-flight work and stop. */
export const workerCommand = async (options: WorkerOptions): Promise<void> => {
  const env = readEnv();
  const { REDIS_URL, SCHEDULER_CONFIG, SCHEDULER_THREADS, LOG_LEVEL, SCHEDULER_QUEUE_PREFIX } = env;
  const config = configFrom(options.config, SCHEDULER_CONFIG);
  const directory = organizationsDirectory(env);
  const logger = createLogger({ level: LOG_LEVEL, name: 'scheduler-worker' });
  await checkRedisReachable(REDIS_URL);
  // The signals are heard from before the fleet starts: its workers take jobs while the last of them is still
  // getting ready, and Node's own SIGTERM would kill those jobs mid-way. A stop asked for during start-up
  // waits for the start.
  let fleet: Fleet | null = null;
  let stopAsked: { force: boolean } | null = null;
  let stopped = (): void => undefined;
  const whenStopped = new Promise<void>((resolve) => {
    stopped = resolve;
  });
  const close = (force: boolean): void => {
    if (fleet === null) stopAsked = { force };
    else void fleet.close(force ? { force: true } : undefined).then(stopped);
  };
  const onSignal = stopOnSignals(
    (signal) => {
      logger.info({ signal }, 'stopping: finishing jobs in flight (send the signal again to stop at once)');
      close(false);
    },
    (signal) => {
      // Unfinished jobs are handed back as stalled and retried elsewhere. The exit status says the stop was
      // forced, as a shell's does for a process a signal ended (128 + the signal's number).
      process.exitCode = signalExitCode(signal);
      logger.warn({ signal }, 'forced stop');
      setTimeout(() => {
        logger.warn({ graceMs: FORCED_STOP_GRACE_MS }, 'the fleet did not close in time (is Redis reachable?): exiting');
        process.exit();
      }, FORCED_STOP_GRACE_MS).unref();
      close(true);
    },
  );
  process.on('SIGTERM', () => onSignal('SIGTERM'));
  process.on('SIGINT', () => onSignal('SIGINT'));
  fleet = await startFleet({
    redisUrl: REDIS_URL,
    locator: new OrganizationDirectory(directory),
    config,
    threads: options.threads ?? SCHEDULER_THREADS,
    logger,
    prefix: SCHEDULER_QUEUE_PREFIX,
  });
  // Set by a signal during the start (TypeScript cannot see the handlers assign it).
  const asked = stopAsked as { force: boolean } | null;
  if (asked !== null) close(asked.force);
  await whenStopped;
  logger.info('stopped');
};
