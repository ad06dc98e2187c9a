export interface LoginThrottleOptions {
  /** Failed attempts allowed per client within the window. */
  readonly maxFailures: number;
  readonly windowMs: number;
  readonly now?: () => number;
}

const MAX_TRACKED_CLIENTS = 10_000;

/**
 * Slows password guessing: a client (by address) with too many failed
 * sign-ins in the window is refused until its oldest failure ages out.
 */
export class LoginThrottle {
  private readonly failures = new Map<string, number[]>();
  private readonly now: () => number;

  constructor(private readonly options: LoginThrottleOptions) {
    this.now = options.now ?? Date.now;
  }

  /** Milliseconds the client must wait, or 0 when it may try. */
  retryAfterMs(client: string): number {
    const recent = this.recent(client);
    if (recent.length < this.options.maxFailures) return 0;
    return recent[0]! + this.options.windowMs - this.now();
  }

  recordFailure(client: string): void {
    if (!this.failures.has(client) && this.failures.size >= MAX_TRACKED_CLIENTS) {
      const oldest = this.failures.keys().next().value;
      if (oldest !== undefined) this.failures.delete(oldest);
    }
    this.failures.set(client, [...this.recent(client), this.now()]);
  }

  recordSuccess(client: string): void {
    this.failures.delete(client);
  }

  private recent(client: string): number[] {
    const since = this.now() - this.options.windowMs;
    const recent = (this.failures.get(client) ?? []).filter((at) => at > since);
    if (recent.length === 0) this.failures.delete(client);
    return recent;
  }
}
