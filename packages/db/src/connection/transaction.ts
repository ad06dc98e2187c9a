import type { OrganizationDb } from './open-organization-db';

/**
 * Runs synchronous `work` in one write transaction taken at the start
 * (BEGIN IMMEDIATE), so a busy database fails before any work is done rather
 * than at the first write. better-sqlite3 is synchronous: no await inside.
 */
export const inWriteTransaction = <T>(db: OrganizationDb, work: () => T): T => db.sqlite.transaction(work).immediate();
