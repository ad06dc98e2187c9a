/** An aggregate as last read. */
export interface Aggregate<T> {
  readonly value: T;
  /** When it was read (ms since the epoch). */
  readonly readAtMs: number;
  /** A newer read was started and is still going. */
  readonly refreshing: boolean;
}

interface Entry {
  value?: unknown;
  version?: string;
  readAtMs?: number;
  pending?: Promise<void>;
}

export interface AggregateCacheOptions {
  /**
   * After a commit, an aggregate is read again only once it is this old:
   * the sending service commits all day, and a whole-schedule read of a
   * 3M-contact organization costs seconds.
   */
  readonly minRefreshMs: number;
  readonly now?: () => number;
}

const MAX_ENTRIES = 1_000;

const delay = (ms: number): Promise<void> =>
  new Promise((resolve) => {
    setTimeout(resolve, ms).unref();
  });

/**
 * Aggregates of organization databases, stale-while-revalidate: kept while
 * the database's data version stands; when it moved (and the entry is old
 * enough) a new read starts, and the caller waits for it a bounded time,
 * else gets the previous value — or null when there is none yet.
 */
export class AggregateCache {
  private readonly entries = new Map<string, Entry>();
  private readonly now: () => number;

  constructor(private readonly options: AggregateCacheOptions) {
    this.now = options.now ?? Date.now;
  }

  async get<T>(key: string, version: string, read: () => Promise<T>, waitMs: number): Promise<Aggregate<T> | null> {
    let entry = this.entries.get(key);
    if (entry === undefined) {
      if (this.entries.size >= MAX_ENTRIES) this.entries.clear();
      entry = {};
      this.entries.set(key, entry);
    }
    const current = entry;
    const upToDate =
      current.readAtMs !== undefined && (current.version === version || this.now() - current.readAtMs < this.options.minRefreshMs);
    if (upToDate) return { value: current.value as T, readAtMs: current.readAtMs!, refreshing: current.pending !== undefined };
    current.pending ??= read().then(
      (value) => {
        current.value = value;
        current.version = version;
        current.readAtMs = this.now();
        current.pending = undefined;
      },
      (error: unknown) => {
        current.pending = undefined;
        throw error;
      },
    );
    // A read nobody waits for any more must not end as an unhandled rejection.
    current.pending.catch(() => undefined);
    const finished = await Promise.race([current.pending.then(() => true), delay(waitMs).then(() => false)]);
    if (current.readAtMs === undefined) return null;
    return { value: current.value as T, readAtMs: current.readAtMs, refreshing: !finished };
  }
}
