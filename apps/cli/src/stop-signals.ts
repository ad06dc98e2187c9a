/** Signals this close to the first are the same stop, delivered twice. */
const SAME_STOP_WITHIN_MS = 1_000;

/**
 * What a long-running command does on SIGTERM/SIGINT: the first asks it to stop gracefully, one sent again
 * later forces the stop. One stop often arrives twice: a terminal's Ctrl-C or a service manager signals the
 * whole process group, and the pnpm/tsx wrappers pass theirs on; that second copy changes nothing.
 */
export const stopOnSignals = (
  stop: (signal: string) => void,
  force: (signal: string) => void,
  now: () => number = Date.now,
): ((signal: string) => void) => {
  let stoppingSince: number | null = null;
  let forced = false;
  return (signal) => {
    if (stoppingSince === null) {
      stoppingSince = now();
      stop(signal);
    } else if (!forced && now() - stoppingSince >= SAME_STOP_WITHIN_MS) {
      forced = true;
      force(signal);
    }
  };
};
