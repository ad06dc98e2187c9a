import Database from 'better-sqlite3';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { withSortHelperThread } from '../src/bulk/index-build';
import { useTempDirectory } from './support/temp-directory';

describe('index builds with a sort helper thread', () => {
  const directory = useTempDirectory();

  const filledTable = (rows: number): Database.Database => {
    const sqlite = new Database(join(directory(), 'build.sqlite'));
    sqlite.pragma('journal_mode = WAL');
    sqlite.pragma('cache_size = -2000');
    sqlite.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, day TEXT NOT NULL, kind TEXT NOT NULL)');
    const insert = sqlite.prepare('INSERT INTO t (day, kind) VALUES (?, ?)');
    sqlite.transaction(() => {
      // Keys arrive out of order, so the build really sorts.
      for (let i = 0; i < rows; i++) insert.run(`2026-${String(1 + ((i * 7919) % 12)).padStart(2, '0')}-01`, `k${(i * 31) % 97}`);
    })();
    return sqlite;
  };

  it('builds inside the caller’s transaction an index that holds every row in order, and restores the connection’s settings', () => {
    const sqlite = filledTable(200_000);
    const during = sqlite.transaction(() =>
      withSortHelperThread(sqlite, () => {
        sqlite.exec('CREATE INDEX t_day_kind ON t (day, kind)');
        return { threads: sqlite.pragma('threads', { simple: true }), cacheSize: sqlite.pragma('cache_size', { simple: true }) };
      }),
    )();
    expect(during).toEqual({ threads: 1, cacheSize: -65536 });
    expect(sqlite.pragma('threads', { simple: true })).toBe(0);
    expect(sqlite.pragma('cache_size', { simple: true })).toBe(-2000);
    expect(sqlite.pragma('integrity_check', { simple: true })).toBe('ok');
    const viaIndex = sqlite.prepare('SELECT day, kind, id FROM t INDEXED BY t_day_kind ORDER BY day, kind, id').raw().all();
    const viaTable = sqlite.prepare('SELECT day, kind, id FROM t NOT INDEXED ORDER BY day, kind, id').raw().all();
    expect(viaIndex).toHaveLength(200_000);
    expect(viaIndex).toEqual(viaTable);
    sqlite.close();
  });

  it('restores the settings when the build fails, and the failure reaches the caller', () => {
    const sqlite = filledTable(200);
    expect(() => withSortHelperThread(sqlite, () => sqlite.exec('CREATE UNIQUE INDEX t_kind ON t (kind)'))).toThrow(/UNIQUE/);
    expect(sqlite.pragma('threads', { simple: true })).toBe(0);
    expect(sqlite.pragma('cache_size', { simple: true })).toBe(-2000);
    sqlite.close();
  });
});
