export * as schema from './schema';
export {
  isEmptyDatabaseFile,
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
export { inWriteTransaction } from './connection/transaction';
export { readContactPages, readContacts, countContactRows, type IdRange } from './read/contact-reads';
export { contactChunks, rowsBeyondSafeIds, type ContactChunk, type RowsBeyondSafeIds } from './read/contact-chunks';
export { readCampaignTypes, readCampaignInstances } from './read/campaign-reads';
export { readHistory } from './read/history-reads';
export { readCampaignTargets } from './read/target-reads';
export { readBehaviour } from './read/behaviour-reads';
export {
  readContactInputPages,
  readContactInputs,
  type ContactInputsOptions,
  type ContactInputsPage,
} from './read/contact-inputs';
export type { UnreadableRows } from './read/unreadable-rows';
export { existingDayCounts } from './read/day-counts';
export { existingDayCountsOfTable } from './read/day-count-table';
export { schedulesChecksumFromDigests } from './runs/digest-checksum';
export { readPendingCampaignChanges, markCampaignChangesProcessed, type CampaignChange, type ChangeLogId } from './read/campaign-changes';
export type { ScheduleRow } from './write/schedule-row';
export { replaceOrganizationSchedule, type ReplaceOptions, type ReplaceSummary, type ReplaceMode } from './write/replace-schedule';
export { replaceContactsSchedule } from './write/replace-contacts-schedule';
export { RowOrderError } from './write/contact-groups';
export { contactSchedulesChecksum, contactsChecksum, schedulesChecksum } from './runs/checksums';
export {
  startRunCheckpoint,
  completeRunCheckpoint,
  failRunCheckpoint,
  readRunCheckpoint,
  type RunCheckpoint,
  type CheckpointStart,
  type CheckpointCompletion,
} from './runs/checkpoints';
export { recordConfigVersion, canonicalJson, type ConfigVersionRecord } from './runs/config-versions';
export { utcDatetime } from './runs/utc-datetime';
export { advanceInputGeneration, readInputGeneration } from './runs/input-generation';
export {
  backupOrganizationDb,
  type BackupOptions,
  type BackupResult,
} from './backup/backup-organization-db';
export { seedOrganization, SeedError, type SeedOptions, type SeedSummary } from './seed/seed-organization';
export { BAD_ROW_KINDS, type BadRowKind } from './seed/synthetic-contact';
export { SeededRandom } from './seed/seeded-random';
