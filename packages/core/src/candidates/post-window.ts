import type { SchedulingContext } from '../context';
import { NO_DAY } from '../dates/epoch-day';
import { emailKeyHash } from '../hash/fnv1a';
import type { EmailCandidate } from '../types';

/** RULES.md §6: the email on the day after a window that caused a skip. */
export const postWindowEmail = (context: SchedulingContext, contactId: number, dayAfterWindow: number): EmailCandidate => {
  const defaults = context.anniversaryDefaults.post_window;
  return {
    emailType: 'post_window',
    eventDay: dayAfterWindow,
    day: dayAfterWindow,
    deadline: NO_DAY,
    status: 'pre-scheduled',
    skipCode: null,
    skipReason: null,
    keyHash: emailKeyHash(contactId, 'post_window', dayAfterWindow),
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
