import { anniversaryOf, dayOfMonthOf, daysInMonth, epochDay, formatIsoDate, isLeapYear, monthOf, yearOf } from '@scheduler/core';
import { zipsOfState } from '@scheduler/zip-states';
import { SeededRandom, WeightedPicker } from './seeded-random';
import { STATE_WEIGHTS } from './state-weights';

/** Every kind of unusable contact and bad date RULES.md §2 counts: each appears in a seeded organization. */
export const BAD_ROW_KINDS = [
  'missing_email',
  'invalid_email',
  'missing_zip',
  'unknown_zip',
  'invalid_birth_date',
  'invalid_effective_date',
] as const;
export type BadRowKind = (typeof BAD_ROW_KINDS)[number];

/** A `contacts` row in column order: id, email, zip_code, state, birth_date, effective_date, phone_number. */
export type ContactRow = [number, string | null, string | null, string | null, string | null, string | null, string | null];

const BAD_ROW_SHARE = 0.03;
const MISSING_EMAILS = [null, '', '   '];
const INVALID_EMAILS = ['john.smith@', 'no-at-sign.example.com', 'two@@example.com', 'has space@example.com', 'nodot@localhost'];
const MISSING_ZIPS = [null, '', '  '];
const UNKNOWN_ZIPS = ['00000', 'ABCDE', '123', '99999', '1234567', 'N/A'];
const INVALID_BIRTH_DATES = ['1950-02-30', '1949-13-01', '03/15/1950', '2099-01-01', '1952-04-31', ' 1950-01-01'];
const INVALID_EFFECTIVE_DATES = ['2015-02-30', '2018-13-01', '2020/01/01', '2019-06-31', 'soon'];
const DOMAINS = ['example.com', 'mail.example.org', 'inbox.example.net', 'post.example.com'];
const NAMES = ['mary', 'james', 'patricia', 'john', 'linda', 'robert', 'barbara', 'michael', 'susan', 'william'];

const pad2 = (n: number): string => (n < 10 ? `0${n}` : `${n}`);
const pad5 = (n: number): string => `${n}`.padStart(5, '0');
const isoDate = (year: number, month: number, day: number): string => `${year}-${pad2(month)}-${pad2(day)}`;

export interface SyntheticContact {
  readonly row: ContactRow;
  /** Whether the row is meant to be usable (valid email and ZIP), so that it gets send history. */
  readonly usable: boolean;
}

/**
 * Makes contact rows: a state drawn by 65+ population, a ZIP of that state
 * from the shipped data (some as ZIP+4, some without their leading zero),
 * ages 64–95, a few Feb 29 birthdays, effective dates mostly on the 1st of a
 * month (some not yet in force), and a few percent of bad rows of each kind.
 */
export class SyntheticContacts {
  private readonly states = new WeightedPicker(STATE_WEIGHTS.filter(([state]) => zipsOfState(state).length > 0));

  private readonly asOfYear: number;
  /** Birth days of people aged 64–95 on the as-of day: after the 96th birthday before it, up to the 64th. */
  private readonly earliestBirth: number;
  private readonly latestBirth: number;

  constructor(
    private readonly random: SeededRandom,
    asOfDay: number,
  ) {
    this.asOfYear = yearOf(asOfDay);
    const [month, day] = [monthOf(asOfDay), dayOfMonthOf(asOfDay)];
    this.earliestBirth = anniversaryOf(month, day, this.asOfYear - 96) + 1;
    this.latestBirth = anniversaryOf(month, day, this.asOfYear - 64);
  }

  /** A birth date of someone aged 64–95 on the as-of day; now and then a Feb 29 one. */
  private birthDate(): string {
    const random = this.random;
    if (random.chance(0.004)) {
      const leapDays: number[] = [];
      for (let year = this.asOfYear - 96; year <= this.asOfYear - 64; year++) {
        const day = isLeapYear(year) ? epochDay(year, 2, 29) : null;
        if (day !== null && day >= this.earliestBirth && day <= this.latestBirth) leapDays.push(day);
      }
      return formatIsoDate(random.pick(leapDays));
    }
    return formatIsoDate(random.int(this.earliestBirth, this.latestBirth));
  }

  contact(id: number): SyntheticContact {
    const random = this.random;
    const state = this.states.pick(random);
    const zips = zipsOfState(state);
    const zip = zips[Math.floor(random.next() * zips.length)]!;
    let zipCode = pad5(zip);
    const format = random.next();
    if (format < 0.02) zipCode = `${zipCode}-${random.int(1000, 9999)}`;
    else if (format < 0.03) zipCode = `${zipCode}${random.int(1000, 9999)}`;
    else if (zip >= 1000 && zip < 10000 && format < 0.3) zipCode = `${zip}`; // a spreadsheet dropped the leading zero

    const birthDate = this.birthDate();
    const effectiveYear = random.chance(0.02) ? this.asOfYear + 1 : random.int(this.asOfYear - 20, this.asOfYear);
    const effectiveMonth = random.int(1, 12);
    const effectiveDay = random.chance(0.85) ? 1 : random.int(1, daysInMonth(effectiveYear, effectiveMonth));

    const storedState = random.chance(0.05) ? null : random.chance(0.01) ? this.states.pick(random) : state;
    const row: ContactRow = [
      id,
      `${random.pick(NAMES)}.${id}@${random.pick(DOMAINS)}`,
      zipCode,
      storedState,
      birthDate,
      random.chance(0.04) ? null : isoDate(effectiveYear, effectiveMonth, effectiveDay),
      random.chance(0.7) ? `555${random.int(1_000_000, 9_999_999)}` : null,
    ];
    // The first contacts carry one bad kind each, so that even a tiny organization has them all.
    const forced = id >= 1 && id <= BAD_ROW_KINDS.length ? BAD_ROW_KINDS[id - 1]! : null;
    const kind = forced ?? (random.chance(BAD_ROW_SHARE) ? random.pick(BAD_ROW_KINDS) : null);
    if (kind !== null) this.spoil(row, kind);
    return { row, usable: kind === null || kind === 'invalid_birth_date' || kind === 'invalid_effective_date' };
  }

  private spoil(row: ContactRow, kind: BadRowKind): void {
    const random = this.random;
    switch (kind) {
      case 'missing_email':
        row[1] = random.pick(MISSING_EMAILS);
        return;
      case 'invalid_email':
        row[1] = random.pick(INVALID_EMAILS);
        return;
      case 'missing_zip':
        row[2] = random.pick(MISSING_ZIPS);
        return;
      case 'unknown_zip':
        row[2] = random.pick(UNKNOWN_ZIPS);
        return;
      case 'invalid_birth_date':
        row[4] = random.pick(INVALID_BIRTH_DATES);
        return;
      case 'invalid_effective_date':
        row[5] = random.pick(INVALID_EFFECTIVE_DATES);
    }
  }
}
