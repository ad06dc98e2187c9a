import { and, asc, getTableColumns, sql } from 'drizzle-orm';
import { withDatabaseErrors } from '../connection/database-errors';
import type { OrganizationDb } from '../connection/open-organization-db';
import { campaignChangeLog } from '../schema';
import { requiresReschedulingFlag } from '../schema/campaign-change-log';
import { storedFlagSql } from './stored-flag';
import { exactInteger } from './stored-text';
import { utcDatetime } from '../runs/utc-datetime';

/** A change-log row's id: text beyond ±(2^53 − 1), which a number would round to another row's (exactInteger). */
export type ChangeLogId = number | string;

export type CampaignChange = Omit<typeof campaignChangeLog.$inferSelect, 'id'> & { readonly id: ChangeLogId };

/** Not processed yet: no `processed_at`, or a blank one (blank is missing, as everywhere the scheduler reads). */
const unprocessed = sql`trim(coalesce(${campaignChangeLog.processedAt}, '')) = ''`;

/**
 * `campaign_change_log` rows that require rescheduling and are not processed
 * yet, oldest first. The flag is read in SQL the way every reader reads it
 * (stored-flag.ts), so the rows that need no rescheduling, never marked
 * processed, are not read at all.
 */
export const readPendingCampaignChanges = (db: OrganizationDb): CampaignChange[] =>
  withDatabaseErrors(`reading pending campaign changes of ${db.path}`, () =>
    db.orm
      .select({ ...getTableColumns(campaignChangeLog), id: sql<ChangeLogId>`${sql.raw(exactInteger('id'))}` })
      .from(campaignChangeLog)
      .where(and(unprocessed, storedFlagSql(campaignChangeLog.requiresRescheduling, requiresReschedulingFlag)))
      .orderBy(asc(campaignChangeLog.id))
      .all(),
  );

/** Marks the rows processed at `at` (UTC `YYYY-MM-DD HH:MM:SS`); rows already processed keep their time. */
export const markCampaignChangesProcessed = (db: OrganizationDb, ids: readonly ChangeLogId[], at = new Date()): number => {
  if (ids.length === 0) return 0;
  const processedAt = utcDatetime(at);
  return withDatabaseErrors(`marking campaign changes processed in ${db.path}`, () => {
    let changed = 0;
    // SQLite limits the number of bound parameters per statement.
    for (let start = 0; start < ids.length; start += 500) {
      changed += db.orm
        .update(campaignChangeLog)
        .set({ processedAt })
        // Bound as given: an id kept as text finds its row exactly (SQLite compares it as the integer).
        .where(and(sql`${campaignChangeLog.id} IN (${sql.join(ids.slice(start, start + 500).map((id) => sql`${id}`), sql`, `)})`, unprocessed))
        .run().changes;
    }
    return changed;
  });
};
