import type Database from 'better-sqlite3';

/**
 * Drops the secondary indexes of `tables` and returns how to build them
 * again: filling a table and indexing once afterwards writes each index in
 * one sorted pass instead of keeping it up to date row by row (measured:
 * 9M rows with every index, 88 s; without the two non-unique ones and
 * building them after, 41 s + 39 s). With `keepUnique`, UNIQUE indexes stay,
 * so that a conflicting row is still refused while filling; with
 * `keepLeading`, indexes whose first column is one of those stay (rows that
 * arrive in that column's order only append to them, while building one
 * afterwards scans the whole table); with `only`, just the named indexes are
 * suspended.
 */
export const suspendIndexes = (
  sqlite: Database.Database,
  tables: readonly string[],
  options: { keepUnique?: boolean; keepLeading?: readonly string[]; only?: readonly string[] } = {},
): { restore: () => void } => {
  const indexes = sqlite
    .prepare(
      `SELECT m.name, m.sql FROM sqlite_master AS m
       WHERE m.type = 'index' AND m.sql IS NOT NULL AND m.tbl_name IN (${tables.map(() => '?').join(', ')})
         AND NOT (? AND EXISTS (SELECT 1 FROM pragma_index_list(m.tbl_name) AS l WHERE l.name = m.name AND l."unique"))
       ORDER BY m.name`,
    )
    .raw()
    .all(...tables, options.keepUnique === true ? 1 : 0) as [string, string][];
  const leadingColumn = sqlite.prepare(`SELECT name FROM pragma_index_info(?) WHERE seqno = 0`).pluck();
  const kept = (name: string): boolean =>
    options.keepLeading !== undefined && options.keepLeading.includes(String(leadingColumn.get(name)).toLowerCase());
  const suspended = indexes.filter(([name]) => (options.only === undefined || options.only.includes(name)) && !kept(name));
  for (const [name] of suspended) sqlite.exec(`DROP INDEX "${name.replaceAll('"', '""')}"`);
  return {
    restore: () => {
      for (const [, sql] of suspended) sqlite.exec(sql);
    },
  };
};
