import { asc, eq } from 'drizzle-orm';
import {
  contactExclusion,
  contactUsability,
  formatIsoDate,
  parseIsoDate,
  windowEndOf,
  windowStartOf,
  windowYearContaining,
  yearOf,
  type Config,
  type Exclusion,
  type StateRule,
  type Usability,
} from '@scheduler/core';
import { schema, type OrganizationDb } from '@scheduler/db';
import { zipToState } from '@scheduler/zip-states';
import { skipCodeOf } from './skip-summary';

const { contacts, emailSchedules } = schema;

type ContactRow = typeof contacts.$inferSelect;
type EmailScheduleRow = typeof emailSchedules.$inferSelect;

/** One year's dated exclusion window of a contact, as dates. */
interface WindowDates {
  readonly year: number;
  readonly start: string;
  readonly end: string;
}

export interface ContactEmail extends EmailScheduleRow {
  /** CONTRACT.md's skip code of a skipped email, else null. */
  readonly skipCode: string | null;
  /** The dated window the send date falls in, whatever the status. */
  readonly window: WindowDates | null;
  /** The send date falls on or after the contact's year-round exclusion. */
  readonly yearRound: boolean;
}

export interface ContactSchedule {
  readonly contact: ContactRow;
  /** RULES.md §2: the state from the ZIP, or why the contact cannot be scheduled. */
  readonly usability: Usability;
  readonly rule: StateRule | null;
  readonly exclusion: Exclusion | null;
  /** The windows of every year the contact's emails (and today) fall in. */
  readonly windows: readonly WindowDates[];
  readonly emails: readonly ContactEmail[];
}

const windowOf = (exclusion: Exclusion, year: number): WindowDates | null => {
  const window = exclusion.window;
  if (window === null || year < window.anchorYear) return null;
  return { year, start: formatIsoDate(windowStartOf(window, year)), end: formatIsoDate(windowEndOf(window, year)) };
};

/**
 * One contact with every email of it (all statuses, by send date) and the
 * exclusion its state's rule puts on it: the rule from `config.state_rules`
 * of the state of its ZIP, the windows by year. Reads the contact by key and
 * its emails through the (contact_id, email_type, scheduled_send_date) index.
 */
export const readContactSchedule = (db: OrganizationDb, contactId: number, config: Config, today: number): ContactSchedule | null => {
  const contact = db.orm.select().from(contacts).where(eq(contacts.id, contactId)).get();
  if (contact === undefined) return null;
  const rows = db.orm
    .select()
    .from(emailSchedules)
    .where(eq(emailSchedules.contactId, contactId))
    .orderBy(asc(emailSchedules.scheduledSendDate), asc(emailSchedules.emailType))
    .all();
  const usability = contactUsability(contact, zipToState);
  const rule = usability.usable ? (config.state_rules[usability.state] ?? null) : null;
  const exclusion = usability.usable ? contactExclusion(config, contact, usability.state, today) : null;

  const emails = rows.map((row): ContactEmail => {
    const day = parseIsoDate(row.scheduledSendDate);
    const windowYear = day === null || exclusion?.window == null ? 0 : windowYearContaining(exclusion.window, day);
    return {
      ...row,
      skipCode: row.status === 'skipped' ? skipCodeOf(row.skipReason) : null,
      window: windowYear === 0 ? null : windowOf(exclusion!, windowYear),
      yearRound: day !== null && exclusion !== null && day >= exclusion.yearRoundFrom,
    };
  });
  const years = [yearOf(today), ...emails.flatMap((email) => (email.window === null ? [] : [email.window.year]))];
  const rowYears = rows.flatMap((row) => {
    const day = parseIsoDate(row.scheduledSendDate);
    return day === null ? [] : [yearOf(day)];
  });
  const firstYear = Math.min(...years, ...rowYears);
  const lastYear = Math.max(...years, ...rowYears);
  const windows: WindowDates[] = [];
  if (exclusion !== null) {
    for (let year = firstYear; year <= lastYear; year++) {
      const dates = windowOf(exclusion, year);
      if (dates !== null) windows.push(dates);
    }
  }
  return { contact, usability, rule, exclusion, windows, emails };
};
