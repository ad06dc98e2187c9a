import { formatIsoDate, parseIsoDate } from '@scheduler/core';
import type { ScheduleRow } from '@scheduler/db';

/** How a run's rows differ from the first run's: not at all, for 1% of contacts, or for every contact. */
export type ScheduleVariant = 'first' | 'one-percent-changed' | 'all-changed';

const BASE_DAY = parseIsoDate('2026-12-01')!;
const NOW = '2026-11-30 06:00:00';

/** Dates of the days the rows use, made once: formatting a date per row would cost more than the row's digest. */
const DATES = Array.from({ length: 800 }, (_, offset) => formatIsoDate(BASE_DAY - 40 + offset));
const dateOf = (day: number): string => DATES[day - BASE_DAY + 40]!;
const PARTS = DATES.map((date) => [Number(date.slice(0, 4)), Number(date.slice(5, 7)), Number(date.slice(8, 10))] as const);
const partsOf = (day: number): readonly [number, number, number] => PARTS[day - BASE_DAY + 40]!;

const changes = (variant: ScheduleVariant, contactId: number): boolean =>
  variant === 'all-changed' || (variant === 'one-percent-changed' && contactId % 100 === 0);

const row = (
  contactId: number,
  runId: string,
  emailType: string,
  eventYear: number,
  eventMonth: number,
  eventDay: number,
  scheduledSendDate: string,
  status: 'pre-scheduled' | 'skipped',
  skipReason: string | null,
  priority: number,
  emailTemplate: string,
): ScheduleRow => ({
  contactId,
  emailType,
  eventYear,
  eventMonth,
  eventDay,
  scheduledSendDate,
  scheduledSendTime: '08:30:00',
  status,
  skipReason,
  priority,
  campaignInstanceId: null,
  emailTemplate,
  smsTemplate: null,
  schedulerRunId: runId,
  metadata: null,
  createdAt: NOW,
  updatedAt: NOW,
});

/**
 * Three rows per contact shaped like a real run's (birthday, effective date,
 * AEP; some skipped with a reason), sorted by contact and key, made one at
 * a time so that nine million never sit in memory together.
 */
export function* syntheticSchedule(contactCount: number, variant: ScheduleVariant, runId: string): Generator<ScheduleRow> {
  for (let contactId = 1; contactId <= contactCount; contactId++) {
    const shift = changes(variant, contactId) ? 1 : 0;
    const birthdayDay = BASE_DAY + ((contactId * 7) % 365) + shift;
    const effectiveDay = BASE_DAY + ((contactId * 13) % 365);
    const skipped = contactId % 12 === 0;
    const [birthYear, birthMonth, birthDayOfMonth] = partsOf(birthdayDay);
    const [effectiveYear, effectiveMonth, effectiveDayOfMonth] = partsOf(effectiveDay);
    // Literal objects: a spread per row costs more than the whole row's SQL insert.
    yield row(contactId, runId, 'aep', 2027, 9, 15, '2027-09-15', 'pre-scheduled', null, 30, 'aep_v1');
    yield row(contactId, runId, 'birthday', birthYear, birthMonth, birthDayOfMonth, dateOf(birthdayDay - 14), skipped ? 'skipped' : 'pre-scheduled',
      skipped ? 'exclusion_window: CA birthday window (30 days before to 60 after the birthday)' : null, 10, 'birthday_v1');
    yield row(contactId, runId, 'effective_date', effectiveYear, effectiveMonth, effectiveDayOfMonth, dateOf(effectiveDay - 30), 'pre-scheduled', null, 20, 'effective_date_v1');
  }
}
