import { describe, expect, it } from 'vitest';
import {
  replaceContactsSchedule,
  replaceOrganizationSchedule,
  schedulesChecksum,
  schedulesChecksumFromDigests,
  type OrganizationDb,
  type ScheduleRow,
} from '../src';
import { DELTA_LIMIT } from '../src/write/digest-blocks';
import { freshOrganization, insertContacts, scheduleRow } from './support/organization-fixture';
import { useTempDirectory } from './support/temp-directory';

const IDS = Array.from({ length: 3000 }, (_, i) => i + 1);

/** Two rows per contact; the contacts `moved` picks have their birthday on the next day; `gone` have none. */
const runRows = (moved: ReadonlySet<number> = new Set(), gone: ReadonlySet<number> = new Set()): ScheduleRow[] =>
  IDS.filter((id) => !gone.has(id)).flatMap((id) => [
    scheduleRow(id, 'aep', '2026-09-15'),
    scheduleRow(id, 'birthday', moved.has(id) ? '2026-06-02' : '2026-06-01'),
  ]);

const blocks = (db: OrganizationDb) =>
  new Map(
    (db.sqlite.prepare(`SELECT block, hex(entries) FROM schedule_digest_blocks ORDER BY block`).raw().all() as [number, string][]).map(
      ([block, hex]) => [block, hex],
    ),
  );
const baseBlocks = (db: OrganizationDb) => new Map([...blocks(db)].filter(([block]) => block >= 0));
const deltaCount = (db: OrganizationDb) => [...blocks(db).keys()].filter((block) => block < 0).length;

const expectDigestsTrue = (db: OrganizationDb, summaryChecksum: string | null): void => {
  const checksum = schedulesChecksum(db);
  expect(summaryChecksum).toBe(checksum);
  expect(schedulesChecksumFromDigests(db)).toBe(checksum);
};

describe('digest block deltas', () => {
  const directory = useTempDirectory();

  it('a commit changing a few contacts of a block writes a delta, not the block; later commits read the block with it', () => {
    const db = freshOrganization(directory());
    insertContacts(db, IDS);
    replaceOrganizationSchedule(db, 'run-1', runRows(), { rebuild: 'never' });
    expect(deltaCount(db)).toBe(0);
    const before = baseBlocks(db);
    expect(before.size).toBe(3);

    // Contacts in blocks 0 and 1 move a row, one loses its rows; block 2 is untouched.
    const moved = new Set([5, 1500]);
    const gone = new Set([7]);
    let summary = replaceOrganizationSchedule(db, 'run-2', runRows(moved, gone), { rebuild: 'never' });
    expect(summary.contactsChanged).toBe(3);
    expect(baseBlocks(db)).toEqual(before);
    expect(deltaCount(db)).toBe(2);
    expectDigestsTrue(db, summary.schedulesChecksum);

    // The same rows again: every contact matches its digest through the deltas.
    summary = replaceOrganizationSchedule(db, 'run-3', runRows(moved, gone), { rebuild: 'never' });
    expect(summary.contactsChanged).toBe(0);
    expect(summary.rowsKept).toBe(2 * (IDS.length - 1));
    expectDigestsTrue(db, summary.schedulesChecksum);

    // Back to run-1's rows: the deltas empty out and are dropped; the base blocks were right all along.
    summary = replaceOrganizationSchedule(db, 'run-4', runRows(), { rebuild: 'never' });
    expect(summary.contactsChanged).toBe(3);
    expect(deltaCount(db)).toBe(0);
    expect(baseBlocks(db)).toEqual(before);
    expectDigestsTrue(db, summary.schedulesChecksum);
    db.close();
  });

  it('rewrites a block whole once its delta would grow past the limit', () => {
    const db = freshOrganization(directory());
    insertContacts(db, IDS);
    replaceOrganizationSchedule(db, 'run-1', runRows(), { rebuild: 'never' });
    const before = baseBlocks(db);
    const many = new Set(IDS.slice(0, DELTA_LIMIT + 1));
    const summary = replaceOrganizationSchedule(db, 'run-2', runRows(many), { rebuild: 'never' });
    expect(summary.contactsChanged).toBe(DELTA_LIMIT + 1);
    const after = baseBlocks(db);
    expect(after.get(0)).not.toBe(before.get(0));
    expect(after.get(1)).toBe(before.get(1));
    expect(deltaCount(db)).toBe(0);
    expectDigestsTrue(db, summary.schedulesChecksum);
    expect(replaceOrganizationSchedule(db, 'run-3', runRows(many), { rebuild: 'never' }).contactsChanged).toBe(0);
    db.close();
  });

  it('a targeted reschedule and a rebuild keep the digests of blocks that have deltas true', () => {
    const db = freshOrganization(directory());
    insertContacts(db, IDS);
    replaceOrganizationSchedule(db, 'run-1', runRows(), { rebuild: 'never' });
    const moved = new Set([5, 1500, 2500]);
    replaceOrganizationSchedule(db, 'run-2', runRows(moved), { rebuild: 'never' });
    expect(deltaCount(db)).toBe(3);

    // Contact 1501 (block 1, which has a delta) gets other rows by a reschedule.
    const rescheduled = [scheduleRow(1501, 'aep', '2026-09-16')];
    replaceContactsSchedule(db, 'reschedule-1', [1501], rescheduled);
    expect(schedulesChecksumFromDigests(db)).toBe(schedulesChecksum(db));
    const next = runRows(moved).filter((row) => row.contactId !== 1501);
    next.splice(next.findIndex((row) => row.contactId === 1502), 0, ...rescheduled);
    let summary = replaceOrganizationSchedule(db, 'run-3', next, { rebuild: 'never' });
    expect(summary.contactsChanged).toBe(0);
    expectDigestsTrue(db, summary.schedulesChecksum);

    // A rebuild that starts after block 0 drops the later blocks with their deltas and writes them anew.
    summary = replaceOrganizationSchedule(db, 'run-4', runRows(new Set([5, 1500])), { rebuild: 'always', probeRows: 1 });
    expect(summary.mode).toBe('rebuild');
    expectDigestsTrue(db, summary.schedulesChecksum);
    summary = replaceOrganizationSchedule(db, 'run-5', runRows(new Set([5, 1500])), { rebuild: 'never' });
    expect(summary.contactsChanged).toBe(0);
    expectDigestsTrue(db, summary.schedulesChecksum);
    db.close();
  });

  it('trusts digests written before deltas existed (same digest format), and marks the file as holding deltas', () => {
    const db = freshOrganization(directory());
    insertContacts(db, IDS);
    replaceOrganizationSchedule(db, 'run-1', runRows(), { rebuild: 'never' });
    const marker = db.sqlite.prepare(`SELECT value FROM scheduler_state WHERE key = 'schedule_digest_blocks'`).pluck();
    expect(marker.get()).toBe('complete-v2-deltas');
    db.sqlite.exec(`UPDATE scheduler_state SET value = 'complete-v2' WHERE key = 'schedule_digest_blocks'`);
    const summary = replaceOrganizationSchedule(db, 'run-2', runRows(new Set([5])), { rebuild: 'never' });
    expect(summary.contactsChanged).toBe(1);
    expect(summary.rowsKept).toBe(2 * IDS.length - 1);
    expect(marker.get()).toBe('complete-v2-deltas');
    db.close();
  });
});
