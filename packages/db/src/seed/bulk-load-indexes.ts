import type Database from 'better-sqlite3';

/**
 * Drops the secondary indexes of `tables` and returns how to build them
 * again: filling empty tables and indexing once afterwards writes each index
 * in one sorted pass instead of keeping it up to date row by row.
 */
export const suspendIndexes = (sqlite: Database.Database, tables: readonly string[]): { restore: () => void } => {
  const indexes = sqlite
    .prepare(
      `SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL
       AND tbl_name IN (${tables.map(() => '?').join(', ')}) ORDER BY name`,
    )
    .raw()
    .all(...tables) as [string, string][];
  for (const [name] of indexes) sqlite.exec(`DROP INDEX "${name.replaceAll('"', '""')}"`);
  return {
    restore: () => {
      for (const [, sql] of indexes) sqlite.exec(sql);
    },
  };
};
