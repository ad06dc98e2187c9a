/**
 * Milliseconds spent in each named phase of a task, for its log line: where
 * a run's time goes is read from the logs, not guessed.
 */
export class PhaseTimer {
  private last = performance.now();
  readonly phases: Record<string, number> = {};

  /** Ends the current phase under `name`. */
  lap(name: string): void {
    const now = performance.now();
    this.phases[name] = Math.round((this.phases[name] ?? 0) + now - this.last);
    this.last = now;
  }
}
