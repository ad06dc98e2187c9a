import {
  createSchedulingContext,
  dailyCapOf,
  formatIsoDate,
  parseIsoDate,
  scheduleOrganization,
  zip5Of,
  type Config,
} from '@scheduler/core';
import {
  countContactRows,
  existingDayCounts,
  openOrganizationDb,
  readCampaignInstances,
  readCampaignTypes,
  readContactInputs,
  schema,
} from '@scheduler/db';
import { zipToState } from '@scheduler/zip-states';
import { asc, inArray } from 'drizzle-orm';
import { refIsExcluded, refParseDate, type RefStateRule } from '../../../core/test/support/reference';

/** A committed row as the outside world compares it: every column but ids, timestamps and run ids. */
export interface RowLine {
  readonly contactId: number;
  readonly line: string;
  readonly emailType: string;
  readonly date: string;
  readonly status: string;
}

const lineOf = (row: {
  contactId: number;
  emailType: string;
  eventYear: number | null;
  eventMonth: number | null;
  eventDay: number | null;
  scheduledSendDate: string;
  scheduledSendTime: string | null;
  status: string;
  skipReason: string | null;
  priority: number | null;
  campaignInstanceId: number | null;
  emailTemplate: string | null;
  smsTemplate: string | null;
  metadata: string | null;
}): RowLine => ({
  contactId: row.contactId,
  emailType: row.emailType,
  date: row.scheduledSendDate,
  status: row.status,
  line: [
    row.contactId,
    row.emailType,
    row.eventYear,
    row.eventMonth,
    row.eventDay,
    row.scheduledSendDate,
    row.scheduledSendTime,
    row.status,
    row.skipReason,
    row.priority,
    row.campaignInstanceId,
    row.emailTemplate,
    row.smsTemplate,
    row.metadata,
  ].join('|'),
});

/** The scheduler's rows (pre-scheduled and skipped) in key order. */
export const committedRows = (path: string): RowLine[] => {
  const db = openOrganizationDb(path, { readonly: true });
  try {
    return db.orm
      .select()
      .from(schema.emailSchedules)
      .where(inArray(schema.emailSchedules.status, ['pre-scheduled', 'skipped']))
      .orderBy(asc(schema.emailSchedules.contactId), asc(schema.emailSchedules.emailType), asc(schema.emailSchedules.scheduledSendDate))
      .all()
      .map(lineOf);
  } finally {
    db.close();
  }
};

/**
 * What the pure core decides for the same database, in memory: the pipeline
 * must commit exactly these rows, whatever its chunking and threads.
 */
export const referenceRows = (path: string, config: Config, asOf: string): RowLine[] => {
  const today = parseIsoDate(asOf)!;
  const db = openOrganizationDb(path, { readonly: true });
  try {
    const { context } = createSchedulingContext({
      today,
      config,
      zipToState,
      campaignTypes: readCampaignTypes(db),
      campaignInstances: readCampaignInstances(db),
    });
    const { inputs } = readContactInputs(db, {
      fromId: Number.MIN_SAFE_INTEGER,
      toId: Number.MAX_SAFE_INTEGER,
      timeZone: config.timezone,
      behaviourSinceDay: today - config.timing.followup_lookback_days,
    });
    const { emails } = scheduleOrganization(context, inputs, {
      contactRowCount: countContactRows(db),
      existing: existingDayCounts(db, asOf),
    });
    const time = `${config.send_time}:00`;
    return emails
      .map((email) => {
        const event = email.eventDay === null ? null : formatIsoDate(email.eventDay);
        return lineOf({
          contactId: email.contactId,
          emailType: email.emailType,
          eventYear: event === null ? null : Number(event.slice(0, 4)),
          eventMonth: event === null ? null : Number(event.slice(5, 7)),
          eventDay: event === null ? null : Number(event.slice(8, 10)),
          scheduledSendDate: formatIsoDate(email.day),
          scheduledSendTime: time,
          status: email.status,
          skipReason: email.skipReason,
          priority: email.priority,
          campaignInstanceId: email.campaignInstanceId,
          emailTemplate: email.emailTemplate,
          smsTemplate: email.smsTemplate,
          metadata: email.metadata,
        });
      })
      .sort((a, b) => a.contactId - b.contactId || (a.emailType < b.emailType ? -1 : a.emailType > b.emailType ? 1 : 0) || (a.date < b.date ? -1 : 1));
  } finally {
    db.close();
  }
};

/**
 * RULES.md's promises, checked on the committed rows with rules written
 * anew from the text (not the scheduler's code). Returns what is broken.
 */
export const invariantViolations = (path: string, config: Config, asOf: string): string[] => {
  const violations: string[] = [];
  const rows = committedRows(path);
  const db = openOrganizationDb(path, { readonly: true });
  const contacts = new Map(db.orm.select().from(schema.contacts).all().map((contact) => [contact.id, contact]));
  const ignoringWindows = new Set(
    readCampaignTypes(db)
      .filter((type) => !type.respectExclusionWindows)
      .map((type) => `campaign_${type.name}`),
  );
  const contactRows = contacts.size;
  const sender = db.orm.select().from(schema.emailSchedules).all().filter((row) => !['pre-scheduled', 'skipped'].includes(row.status));
  db.close();
  const cap = dailyCapOf(contactRows, config);
  const perDay = new Map<string, number>();
  const keys = new Set<string>();
  for (const row of sender) keys.add(`${row.contactId}|${row.emailType}|${row.scheduledSendDate}`);
  for (const row of sender) {
    if (['scheduled', 'processing'].includes(row.status)) perDay.set(row.scheduledSendDate, (perDay.get(row.scheduledSendDate) ?? 0) + 1);
  }

  for (const row of rows) {
    const key = `${row.contactId}|${row.emailType}|${row.date}`;
    if (keys.has(key)) violations.push(`two rows for ${key}`);
    keys.add(key);
    const contact = contacts.get(row.contactId);
    if (contact === undefined) {
      violations.push(`row for unknown contact ${row.contactId}`);
      continue;
    }
    const zip5 = contact.zipCode === null ? null : zip5Of(contact.zipCode);
    const state = zip5 === null ? undefined : zipToState(zip5);
    if (state === undefined || contact.email === null || !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(contact.email)) {
      violations.push(`row ${key} for unusable contact`);
      continue;
    }
    if (row.status !== 'pre-scheduled') continue;
    if (row.date < asOf) violations.push(`pre-scheduled ${key} before today`);
    perDay.set(row.date, (perDay.get(row.date) ?? 0) + 1);
    const respects = !ignoringWindows.has(row.emailType);
    const birth = refParseDate(contact.birthDate);
    const validBirth = birth !== null && contact.birthDate! <= asOf ? birth : null;
    const rule = config.state_rules[state] as RefStateRule | undefined;
    if (respects && refIsExcluded(rule, validBirth, refParseDate(contact.effectiveDate), config.timing.pre_window_exclusion_days, parseIsoDate(row.date)!)) {
      violations.push(`pre-scheduled ${key} inside the exclusion of a ${state} contact`);
    }
  }
  // Frequency cap: per contact, non-follow-ups of the run and of history, in any period_days days.
  const counted = new Map<number, number[]>();
  const count = (contactId: number, date: string): void => {
    const list = counted.get(contactId) ?? [];
    list.push(parseIsoDate(date)!);
    counted.set(contactId, list);
  };
  for (const row of rows) if (row.status === 'pre-scheduled' && !row.emailType.startsWith('followup_')) count(row.contactId, row.date);
  for (const row of sender) {
    if (!['scheduled', 'processing', 'sent', 'delivered'].includes(row.status) || row.emailType.startsWith('followup_')) continue;
    count(row.contactId, (row.actualSendDatetime ?? row.scheduledSendDate).slice(0, 10));
  }
  const { period_days: period, max_emails_per_period: most } = config.frequency;
  for (const [contactId, days] of counted) {
    if (days.length <= most) continue;
    days.sort((a, b) => a - b);
    for (let i = 0; i + most < days.length; i++) {
      // History dated by a UTC day may sit one day off its CT day: only the run's own rows are held to the exact window.
      if (days[i + most]! - days[i]! < period - 1) violations.push(`contact ${contactId} has ${most + 1} emails within ${period} days`);
    }
  }

  const threshold = Math.floor(cap * config.load_balancing.overage_threshold);
  for (const [date, count] of perDay) if (date >= asOf && count > threshold) violations.push(`${count} emails on ${date}, over ${threshold}`);
  return violations;
};
