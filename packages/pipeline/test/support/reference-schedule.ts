/**
 * What the two reference models written from RULES.md alone give the
 * contacts of an organization read independently (independent-reader.ts):
 * §2–§8 per contact (core/test/support/reference-contact-rules.ts), then §9
 * over them (core/test/support/reference-finalizer.ts), balanced against
 * `existing`. Shared by the full-run and the reschedule differential tests.
 */
import type { Config } from '@scheduler/core';
import { refEpochDay, refFnv1a, refIsExcluded, refParseDate, type RefStateRule } from '../../../core/test/support/reference';
import { refScheduleContact, type RefRow, type RefWorld } from '../../../core/test/support/reference-contact-rules';
import {
  refFinalize,
  refFinalizerSettingsOf,
  type RefFinalizerContact,
  type RefFinalizerEmail,
  type RefFinalizerResult,
} from '../../../core/test/support/reference-finalizer';
import { dayOfIso, independentZipToState, type CommittedScheduleRow, type ExistingDay, type IndependentOrganization } from './independent-reader';

export interface ReferenceSchedule {
  /** The rows of §2–§8, in the order of `finalized.emails` (which says where §9 put each). */
  readonly rows: Array<RefRow & { contactId: number }>;
  readonly finalized: RefFinalizerResult;
  readonly usable: number;
  readonly invalid: Record<string, number>;
  readonly badDates: Record<string, number>;
  readonly stateDisagreements: number;
}

/** The reference schedule of every contact, or of the contacts in `only` (a targeted reschedule). */
export const referenceSchedule = (
  org: IndependentOrganization,
  config: Config,
  today: number,
  existing: ReadonlyMap<number, ExistingDay>,
  only?: ReadonlySet<number>,
): ReferenceSchedule => {
  const world: RefWorld = {
    today,
    config,
    zipToState: independentZipToState,
    campaignTypes: org.campaignTypes,
    campaignInstances: org.campaignInstances,
  };
  const typeOf = new Map(org.campaignTypes.map((type) => [`campaign_${type.name}`, type]));
  const invalid: Record<string, number> = {};
  const badDates: Record<string, number> = {};
  let usable = 0;
  let stateDisagreements = 0;
  const contacts: RefFinalizerContact[] = [];
  const emails: RefFinalizerEmail[] = [];
  const rows: Array<RefRow & { contactId: number }> = [];
  for (const input of org.inputs) {
    const { contact } = input;
    if (only !== undefined && !only.has(contact.id)) continue;
    const outcome = refScheduleContact(world, input);
    if (!outcome.usable) {
      invalid[outcome.reason] = (invalid[outcome.reason] ?? 0) + 1;
      continue;
    }
    usable++;
    if (outcome.stateDisagrees) stateDisagreements++;
    for (const reason of outcome.badDates) badDates[reason] = (badDates[reason] ?? 0) + 1;
    const birth = refParseDate(contact.birthDate);
    const validBirth = birth !== null && refEpochDay(birth.year, birth.month, birth.day) <= today ? birth : null;
    const effective = refParseDate(contact.effectiveDate);
    const rule = config.state_rules[outcome.state] as RefStateRule | undefined;
    contacts.push({
      id: contact.id,
      excluded: (d) => refIsExcluded(rule, validBirth, effective, config.timing.pre_window_exclusion_days, d),
      history: input.history.map((row) => ({ emailType: row.emailType, status: row.status, scheduledDay: row.scheduledDay, sentDay: row.sentDay })),
    });
    for (const row of outcome.rows) {
      const isFollowup = row.emailType.startsWith('followup_');
      const event = row.event === null ? null : dayOfIso(row.event)!;
      // RULES.md §4: emails due before their event (ideal < E) have E as their deadline.
      let daysBefore = 0;
      if (row.emailType === 'birthday') daysBefore = config.timing.birthday_email_days_before;
      else if (row.emailType === 'effective_date') daysBefore = config.timing.effective_date_days_before;
      else if (row.emailType.startsWith('campaign_')) daysBefore = typeOf.get(row.emailType)!.daysBeforeEvent;
      const key = isFollowup ? `${contact.id}|${row.emailType}|${row.initialEmailId}` : `${contact.id}|${row.emailType}|${row.event}`;
      emails.push({
        contactId: contact.id,
        emailType: row.emailType,
        eventDay: event,
        day: dayOfIso(row.send)!,
        deadline: !isFollowup && daysBefore > 0 && event !== null ? event : null,
        status: row.status,
        skipCode: row.skipCode,
        priority: row.priority,
        keyHash: refFnv1a(key),
        respectsWindows: row.emailType.startsWith('campaign_') ? typeOf.get(row.emailType)!.respectExclusionWindows : true,
        isFollowup,
      });
      rows.push({ ...row, contactId: contact.id });
    }
  }
  const finalized = refFinalize(refFinalizerSettingsOf(config, today, org.contactRows), contacts, emails, existing);
  return { rows, finalized, usable, invalid, badDates, stateDisagreements };
};

/** One row as compared: every column but ids, timestamps and run ids (the same columns as the full-run differential test). */
export const rowLine = (row: {
  contactId: number;
  emailType: string;
  event: string | null;
  send: string;
  sendTime: string | null;
  status: string;
  skipCode: string | null;
  priority: number | null;
  campaignInstanceId: number | null;
  emailTemplate: string | null;
  smsTemplate: string | null;
  initialEmailId: number | null;
  initialEmailType: string | null;
}): string =>
  [
    `c${row.contactId}`,
    row.emailType,
    `E=${row.event ?? '-'}`,
    `send=${row.send} ${row.sendTime ?? '-'}`,
    row.status,
    `skip=${row.skipCode ?? '-'}`,
    `p=${row.priority ?? '-'}`,
    `ci=${row.campaignInstanceId ?? '-'}`,
    `tpl=${row.emailTemplate ?? '-'}/${row.smsTemplate ?? '-'}`,
    `init=${row.initialEmailId ?? '-'}/${row.initialEmailType ?? '-'}`,
  ].join(' ');

export const committedLine = (row: CommittedScheduleRow): string => {
  let initialEmailId: number | null = null;
  let initialEmailType: string | null = null;
  if (row.emailType.startsWith('followup_')) {
    const metadata = JSON.parse(row.metadata ?? 'null') as { initial_email_id?: number; initial_email_type?: string } | null;
    initialEmailId = metadata?.initial_email_id ?? null;
    initialEmailType = metadata?.initial_email_type ?? null;
  }
  return rowLine({ ...row, skipCode: row.skipReason === null ? null : row.skipReason.split(': ')[0]!, initialEmailId, initialEmailType });
};
