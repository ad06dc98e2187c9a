import Database from 'better-sqlite3';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { migrateOrganizationDb, openOrganizationDb, readCampaignTypes, readPendingCampaignChanges, type OrganizationDb } from '../src';
import { freshOrganization } from './support/organization-fixture';
import { useTempDirectory } from './support/temp-directory';

/*
 * CONTRACT.md's BOOLEAN columns as other systems write them: the main
 * application writes 0/1, a foreign writer text or reals. Every reader must
 * give a value one meaning (src/read/stored-flag.ts): a number is true when
 * non-zero; text, trimmed and in any case, is true for 1/true/t/yes/y and
 * false for 0/false/f/no/n; NULL is the contract's default; anything else
 * takes the reading that never widens who gets email.
 */

type Reading = boolean | 'null' | 'unreadable';

/** Each spelling as an SQL literal, and what it means. */
const SPELLINGS: ReadonlyArray<readonly [literal: string, reading: Reading]> = [
  ['1', true],
  ['0', false],
  ['2', true],
  ['-1', true],
  ['0.0', false],
  ['0.5', true],
  ["'1'", true],
  ["'0'", false],
  ["' 1 '", true],
  ["'true'", true],
  ["'TRUE'", true],
  ["'t'", true],
  ["' Yes '", true],
  ["'y'", true],
  ["'false'", false],
  ["'False'", false],
  ["'F'", false],
  ["'no'", false],
  ["'N'", false],
  ["char(9) || 'false' || char(10)", false],
  ["'maybe'", 'unreadable'],
  ["'on'", 'unreadable'],
  ["''", 'unreadable'],
  ["X'01'", 'unreadable'],
  ['NULL', 'null'],
];

/** How a warning names each unreadable value: text as JSON, a blob as an SQL literal. */
const UNREADABLE_AS_NAMED: Readonly<Record<string, string>> = { "'maybe'": '"maybe"', "'on'": '"on"', "''": '""', "X'01'": "X'01'" };

/** The contract's default for NULL, and the safe reading of a value no one can read, per column. */
const COLUMNS = {
  respect_exclusion_windows: { whenNull: true, whenUnreadable: true },
  enable_followups: { whenNull: true, whenUnreadable: false },
  target_all_contacts: { whenNull: false, whenUnreadable: false },
  active: { whenNull: true, whenUnreadable: false },
  requires_rescheduling: { whenNull: true, whenUnreadable: true },
} as const;

const expected = (column: keyof typeof COLUMNS, reading: Reading): boolean =>
  reading === 'null' ? COLUMNS[column].whenNull : reading === 'unreadable' ? COLUMNS[column].whenUnreadable : reading;

/** Rows written through raw SQL, one per spelling: a campaign type `flag_NN` with it in every flag, and a pending change `NN + 1`. */
const writeEverySpelling = (db: Database.Database): void => {
  SPELLINGS.forEach(([literal], i) => {
    const name = `flag_${String(i).padStart(2, '0')}`;
    db.exec(`
      INSERT INTO campaign_types (name, respect_exclusion_windows, enable_followups, target_all_contacts, active)
        VALUES ('${name}', ${literal}, ${literal}, ${literal}, ${literal});
      INSERT INTO campaign_change_log (id, campaign_instance_id, field_changed, changed_at, requires_rescheduling, processed_at)
        VALUES (${i + 1}, 7, 'active_end_date', '2026-01-01 00:00:00', ${literal}, NULL);
    `);
  });
  // A processed change is never pending, whatever its flag says.
  db.exec(`INSERT INTO campaign_change_log (id, campaign_instance_id, field_changed, changed_at, requires_rescheduling, processed_at)
    VALUES (1000, 7, 'active_end_date', '2026-01-01 00:00:00', 'true', '2026-01-02 00:00:00')`);
};

const expectCampaignTypesReadOneWay = (db: OrganizationDb): void => {
  const types = new Map(readCampaignTypes(db).map((type) => [type.name, type]));
  SPELLINGS.forEach(([literal, reading], i) => {
    const type = types.get(`flag_${String(i).padStart(2, '0')}`);
    expect({ literal, ...type }).toMatchObject({
      literal,
      respectExclusionWindows: expected('respect_exclusion_windows', reading),
      enableFollowups: expected('enable_followups', reading),
      targetAllContacts: expected('target_all_contacts', reading),
      active: expected('active', reading),
    });
    // An unreadable value is named, with the reading it took, for the run's warning; no other is.
    const columns = Object.keys(COLUMNS).filter((column) => column !== 'requires_rescheduling') as (keyof typeof COLUMNS)[];
    expect(type?.unreadableFlags, literal).toEqual(
      reading === 'unreadable' ? columns.map((column) => ({ column, stored: UNREADABLE_AS_NAMED[literal], readAs: COLUMNS[column].whenUnreadable })) : undefined,
    );
  });
};

const expectPendingChangesReadOneWay = (db: OrganizationDb): void => {
  const pending = SPELLINGS.flatMap(([literal, reading], i) => (expected('requires_rescheduling', reading) ? [`${i + 1}: ${literal}`] : []));
  expect(readPendingCampaignChanges(db).map((change) => `${change.id}: ${SPELLINGS[Number(change.id) - 1]![0]}`)).toEqual(pending);
};

/** A file of the main application that declared the flags without a type: numeric text stays text there, and 0.0 a real. */
const foreignOrganization = (path: string): OrganizationDb => {
  const foreign = new Database(path);
  foreign.exec(`
    CREATE TABLE contacts (id INTEGER PRIMARY KEY, email TEXT, zip_code TEXT, birth_date TEXT, effective_date TEXT);
    CREATE TABLE campaign_types (name TEXT PRIMARY KEY, respect_exclusion_windows, enable_followups, target_all_contacts, active);
    CREATE TABLE campaign_change_log (id INTEGER PRIMARY KEY, campaign_instance_id INTEGER NOT NULL, field_changed TEXT NOT NULL,
      changed_at TEXT NOT NULL, requires_rescheduling, processed_at TEXT);
  `);
  writeEverySpelling(foreign);
  foreign.close();
  migrateOrganizationDb(path);
  return openOrganizationDb(path);
};

describe('when another system stored the BOOLEAN columns as text, reals or NULL', () => {
  const directory = useTempDirectory();

  describe('in the contract tables (NUMERIC affinity: numeric text is stored as a number, other text as text)', () => {
    const organization = (): OrganizationDb => {
      const db = freshOrganization(directory());
      writeEverySpelling(db.sqlite);
      expect(db.sqlite.prepare("SELECT typeof(active) FROM campaign_types WHERE name IN ('flag_07', 'flag_14') ORDER BY name").pluck().all()).toEqual([
        'integer',
        'text',
      ]);
      return db;
    };

    it('campaign types read each spelling one way: text false is false, and an unreadable value never widens who gets email', () => {
      const db = organization();
      expectCampaignTypesReadOneWay(db);
      db.close();
    });

    it('pending campaign changes read each spelling the same way: text true and unreadable values are pending, false ones are not', () => {
      const db = organization();
      expectPendingChangesReadOneWay(db);
      db.close();
    });
  });

  describe('in untyped foreign columns (numeric text stays text, 0.0 stays a real)', () => {
    const organization = (): OrganizationDb => {
      const db = foreignOrganization(join(directory(), 'foreign.sqlite'));
      expect(db.sqlite.prepare("SELECT typeof(active) FROM campaign_types WHERE name IN ('flag_04', 'flag_07') ORDER BY name").pluck().all()).toEqual([
        'real',
        'text',
      ]);
      return db;
    };

    it('campaign types read each spelling as in the contract tables', () => {
      const db = organization();
      expectCampaignTypesReadOneWay(db);
      db.close();
    });

    it('pending campaign changes read each spelling as in the contract tables', () => {
      const db = organization();
      expectPendingChangesReadOneWay(db);
      db.close();
    });
  });
});
