import { nextAnniversary } from '../dates/anniversary';
import { NO_DAY } from '../dates/epoch-day';
import type { AnniversaryType, SchedulingContext } from '../context';
import { contactKeyPrefix, emailKeyHashAfter } from '../hash/fnv1a';
import type { EmailCandidate } from '../types';

/** An email of one of the anniversary types (birthday, effective date, AEP, post-window), on its ideal day. */
export const anniversaryEmail = (
  context: SchedulingContext,
  keyPrefix: number,
  emailType: AnniversaryType,
  eventDay: number,
  daysBefore: number,
): EmailCandidate => {
  const defaults = context.anniversaryDefaults[emailType];
  const idealDay = eventDay - daysBefore;
  return {
    emailType,
    eventDay,
    day: idealDay,
    deadline: idealDay < eventDay ? eventDay : NO_DAY,
    status: 'pre-scheduled',
    skipCode: null,
    skipReason: null,
    keyHash: emailKeyHashAfter(keyPrefix, emailType, eventDay),
    priority: defaults.priority,
    tieBreaker: 0,
    respectsWindows: true,
    isFollowup: false,
    campaignInstanceId: null,
    emailTemplate: defaults.email,
    smsTemplate: defaults.sms,
    metadata: null,
  };
};

/** Birthday, effective-date and AEP emails of RULES.md §4, on their ideal day. */
export const anniversaryEmails = (
  context: SchedulingContext,
  contactId: number,
  birthDay: number | null,
  effectiveDay: number | null,
): EmailCandidate[] => {
  const { today, config } = context;
  const emails: EmailCandidate[] = [];
  const keyPrefix = contactKeyPrefix(contactId);
  if (birthDay !== null) {
    const event = nextAnniversary(birthDay, today);
    emails.push(anniversaryEmail(context, keyPrefix, 'birthday', event, config.timing.birthday_email_days_before));
  }
  if (effectiveDay !== null) {
    // A policy not yet in force is its own next occurrence.
    const event = Math.max(nextAnniversary(effectiveDay, today), effectiveDay);
    emails.push(anniversaryEmail(context, keyPrefix, 'effective_date', event, config.timing.effective_date_days_before));
  }
  for (const event of context.aepDays) emails.push(anniversaryEmail(context, keyPrefix, 'aep', event, 0));
  return emails;
};
