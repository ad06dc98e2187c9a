import { constants } from 'node:os';
import type { RunClient } from '@scheduler/pipeline';
import { stopOnSignals } from './stop-signals';

/** The exit status of a process a signal ended, as a shell reports it. */
export const signalExitCode = (signal: string): number => 128 + (constants.signals[signal as NodeJS.Signals] ?? 0);

/** A command's wait ended by SIGTERM/SIGINT; `exitCode` is what the process exits with. */
export class StoppedBySignal extends Error {
  override readonly name = 'StoppedBySignal';
  readonly exitCode: number;
  constructor(signal: string, what: string, rest: string) {
    super(`stopped by ${signal} before ${what}; ${rest}`);
    this.exitCode = signalExitCode(signal);
  }
}

/** What becomes of a command's jobs once it stops waiting, as its message says. */
const restOfTheJobs = (client: RunClient): string =>
  client.servesLocally
    ? 'its jobs stay in the queue: run this command again to complete it (no fleet serves this organization, and a fleet ' +
      'that starts meanwhile fails them; the command run again then plans its work anew)'
    : 'the fleet that serves the organization goes on with its jobs';

/**
 * Waits for `work` unless SIGTERM or SIGINT comes first. Then it rejects with StoppedBySignal, and the
 * caller closes what it opened: its local workers finish the jobs in their hands, the rest stay queued.
 * The signal sent again a second or more later exits at once (stop-signals.ts); jobs in hand are then
 * handed back when their locks expire.
 */
export const untilStopped = async <T>(work: Promise<T>, what: string, client: RunClient, onStop: (signal: string) => void): Promise<T> => {
  // Once stopped, nothing waits for `work`: its failure (its connections closing) must not go unhandled.
  work.catch(() => undefined);
  let listener: (signal: NodeJS.Signals) => void = () => undefined;
  const stopped = new Promise<never>((_, reject) => {
    const onSignal = stopOnSignals(
      (signal) => {
        onStop(signal);
        reject(new StoppedBySignal(signal, what, restOfTheJobs(client)));
      },
      (signal) => process.exit(signalExitCode(signal)),
    );
    listener = (signal) => onSignal(signal);
  });
  process.on('SIGTERM', listener);
  process.on('SIGINT', listener);
  try {
    return await Promise.race([work, stopped]);
  } finally {
    process.off('SIGTERM', listener);
    process.off('SIGINT', listener);
  }
};
