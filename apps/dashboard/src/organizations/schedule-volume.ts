import { and, between, count, eq } from 'drizzle-orm';
import { dailyCapOf, dailyCapThresholdOf, formatIsoDate, type Config } from '@scheduler/core';
import { schema, type OrganizationDb } from '@scheduler/db';

const { contacts, emailSchedules } = schema;

interface DayVolume {
  readonly date: string;
  /** Pre-scheduled emails of the day by email type. */
  readonly byType: Readonly<Record<string, number>>;
  readonly total: number;
}

export interface ScheduleVolume {
  /** One entry per day from `firstDay`, days without emails included. */
  readonly days: readonly DayVolume[];
  /** Every email type present, in the order of the chart's legend. */
  readonly emailTypes: readonly string[];
  /** N of RULES.md §9: every row of `contacts`. */
  readonly contactRows: number;
  /** max(1, floor(N × daily_send_percentage_cap)). */
  readonly dailyCap: number;
  /**
   * floor(dailyCap × overage_threshold): a day over the cap but not over this
   * is as the rules leave it; past it, the finalizer moves emails on.
   */
  readonly capThreshold: number;
}

/** Legend order: the yearly emails first, then campaigns, then follow-ups. */
const typeRank = (emailType: string): number => {
  const fixed = ['birthday', 'effective_date', 'aep', 'post_window'].indexOf(emailType);
  if (fixed >= 0) return fixed;
  return emailType.startsWith('campaign_') ? 10 : emailType.startsWith('followup_') ? 20 : 30;
};

const orderEmailTypes = (emailTypes: Iterable<string>): string[] =>
  [...new Set(emailTypes)].sort((a, b) => typeRank(a) - typeRank(b) || (a < b ? -1 : a > b ? 1 : 0));

/**
 * The `pre-scheduled` emails of `dayCount` days from `firstDay`, per day and
 * type, with the daily cap. One range read of the (status,
 * scheduled_send_date, email_type) index: it never touches the table rows.
 */
export const readScheduleVolume = (db: OrganizationDb, firstDay: number, dayCount: number, config: Config): ScheduleVolume => {
  const dates = Array.from({ length: dayCount }, (_, offset) => formatIsoDate(firstDay + offset));
  const rows = db.orm
    .select({ date: emailSchedules.scheduledSendDate, emailType: emailSchedules.emailType, emails: count() })
    .from(emailSchedules)
    .where(and(eq(emailSchedules.status, 'pre-scheduled'), between(emailSchedules.scheduledSendDate, dates[0]!, dates.at(-1)!)))
    .groupBy(emailSchedules.scheduledSendDate, emailSchedules.emailType)
    .all();
  const byDate = new Map<string, Record<string, number>>();
  for (const { date, emailType, emails } of rows) {
    const day = byDate.get(date) ?? {};
    day[emailType] = emails;
    byDate.set(date, day);
  }
  const contactRows = db.orm.select({ rows: count() }).from(contacts).get()?.rows ?? 0;
  const dailyCap = dailyCapOf(contactRows, config);
  return {
    days: dates.map((date) => {
      const byType = byDate.get(date) ?? {};
      return { date, byType, total: Object.values(byType).reduce((sum, emails) => sum + emails, 0) };
    }),
    emailTypes: orderEmailTypes(rows.map((row) => row.emailType)),
    contactRows,
    dailyCap,
    capThreshold: dailyCapThresholdOf(dailyCap, config),
  };
};
