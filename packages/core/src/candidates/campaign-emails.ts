import type { ActiveCampaign, SchedulingContext } from '../context';
import { NO_DAY, parseIsoDate } from '../dates/epoch-day';
import { emailKeyHash } from '../hash/fnv1a';
import type { CampaignTarget, EmailCandidate } from '../types';

const TARGET_STATUSES = new Set(['pending', 'scheduled']);
const BLANK = /^\s*$/;

const campaignEmail = (contactId: number, campaign: ActiveCampaign, triggerDay: number): EmailCandidate => {
  const { instance, type } = campaign;
  const idealDay = triggerDay - type.daysBeforeEvent;
  return {
    emailType: campaign.emailType,
    eventDay: triggerDay,
    day: idealDay,
    deadline: idealDay < triggerDay ? triggerDay : NO_DAY,
    status: 'pre-scheduled',
    skipCode: null,
    skipReason: null,
    keyHash: emailKeyHash(contactId, campaign.emailType, triggerDay),
    priority: type.priority,
    tieBreaker: instance.id,
    respectsWindows: type.respectExclusionWindows,
    isFollowup: false,
    campaignInstanceId: instance.id,
    emailTemplate: instance.emailTemplate,
    smsTemplate: instance.smsTemplate,
    metadata: null,
  };
};

/**
 * Campaign emails of RULES.md §7, on their ideal day: the contact's pending/scheduled targets of
 * active instances, and every target-all instance it is not already a target
 * of. A target whose trigger date is malformed is counted, not guessed.
 */
export const campaignEmails = (
  context: SchedulingContext,
  contactId: number,
  targets: readonly CampaignTarget[],
): { emails: EmailCandidate[]; malformedTriggers: number } => {
  const emails: EmailCandidate[] = [];
  let malformedTriggers = 0;
  let targeted: Set<number> | null = null;
  for (const target of targets) {
    if (target.status !== null && !TARGET_STATUSES.has(target.status)) continue;
    const campaign = context.activeCampaigns.get(target.campaignInstanceId);
    if (campaign === undefined) continue;
    (targeted ??= new Set()).add(target.campaignInstanceId);
    const triggerDay =
      target.triggerDate === null || BLANK.test(target.triggerDate)
        ? campaign.defaultTriggerDay
        : parseIsoDate(target.triggerDate);
    if (triggerDay === null) {
      malformedTriggers++;
      continue;
    }
    emails.push(campaignEmail(contactId, campaign, triggerDay));
  }
  for (const campaign of context.targetAllCampaigns) {
    if (targeted?.has(campaign.instance.id) === true) continue;
    emails.push(campaignEmail(contactId, campaign, campaign.defaultTriggerDay));
  }
  return { emails, malformedTriggers };
};
