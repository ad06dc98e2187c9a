/**
 * The statements drizzle-kit writes for SQLite, recognised well enough to
 * apply them to a file that may already hold some of what they create.
 */
export type MigrationStatement =
  | { readonly kind: 'create-table'; readonly table: string; readonly columns: readonly ColumnDefinition[]; readonly sql: string }
  | {
      readonly kind: 'create-index';
      readonly name: string;
      readonly table: string;
      readonly unique: boolean;
      readonly partial: boolean;
      readonly columns: readonly string[];
      readonly sql: string;
    }
  | { readonly kind: 'add-column'; readonly table: string; readonly column: ColumnDefinition; readonly sql: string }
  | { readonly kind: 'drop-index'; readonly name: string; readonly sql: string }
  | { readonly kind: 'other'; readonly sql: string };

export interface ColumnDefinition {
  readonly name: string;
  /** Everything after the name: type and constraints. */
  readonly definition: string;
}

const IDENTIFIER = '[`"\\[]?([A-Za-z_][A-Za-z0-9_]*)[`"\\]]?';
const CREATE_TABLE = new RegExp(`^CREATE\\s+TABLE\\s+(?:IF\\s+NOT\\s+EXISTS\\s+)?${IDENTIFIER}\\s*\\(([\\s\\S]*)\\)\\s*;?$`, 'i');
const CREATE_INDEX = new RegExp(
  `^CREATE\\s+(UNIQUE\\s+)?INDEX\\s+(?:IF\\s+NOT\\s+EXISTS\\s+)?${IDENTIFIER}\\s+ON\\s+${IDENTIFIER}\\s*\\(([^)]*)\\)\\s*(WHERE\\s+[\\s\\S]*?)?\\s*;?$`,
  'i',
);
const DROP_INDEX = new RegExp(`^DROP\\s+INDEX\\s+(?:IF\\s+EXISTS\\s+)?${IDENTIFIER}\\s*;?$`, 'i');
const ADD_COLUMN = new RegExp(`^ALTER\\s+TABLE\\s+${IDENTIFIER}\\s+ADD\\s+(?:COLUMN\\s+)?${IDENTIFIER}\\s+([\\s\\S]*?)\\s*;?$`, 'i');
const COLUMN_LINE = new RegExp(`^\\s*${IDENTIFIER}\\s+(.*?),?\\s*$`);
const TABLE_CONSTRAINT = /^\s*(CONSTRAINT|PRIMARY\s+KEY|UNIQUE|CHECK|FOREIGN\s+KEY)\b/i;

const unquote = (identifier: string): string => identifier.trim().replace(/^[`"[]|[`"\]]$/g, '');

/** Drops SQL line comments, which drizzle-kit files may carry before a statement. */
const withoutLineComments = (sql: string): string =>
  sql
    .split('\n')
    .filter((line) => !line.trim().startsWith('--'))
    .join('\n')
    .trim();

export const parseMigrationStatement = (raw: string): MigrationStatement | null => {
  const sql = withoutLineComments(raw);
  if (sql === '') return null;
  const table = CREATE_TABLE.exec(sql);
  if (table !== null) {
    const columns: ColumnDefinition[] = [];
    // drizzle-kit writes one column per line.
    for (const line of table[2]!.split('\n')) {
      if (line.trim() === '' || TABLE_CONSTRAINT.test(line)) continue;
      const column = COLUMN_LINE.exec(line);
      if (column !== null) columns.push({ name: column[1]!, definition: column[2]! });
    }
    return { kind: 'create-table', table: table[1]!, columns, sql };
  }
  const index = CREATE_INDEX.exec(sql);
  if (index !== null) {
    return {
      kind: 'create-index',
      unique: index[1] !== undefined,
      name: index[2]!,
      table: index[3]!,
      columns: index[4]!.split(',').map((column) => unquote(column).toLowerCase()),
      partial: index[5] !== undefined,
      sql,
    };
  }
  const dropIndex = DROP_INDEX.exec(sql);
  if (dropIndex !== null) return { kind: 'drop-index', name: dropIndex[1]!, sql };
  const addColumn = ADD_COLUMN.exec(sql);
  if (addColumn !== null) {
    return { kind: 'add-column', table: addColumn[1]!, column: { name: addColumn[2]!, definition: addColumn[3]! }, sql };
  }
  return { kind: 'other', sql };
};
