import { nextAnniversary } from '../dates/anniversary';
import { NO_DAY } from '../dates/epoch-day';
import type { SchedulingContext } from '../context';
import { emailKeyHash } from '../hash/fnv1a';
import type { Proposal } from './proposal';

const dueBefore = (
  context: SchedulingContext,
  contactId: number,
  emailType: 'birthday' | 'effective_date' | 'aep',
  eventDay: number,
  daysBefore: number,
): Proposal => {
  const templates = context.templateOf(emailType);
  const idealDay = eventDay - daysBefore;
  return {
    emailType,
    eventDay,
    idealDay,
    exactDay: false,
    deadline: idealDay < eventDay ? eventDay : NO_DAY,
    keyHash: emailKeyHash(contactId, emailType, eventDay),
    priority: context.config.priorities[emailType],
    tieBreaker: 0,
    respectsWindows: true,
    isFollowup: false,
    campaignInstanceId: null,
    emailTemplate: templates.email,
    smsTemplate: templates.sms,
    metadata: null,
    initialEmailId: null,
  };
};

/** Birthday, effective-date and AEP emails of RULES.md §4. */
export const anniversaryProposals = (
  context: SchedulingContext,
  contactId: number,
  birthDay: number | null,
  effectiveDay: number | null,
): Proposal[] => {
  const { today, config } = context;
  const proposals: Proposal[] = [];
  if (birthDay !== null) {
    const event = nextAnniversary(birthDay, today);
    proposals.push(dueBefore(context, contactId, 'birthday', event, config.timing.birthday_email_days_before));
  }
  if (effectiveDay !== null) {
    // A policy not yet in force is its own next occurrence.
    const event = Math.max(nextAnniversary(effectiveDay, today), effectiveDay);
    proposals.push(dueBefore(context, contactId, 'effective_date', event, config.timing.effective_date_days_before));
  }
  for (const event of context.aepDays) proposals.push(dueBefore(context, contactId, 'aep', event, 0));
  return proposals;
};
