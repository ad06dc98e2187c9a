import type Database from 'better-sqlite3';

export interface IndexShape {
  readonly name: string;
  readonly unique: boolean;
  readonly partial: boolean;
  readonly columns: readonly string[];
}

const quoteIdentifier = (name: string): string => `"${name.replaceAll('"', '""')}"`;

export const tableExists = (sqlite: Database.Database, table: string): boolean =>
  sqlite.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?`).get(table) !== undefined;

export const indexExists = (sqlite: Database.Database, name: string): boolean =>
  sqlite.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'index' AND name = ?`).get(name) !== undefined;

export const columnNamesOf = (sqlite: Database.Database, table: string): Set<string> =>
  new Set(
    (sqlite.prepare(`SELECT name FROM pragma_table_info(?)`).pluck().all(table) as string[]).map((name) =>
      name.toLowerCase(),
    ),
  );

/** Every index of a table with its key columns, whether declared by CREATE INDEX or by a UNIQUE constraint. */
export const indexesOf = (sqlite: Database.Database, table: string): IndexShape[] => {
  const list = sqlite.prepare(`PRAGMA index_list(${quoteIdentifier(table)})`).all() as {
    name: string;
    unique: number;
    partial: number;
  }[];
  return list.map((index) => ({
    name: index.name,
    unique: index.unique === 1,
    partial: index.partial === 1,
    columns: (
      sqlite.prepare(`PRAGMA index_info(${quoteIdentifier(index.name)})`).all() as { seqno: number; name: string | null }[]
    )
      .sort((a, b) => a.seqno - b.seqno)
      .map((column) => (column.name ?? '').toLowerCase()),
  }));
};

export { quoteIdentifier };
