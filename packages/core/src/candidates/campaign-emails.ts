import type { ActiveCampaign } from '../context';
import { NO_DAY, parseIsoDate } from '../dates/epoch-day';
import { contactKeyPrefix, emailKeyHashAfter } from '../hash/fnv1a';
import type { CampaignTarget } from '../types';
import type { Placement } from './placement';

const TARGET_STATUSES = new Set(['pending', 'scheduled']);
const BLANK = /^\s*$/;

const addCampaignEmail = (placement: Placement, keyPrefix: number, campaign: ActiveCampaign, triggerDay: number): void => {
  const idealDay = triggerDay - campaign.type.daysBeforeEvent;
  const e = placement.out.addOfKind(
    campaign.kind,
    triggerDay,
    idealDay,
    idealDay < triggerDay ? triggerDay : NO_DAY,
    emailKeyHashAfter(keyPrefix, campaign.kind.keyBytes, triggerDay),
  );
  placement.place(e, false);
};

/**
 * Campaign emails of RULES.md §7, each placed as it is added: the contact's
 * pending/scheduled targets of active instances, and every target-all
 * instance it is not already a target of. A target whose trigger date is
 * malformed is counted (the return value), not guessed.
 */
export const addCampaignEmails = (placement: Placement, contactId: number, targets: readonly CampaignTarget[]): number => {
  const { context } = placement;
  const keyPrefix = contactKeyPrefix(contactId);
  let malformedTriggers = 0;
  let targeted: Set<number> | null = null;
  for (const target of targets) {
    // RULES.md §7: only `pending` or `scheduled` rows target; a NULL status is neither (as in SQL's IN).
    if (target.status === null || !TARGET_STATUSES.has(target.status)) continue;
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
    addCampaignEmail(placement, keyPrefix, campaign, triggerDay);
  }
  for (const campaign of context.targetAllCampaigns) {
    if (targeted?.has(campaign.instance.id) === true) continue;
    addCampaignEmail(placement, keyPrefix, campaign, campaign.defaultTriggerDay);
  }
  return malformedTriggers;
};
