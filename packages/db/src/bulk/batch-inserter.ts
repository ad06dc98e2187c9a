import type Database from 'better-sqlite3';

const ROWS_PER_STATEMENT = 64;

/**
 * Inserts rows `ROWS_PER_STATEMENT` at a time with one multi-row INSERT:
 * each statement run crosses from JavaScript into SQLite once, which for
 * small rows costs as much as SQLite's own work. Call `flush()` at the end.
 */
export class BatchInserter {
  private readonly many: Database.Statement;
  private readonly one: Database.Statement;
  private readonly values: unknown[] = [];
  private readonly columnCount: number;
  count = 0;

  constructor(sqlite: Database.Database, table: string, columns: readonly string[]) {
    this.columnCount = columns.length;
    const tuple = `(${columns.map(() => '?').join(', ')})`;
    const head = `INSERT INTO ${table} (${columns.join(', ')}) VALUES `;
    this.many = sqlite.prepare(head + Array.from({ length: ROWS_PER_STATEMENT }, () => tuple).join(', '));
    this.one = sqlite.prepare(head + tuple);
  }

  add(row: readonly unknown[]): void {
    for (let i = 0; i < this.columnCount; i++) this.values.push(row[i]);
    this.count++;
    if (this.values.length === this.columnCount * ROWS_PER_STATEMENT) {
      this.many.run(this.values);
      this.values.length = 0;
    }
  }

  flush(): void {
    for (let start = 0; start < this.values.length; start += this.columnCount) {
      this.one.run(this.values.slice(start, start + this.columnCount));
    }
    this.values.length = 0;
  }
}
