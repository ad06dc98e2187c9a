import type { ActiveCampaign, SchedulingContext } from '../context';
import { NO_DAY, parseIsoDate } from '../dates/epoch-day';
import { emailKeyHash } from '../hash/fnv1a';
import type { CampaignTarget } from '../types';
import type { Proposal } from './proposal';

const TARGET_STATUSES = new Set(['pending', 'scheduled']);
const BLANK = /^\s*$/;

const campaignProposal = (contactId: number, campaign: ActiveCampaign, triggerDay: number): Proposal => {
  const { instance, type } = campaign;
  const idealDay = triggerDay - type.daysBeforeEvent;
  return {
    emailType: campaign.emailType,
    eventDay: triggerDay,
    idealDay,
    exactDay: false,
    deadline: idealDay < triggerDay ? triggerDay : NO_DAY,
    keyHash: emailKeyHash(contactId, campaign.emailType, triggerDay),
    priority: type.priority,
    tieBreaker: instance.id,
    respectsWindows: type.respectExclusionWindows,
    isFollowup: false,
    campaignInstanceId: instance.id,
    emailTemplate: instance.emailTemplate,
    smsTemplate: instance.smsTemplate,
    metadata: null,
    initialEmailId: null,
  };
};

/**
 * Campaign emails of RULES.md §7: the contact's pending/scheduled targets of
 * active instances, and every target-all instance it is not already a target
 * of. A target whose trigger date is malformed is counted, not guessed.
 */
export const campaignProposals = (
  context: SchedulingContext,
  contactId: number,
  targets: readonly CampaignTarget[],
): { proposals: Proposal[]; malformedTriggers: number } => {
  const proposals: Proposal[] = [];
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
    proposals.push(campaignProposal(contactId, campaign, triggerDay));
  }
  for (const campaign of context.targetAllCampaigns) {
    if (targeted?.has(campaign.instance.id) === true) continue;
    proposals.push(campaignProposal(contactId, campaign, campaign.defaultTriggerDay));
  }
  return { proposals, malformedTriggers };
};
