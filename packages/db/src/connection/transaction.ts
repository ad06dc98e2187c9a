import type { OrganizationDb } from './open-organization-db';

/**
 * Runs synchronous `work` in one write transaction taken at the start
 * (BEGIN IMMEDIATE), so a busy database fails before any work is done rather
 * than at the first write. better-sqlite3 is synchronous: no await inside.
 *
 * Inside a transaction already, `work` joins it: a nested transaction would be
 * a savepoint, and SQLite copies every page a savepoint changes into a
 * sub-journal first (a commit's pages written twice). An error still rolls
 * back the whole outer transaction.
 */
export const inWriteTransaction = <T>(db: OrganizationDb, work: () => T): T =>
  db.sqlite.inTransaction ? work() : db.sqlite.transaction(work).immediate();
