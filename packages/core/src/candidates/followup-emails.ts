import type { SchedulingContext } from '../context';
import { NO_DAY } from '../dates/epoch-day';
import { followupKeyHash } from '../hash/fnv1a';
import type { Behaviour, EmailCandidate, HistoryEmail } from '../types';
import type { HistoryIndex } from './history-index';

const ANNIVERSARY_TYPES = new Set(['birthday', 'effective_date', 'aep', 'post_window']);
const CAMPAIGN_PREFIX = 'campaign_';

export type FollowupType =
  | 'followup_1_cold'
  | 'followup_2_clicked_no_hq'
  | 'followup_3_hq_no_yes'
  | 'followup_4_hq_with_yes';

interface BehaviourFound {
  clicked: boolean;
  answered: boolean;
  hasConditions: boolean;
}

const behaviourSince = (behaviour: readonly Behaviour[], fromDay: number, today: number): BehaviourFound => {
  const found = { clicked: false, answered: false, hasConditions: false };
  for (const event of behaviour) {
    if (event.day < fromDay || event.day > today) continue;
    if (event.kind === 'click') found.clicked = true;
    else {
      found.answered = true;
      if (event.kind === 'answered_with_conditions') found.hasConditions = true;
    }
  }
  return found;
};

export const followupTypeOf = (found: BehaviourFound): FollowupType =>
  found.hasConditions
    ? 'followup_4_hq_with_yes'
    : found.answered
      ? 'followup_3_hq_no_yes'
      : found.clicked
        ? 'followup_2_clicked_no_hq'
        : 'followup_1_cold';

/** RULES.md §8: one follow-up per recent sent initial email, typed by behaviour since, on its final day. */
export const followupEmails = (
  context: SchedulingContext,
  contactId: number,
  history: readonly HistoryEmail[],
  index: HistoryIndex,
  behaviour: readonly Behaviour[],
): EmailCandidate[] => {
  const { today, config } = context;
  const emails: EmailCandidate[] = [];
  const earliestSentDay = today - config.timing.followup_lookback_days;
  for (const initial of history) {
    if (initial.status !== 'sent' && initial.status !== 'delivered') continue;
    if (initial.sentDay < earliestSentDay || initial.sentDay > today) continue;
    if (index.followsUp(initial.id)) continue;
    let priority = config.priorities.followup;
    let campaignInstanceId: number | null = null;
    if (initial.emailType.startsWith(CAMPAIGN_PREFIX)) {
      const parent = context.campaignTypes.get(initial.emailType.slice(CAMPAIGN_PREFIX.length));
      if (parent === undefined || !parent.enableFollowups) continue;
      priority = parent.priority;
      campaignInstanceId = initial.campaignInstanceId;
    } else if (!ANNIVERSARY_TYPES.has(initial.emailType)) {
      continue;
    }
    const found = behaviourSince(behaviour, initial.sentDay, today);
    const emailType = followupTypeOf(found);
    const dueDay = initial.sentDay + config.timing.followup_delay_days;
    const defaults = context.templateOf(emailType);
    const override = campaignInstanceId === null ? undefined : context.followupOverrides.get(campaignInstanceId);
    emails.push({
      emailType,
      eventDay: initial.eventDay,
      day: dueDay < today ? today + 1 : dueDay,
      deadline: NO_DAY,
      status: 'pre-scheduled',
      skipCode: null,
      skipReason: null,
      keyHash: followupKeyHash(contactId, emailType, initial.id),
      priority,
      tieBreaker: initial.id,
      respectsWindows: true,
      isFollowup: true,
      campaignInstanceId,
      emailTemplate: override?.email ?? defaults.email,
      smsTemplate: override?.sms ?? defaults.sms,
      metadata: JSON.stringify({
        initial_email_id: initial.id,
        initial_email_type: initial.emailType,
        behaviour: {
          clicked: found.clicked,
          answered_health_questions: found.answered,
          has_medical_conditions: found.hasConditions,
        },
      }),
    });
  }
  return emails;
};
