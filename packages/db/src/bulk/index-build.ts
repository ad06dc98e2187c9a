import type Database from 'better-sqlite3';

/** Page cache while indexes are built: a build reads its table once, in order; a bigger cache buys nothing. */
const INDEX_BUILD_CACHE_MB = 64;

/**
 * Runs `work` (CREATE INDEX statements) with one helper thread for SQLite's
 * sorter, so that the other core sorts while this one reads the table, and
 * with a 64 MB page cache, since the sorter holds a buffer the size of the
 * cache for each of its threads. Measured on a committed 1M-contact
 * organization (3.26M schedule rows, 2 cores), building the (status, date,
 * type) index took 10.3–11.2 s without a helper (peak memory 178 MB at a
 * 64 MB cache, 308 MB at 128 MB), and with one 7.5 s at 64 MB (242 MB) or
 * 7.7–8.4 s at 128 MB (386 MB).
 * Inside a transaction, the pages the cache no longer holds are written to
 * the WAL, as any spill.
 */
export const withSortHelperThread = <T>(sqlite: Database.Database, work: () => T): T => {
  const threads = sqlite.pragma('threads', { simple: true }) as number;
  const cacheSize = sqlite.pragma('cache_size', { simple: true }) as number;
  sqlite.pragma('threads = 1');
  sqlite.pragma(`cache_size = ${-1024 * INDEX_BUILD_CACHE_MB}`);
  try {
    return work();
  } finally {
    sqlite.pragma(`cache_size = ${cacheSize}`);
    sqlite.pragma(`threads = ${threads}`);
  }
};
