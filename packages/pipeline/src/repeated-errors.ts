/** Distinct errors remembered at most; past it the memory starts again (an error may then be logged once more). */
const KINDS_KEPT = 100;

/**
 * Lets the first of a kind of error through, then one per `everyMs` with how many came in between: a worker whose
 * Redis has gone reports each reconnect attempt, and an outage would bury the log in copies of one line.
 */
export const quietRepeats = (
  log: (kind: string, error: Error, repeatsSinceLast: number) => void,
  everyMs = 30_000,
  now: () => number = Date.now,
): ((kind: string, error: Error) => void) => {
  const seen = new Map<string, { loggedAt: number; repeats: number }>();
  return (kind, error) => {
    const key = `${kind}\u0000${error.message}`;
    const last = seen.get(key);
    if (last !== undefined && now() - last.loggedAt < everyMs) {
      last.repeats += 1;
      return;
    }
    if (last === undefined && seen.size >= KINDS_KEPT) seen.clear();
    seen.set(key, { loggedAt: now(), repeats: 0 });
    log(kind, error, last?.repeats ?? 0);
  };
};
