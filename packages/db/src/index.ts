export * as schema from './schema';
export {
  openOrganizationDb,
  withCacheSize,
  type OrganizationDb,
  type OpenOptions,
  type OrganizationSchema,
} from './connection/open-organization-db';
export {
  DatabaseError,
  DatabaseBusyError,
  DatabaseUnreadableError,
  DatabaseFullError,
  DatabaseReadOnlyError,
  DatabaseConstraintError,
  DatabaseMigrationError,
  translateSqliteError,
  withDatabaseErrors,
} from './connection/database-errors';
export { migrateOrganizationDb, migrateOpenOrganizationDb, type MigrationReport } from './migrate/migrate-organization-db';
