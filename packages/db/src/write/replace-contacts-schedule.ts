import { withDatabaseErrors } from '../connection/database-errors';
import { withCacheSize, type OrganizationDb } from '../connection/open-organization-db';
import { inWriteTransaction } from '../connection/transaction';
import { contactGroups } from './contact-groups';
import { digestContact, newTally, rewriteContact, type DigestedContact } from './contact-writes';
import { BlockWriter, updateDigestEntries } from './digest-blocks';
import type { ReplaceOptions, ReplaceSummary } from './replace-schedule';
import type { ScheduleRow } from './schedule-row';
import { ScheduleStatements } from './schedule-statements';
import { dropRowsTheSenderTook } from './sender-collisions';

/**
 * A targeted reschedule's commit (RULES.md §10): the `pre-scheduled`/
 * `skipped` rows of `contactIds` become exactly `rows` (sorted by contact
 * id, each of one of those contacts); every other row stays. The stored rows
 * of these few contacts are always compared row by row.
 */
export const replaceContactsSchedule = (
  db: OrganizationDb,
  runId: string,
  contactIds: Iterable<number>,
  rows: Iterable<ScheduleRow>,
  options: Pick<ReplaceOptions, 'cacheSizeMb'> = {},
): ReplaceSummary => {
  const targets = [...new Set(contactIds)].sort((a, b) => a - b);
  const targetSet = new Set(targets);
  return withDatabaseErrors(`committing reschedule ${runId} to ${db.path}`, () =>
    withCacheSize(db, options.cacheSizeMb ?? 64, () =>
      inWriteTransaction(db, () => {
        const tally = newTally();
        const dropped = { duplicates: 0 };
        const statements = new ScheduleStatements(db.sqlite);
        const digests = new Map<number, readonly [number, number] | null>();
        let next = 0;
        const settle = (contact: DigestedContact): void => {
          tally.contacts++;
          const written = rewriteContact(statements, runId, contact, tally);
          if (written.changed) tally.contactsChanged++;
          digests.set(contact.contactId, written.rowCount === 0 ? null : [written.digest, written.rowCount]);
        };
        const empty = (contactId: number): DigestedContact => ({ contactId, rows: [], digest: 0 });
        for (const group of contactGroups(rows, dropped)) {
          if (!targetSet.has(group.contactId)) {
            throw new RangeError(`row for contact ${group.contactId}, which is not among the rescheduled contacts`);
          }
          while (targets[next]! < group.contactId) settle(empty(targets[next++]!));
          next++;
          settle(digestContact(group));
        }
        while (next < targets.length) settle(empty(targets[next++]!));
        updateDigestEntries(new BlockWriter(db.sqlite), digests);
        dropped.duplicates += dropRowsTheSenderTook(db.sqlite, targets);
        return { mode: 'targeted', ...tally, duplicatesDropped: dropped.duplicates, schedulesChecksum: null };
      }),
    ),
  );
};
