import { openOrganizationDb } from '@scheduler/db';

/**
 * A hand-written organization: only CONTRACT.md's `contacts` table (plus a
 * column of the main application's that the scheduler must ignore), each
 * row a case of RULES.md §2 with the reason it must be counted under.
 */
export const ROSTER_AS_OF = '2026-11-28';

type Unusable = 'missing_email' | 'invalid_email' | 'missing_zip' | 'unknown_zip';
type BadDate = 'invalid_birth_date' | 'invalid_effective_date';

interface RosterContact {
  id: number;
  email: string | null;
  zip: string | null;
  birthDate: string | null;
  effectiveDate: string | null;
  /** RULES.md §2: the first reason that applies. */
  unusable?: Unusable;
  /** Counted for usable contacts only. */
  badDates?: BadDate[];
}

const ROSTER: RosterContact[] = [
  // Usable: ZIPs the bundled data set maps (60601 IL, 75201 TX, 33101 FL, 02108 MA).
  { id: 0, email: 'zero@example.com', zip: '60601', birthDate: '1970-03-15', effectiveDate: '2010-06-01' },
  { id: 1, email: 'ok@example.com', zip: '75201', birthDate: '1955-07-04', effectiveDate: '2012-01-10' },
  { id: 2, email: 'plus4@example.com', zip: '33101-1234', birthDate: '1980-01-20', effectiveDate: '' },
  { id: 3, email: 'nine@example.com', zip: '606011234', birthDate: null, effectiveDate: null },
  { id: 27, email: 'leading-zero@example.com', zip: '2108', birthDate: '1962-12-01', effectiveDate: '2001-02-01' },
  // Usable, with dates that are not real calendar dates (or a birth after today).
  { id: 21, email: 'feb30@example.com', zip: '60601', birthDate: '1990-02-30', effectiveDate: '2015-05-05', badDates: ['invalid_birth_date'] },
  { id: 22, email: 'unborn@example.com', zip: '75201', birthDate: '2030-01-01', effectiveDate: '2015-05-05', badDates: ['invalid_birth_date'] },
  { id: 23, email: 'loose@example.com', zip: '75201', birthDate: '1990-2-3', effectiveDate: null, badDates: ['invalid_birth_date'] },
  { id: 24, email: 'month13@example.com', zip: '33101', birthDate: '1971-04-04', effectiveDate: '2020-13-01', badDates: ['invalid_effective_date'] },
  {
    id: 25,
    email: 'both@example.com',
    zip: '33101',
    birthDate: '1985-06-31',
    effectiveDate: '2019-02-29',
    badDates: ['invalid_birth_date', 'invalid_effective_date'],
  },
  // Unusable.
  { id: 4, email: null, zip: '60601', birthDate: '1960-01-01', effectiveDate: null, unusable: 'missing_email' },
  { id: 5, email: '', zip: '60601', birthDate: null, effectiveDate: null, unusable: 'missing_email' },
  { id: 6, email: '   ', zip: '60601', birthDate: null, effectiveDate: null, unusable: 'missing_email' },
  { id: 7, email: null, zip: null, birthDate: null, effectiveDate: null, unusable: 'missing_email' },
  // A bad date of an unusable contact is not counted (RULES.md §2: "usable contacts only").
  { id: 26, email: null, zip: '60601', birthDate: '1990-02-30', effectiveDate: null, unusable: 'missing_email' },
  { id: 8, email: 'no-at-sign.example.com', zip: '60601', birthDate: null, effectiveDate: null, unusable: 'invalid_email' },
  { id: 9, email: 'two@@example.com', zip: '60601', birthDate: null, effectiveDate: null, unusable: 'invalid_email' },
  { id: 10, email: 'with space@example.com', zip: '60601', birthDate: null, effectiveDate: null, unusable: 'invalid_email' },
  { id: 11, email: 'nodot@example', zip: '60601', birthDate: null, effectiveDate: null, unusable: 'invalid_email' },
  // "values are not otherwise trimmed": a leading space makes the address invalid.
  { id: 12, email: ' padded@example.com', zip: '60601', birthDate: null, effectiveDate: null, unusable: 'invalid_email' },
  { id: 13, email: 'not-an-email', zip: null, birthDate: null, effectiveDate: null, unusable: 'invalid_email' },
  { id: 14, email: 'nozip@example.com', zip: null, birthDate: null, effectiveDate: null, unusable: 'missing_zip' },
  { id: 15, email: 'emptyzip@example.com', zip: '', birthDate: null, effectiveDate: null, unusable: 'missing_zip' },
  { id: 16, email: 'blankzip@example.com', zip: '   ', birthDate: null, effectiveDate: null, unusable: 'missing_zip' },
  { id: 17, email: 'zeros@example.com', zip: '00000', birthDate: null, effectiveDate: null, unusable: 'unknown_zip' },
  { id: 18, email: 'letters@example.com', zip: 'ABCDE', birthDate: null, effectiveDate: null, unusable: 'unknown_zip' },
  { id: 19, email: 'short@example.com', zip: '123', birthDate: null, effectiveDate: null, unusable: 'unknown_zip' },
  { id: 20, email: 'nostate@example.com', zip: '99999', birthDate: null, effectiveDate: null, unusable: 'unknown_zip' },
];

/** Writes the roster as a new SQLite file holding only the contract's `contacts` table. */
export const writeRoster = (path: string): void => {
  const db = openOrganizationDb(path);
  try {
    db.sqlite.exec(
      `CREATE TABLE contacts(id INTEGER PRIMARY KEY, email TEXT, zip_code TEXT, state TEXT,
         birth_date TEXT, effective_date TEXT, phone_number TEXT, crm_owner TEXT)`,
    );
    const insert = db.sqlite.prepare(
      'INSERT INTO contacts (id, email, zip_code, state, birth_date, effective_date, phone_number, crm_owner) VALUES (?, ?, ?, ?, ?, ?, NULL, ?)',
    );
    for (const contact of ROSTER) {
      insert.run(contact.id, contact.email, contact.zip, 'TX', contact.birthDate, contact.effectiveDate, 'someone');
    }
  } finally {
    db.close();
  }
};

const tally = <Key extends string>(keys: readonly Key[], found: Key[]): Record<Key, number> =>
  Object.fromEntries(keys.map((key) => [key, found.filter((value) => value === key).length])) as Record<Key, number>;

/** What RULES.md §2 says the summary counts for the roster. */
export const rosterExpectations = () => ({
  total: ROSTER.length,
  usableIds: ROSTER.filter((contact) => contact.unusable === undefined).map((contact) => contact.id).sort((a, b) => a - b),
  invalid: tally(
    ['missing_email', 'invalid_email', 'missing_zip', 'unknown_zip'] as const,
    ROSTER.flatMap((contact) => (contact.unusable === undefined ? [] : [contact.unusable])),
  ),
  badDates: tally(
    ['invalid_birth_date', 'invalid_effective_date'] as const,
    ROSTER.flatMap((contact) => (contact.unusable === undefined ? (contact.badDates ?? []) : [])),
  ),
});
