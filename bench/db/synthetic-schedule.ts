import { formatIsoDate, parseIsoDate } from '@scheduler/core';
import type { ScheduleRow } from '@scheduler/db';

/** How a run's rows differ from the first run's: not at all, for 1% of contacts, or for every contact. */
export type ScheduleVariant = 'first' | 'one-percent-changed' | 'all-changed';

const BASE_DAY = parseIsoDate('2026-12-01')!;
const NOW = '2026-11-30 06:00:00';

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
    const birthday = formatIsoDate(birthdayDay);
    const effective = formatIsoDate(effectiveDay);
    // Literal objects: a spread per row costs more than the whole row's SQL insert.
    yield row(contactId, runId, 'aep', 2027, 9, 15, '2027-09-15', 'pre-scheduled', null, 30, 'aep_v1');
    yield row(contactId, runId, 'birthday', Number(birthday.slice(0, 4)), Number(birthday.slice(5, 7)), Number(birthday.slice(8, 10)),
      formatIsoDate(birthdayDay - 14), skipped ? 'skipped' : 'pre-scheduled',
      skipped ? 'exclusion_window: CA birthday window (30 days before to 60 after the birthday)' : null, 10, 'birthday_v1');
    yield row(contactId, runId, 'effective_date', Number(effective.slice(0, 4)), Number(effective.slice(5, 7)), Number(effective.slice(8, 10)),
      formatIsoDate(effectiveDay - 30), 'pre-scheduled', null, 20, 'effective_date_v1');
  }
}
