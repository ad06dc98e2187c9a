import { withSortHelperThread } from '../bulk/index-build';
import type { OrganizationDb } from '../connection/open-organization-db';
import { blockOf, deleteBlocksAfter } from './digest-blocks';
import { readScheduleTableShape, REBUILD_TABLE, SCHEDULE_TABLE } from './schedule-table-shape';

/**
 * Starts the rebuild once every contact up to `settledUpToId` is final in the
 * live table: copies the sender's rows and those settled rows into a new
 * table of the same definition, drops the old one and takes its name.
 */
export const startRebuild = (db: OrganizationDb, settledUpToId: number): { finish: () => void } => {
  const { sqlite } = db;
  const shape = readScheduleTableShape(sqlite);
  if (shape.rebuildRefusal !== null || shape.rebuildCreateSql === null) {
    throw new Error(`email_schedules cannot be rebuilt: ${shape.rebuildRefusal}`);
  }
  sqlite.exec(`DROP TABLE IF EXISTS ${REBUILD_TABLE}`);
  sqlite.exec(shape.rebuildCreateSql);
  // The contact_id bound and no ORDER BY lead SQLite to the partial index of the
  // sender's rows; ordering by id would make it scan the whole table instead.
  const columns = shape.copiedColumns;
  sqlite.exec(
    `INSERT INTO ${REBUILD_TABLE} (${columns}) SELECT ${columns} FROM ${SCHEDULE_TABLE}
     WHERE contact_id >= -9223372036854775808 AND status NOT IN ('pre-scheduled', 'skipped')`,
  );
  sqlite
    .prepare(
      `INSERT INTO ${REBUILD_TABLE} (${columns}) SELECT ${columns} FROM ${SCHEDULE_TABLE}
       WHERE contact_id <= ? AND +status IN ('pre-scheduled', 'skipped') ORDER BY id`,
    )
    .run(settledUpToId);
  sqlite.exec(`DROP TABLE ${SCHEDULE_TABLE}`);
  // Legacy renaming leaves views and other tables' SQL alone: they name email_schedules, which exists again at once.
  const legacy = sqlite.pragma('legacy_alter_table', { simple: true }) as number;
  sqlite.pragma('legacy_alter_table = ON');
  try {
    sqlite.exec(`ALTER TABLE ${REBUILD_TABLE} RENAME TO ${SCHEDULE_TABLE}`);
  } finally {
    sqlite.pragma(`legacy_alter_table = ${legacy}`);
  }
  for (const sql of shape.uniqueIndexSql) sqlite.exec(sql);
  deleteBlocksAfter(sqlite, blockOf(settledUpToId));
  return {
    finish: () => {
      withSortHelperThread(sqlite, () => {
        for (const sql of shape.laterIndexSql) sqlite.exec(sql);
      });
    },
  };
};
