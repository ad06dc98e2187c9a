import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  migrateOrganizationDb,
  openOrganizationDb,
  replaceOrganizationSchedule,
  startStoredRowsReader,
  type OrganizationDb,
  type ReplaceSummary,
  type ScheduleRow,
  type StoredRowsAhead,
} from '@scheduler/db';
import { buildThreadBundle } from '../src/thread-bundle';

/*
 * A full run's commit may take the stored rows it rewrites from a reader
 * thread (stored-rows-ahead.ts) instead of reading them itself. Whichever
 * way it gets them, the file it leaves must be the same, to the row id.
 */

const TYPES = ['aep', 'birthday', 'effective_date', 'followup_1_cold', 'campaign_spring'] as const;
const DATES = ['2026-11-28', '2026-11-29', '2026-11-30', '2026-12-01', '2027-01-15'] as const;

interface RowSpec {
  type: number;
  date: number;
  skipped: boolean;
  priority: number;
  metadata: string | null;
}

const rowSpec = fc.record({
  type: fc.nat(TYPES.length - 1),
  date: fc.nat(DATES.length - 1),
  skipped: fc.boolean(),
  priority: fc.constantFrom(10, 30, 50),
  metadata: fc.constantFrom(null, '{"initial_email_id":1}', '{"initial_email_id":2}'),
});

interface ContactSpec {
  first: RowSpec[];
  next: RowSpec[];
  sender: { type: number; date: number; status: string }[];
}

/** A contact's rows on the first night and the next, and the sender's rows (which may hold a key the next night wants). */
const contactSpec: fc.Arbitrary<ContactSpec> = fc.record({
  first: fc.array(rowSpec, { maxLength: 4 }),
  next: fc.array(rowSpec, { maxLength: 4 }),
  sender: fc.array(fc.record({ type: fc.nat(TYPES.length - 1), date: fc.nat(DATES.length - 1), status: fc.constantFrom('sent', 'scheduled') }), { maxLength: 1 }),
});

// Contact ids over several digest blocks (1024 ids each), so that both walks of the blocks cross their ends.
const organizationSpec = fc.uniqueArray(fc.tuple(fc.integer({ min: 1, max: 5000 }), contactSpec), { minLength: 1, maxLength: 60, selector: ([id]) => id });

const scheduleRow = (contactId: number, spec: RowSpec): ScheduleRow => ({
  contactId,
  emailType: TYPES[spec.type]!,
  eventYear: 2026,
  eventMonth: 12,
  eventDay: 1,
  scheduledSendDate: DATES[spec.date]!,
  scheduledSendTime: '08:30:00',
  status: spec.skipped ? 'skipped' : 'pre-scheduled',
  skipReason: spec.skipped ? 'exclusion_window: CA birthday window' : null,
  priority: spec.priority,
  campaignInstanceId: null,
  emailTemplate: TYPES[spec.type]!,
  smsTemplate: null,
  schedulerRunId: 'run',
  metadata: spec.metadata,
  createdAt: '2026-11-28 08:00:00',
  updatedAt: '2026-11-29 08:00:00',
});

type Organization = [number, ContactSpec][];

const rowsOf = (organization: Organization, night: 'first' | 'next'): ScheduleRow[] =>
  [...organization].sort(([a], [b]) => a - b).flatMap(([id, contact]) => contact[night].map((spec) => scheduleRow(id, spec)));

const tableOf = (db: OrganizationDb, table: string) => db.sqlite.prepare(`SELECT * FROM ${table} ORDER BY 1, 2`).raw().all();

/** Counts the contacts whose rows the reader served (not read by the commit itself). */
const counting = (inner: StoredRowsAhead, served: { contacts: number }): StoredRowsAhead => ({
  want: (contactId) => inner.want(contactId),
  take: (contactId) => {
    const rows = inner.take(contactId);
    if (rows !== null) served.contacts++;
    return rows;
  },
  close: () => inner.close(),
});

describe("a full run's commit with the stored rows read ahead on a thread", () => {
  let directory: string;
  let bundle: { path: string; remove: () => void };
  let moduleUrl: string;

  beforeAll(async () => {
    directory = mkdtempSync(join(tmpdir(), 'scheduler-read-ahead-'));
    bundle = await buildThreadBundle();
    moduleUrl = pathToFileURL(bundle.path).href;
  });
  afterAll(() => {
    bundle.remove();
    rmSync(directory, { recursive: true, force: true });
  });

  let files = 0;
  /** The first night committed, with the sender's rows, in a file of its own. */
  const firstNight = (organization: Organization): string => {
    const path = join(directory, `org-${files++}.sqlite`);
    migrateOrganizationDb(path);
    const db = openOrganizationDb(path);
    try {
      const contact = db.sqlite.prepare(`INSERT INTO contacts (id, email, zip_code, state, birth_date) VALUES (?, ?, '90210', 'CA', '1950-06-15')`);
      const sent = db.sqlite.prepare(`INSERT OR IGNORE INTO email_schedules (contact_id, email_type, scheduled_send_date, status) VALUES (?, ?, ?, ?)`);
      for (const [id, spec] of organization) {
        contact.run(id, `c${id}@example.com`);
        for (const row of spec.sender) sent.run(id, TYPES[row.type], DATES[row.date], row.status);
      }
      replaceOrganizationSchedule(db, 'run-1', rowsOf(organization, 'first'), { rebuild: 'never' });
    } finally {
      db.close();
    }
    return path;
  };

  const nextNight = (path: string, organization: Organization, readAhead?: (databasePath: string) => StoredRowsAhead) => {
    const db = openOrganizationDb(path);
    try {
      const summary: ReplaceSummary = replaceOrganizationSchedule(db, 'run-2', rowsOf(organization, 'next'), { rebuild: 'never', readAhead });
      // No reader of another connection holds an older snapshot: every frame of the WAL can be checkpointed.
      const [checkpoint] = db.sqlite.pragma('wal_checkpoint(PASSIVE)') as { busy: number; log: number; checkpointed: number }[];
      return {
        summary,
        checkpoint,
        schedules: tableOf(db, 'email_schedules'),
        dayCounts: tableOf(db, 'schedule_day_counts'),
        digests: tableOf(db, 'schedule_digest_blocks'),
      };
    } finally {
      db.close();
    }
  };

  it('leaves the same file, to the row id, as a commit that reads them itself', () => {
    let servedInAll = 0;
    fc.assert(
      fc.property(organizationSpec, (organization) => {
        const itself = firstNight(organization);
        const ahead = `${itself}.ahead.sqlite`;
        copyFileSync(itself, ahead);
        const served = { contacts: 0 };
        const expected = nextNight(itself, organization);
        const actual = nextNight(ahead, organization, (databasePath) => counting(startStoredRowsReader(databasePath, moduleUrl), served));
        expect(actual).toEqual(expected);
        expect(actual.checkpoint!.checkpointed).toBe(actual.checkpoint!.log);
        servedInAll += served.contacts;
      }),
      { numRuns: 60 },
    );
    // The reader did serve the commits (not every one fell back to reading itself).
    expect(servedInAll).toBeGreaterThan(0);
  });

  it('reads them itself when the reader cannot start, with the same result', () => {
    const organization: Organization = [1, 2, 1500].map((id) => [
      id,
      {
        first: [{ type: 1, date: 1, skipped: false, priority: 10, metadata: null }],
        next: [{ type: 1, date: 2, skipped: id === 2, priority: 10, metadata: null }],
        sender: [],
      },
    ]);
    const itself = firstNight(organization);
    const ahead = `${itself}.ahead.sqlite`;
    copyFileSync(itself, ahead);
    const served = { contacts: 0 };
    const missing = pathToFileURL(join(directory, 'no-such-module.mjs')).href;
    const actual = nextNight(ahead, organization, (databasePath) => counting(startStoredRowsReader(databasePath, missing), served));
    expect(actual).toEqual(nextNight(itself, organization));
    expect(actual.summary).toMatchObject({ contactsChanged: 3, rowsUpdated: 3 });
    expect(served.contacts).toBe(0);
  });
});
