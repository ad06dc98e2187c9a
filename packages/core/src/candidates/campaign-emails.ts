import type { ActiveCampaign } from '../context';
import { isBlank } from '../contacts/contact-usability';
import { LATEST_ANCHOR_DAY, NO_DAY, parseIsoDate } from '../dates/epoch-day';
import { contactKeyPrefix, emailKeyHashBitsAfter } from '../hash/fnv1a';
import type { CampaignTarget } from '../types';
import type { Placement } from './placement';

/** RULES.md §7: only `pending` or `scheduled` rows target; a NULL status is neither (as in SQL's IN). */
const isTargeting = (target: CampaignTarget): boolean => target.status === 'pending' || target.status === 'scheduled';

/** The contact is a target of the instance (a row that targets, whatever its trigger date). */
const targetsInstance = (targets: readonly CampaignTarget[], instanceId: number): boolean => {
  for (let i = 0; i < targets.length; i++) {
    if (targets[i]!.campaignInstanceId === instanceId && isTargeting(targets[i]!)) return true;
  }
  return false;
};

const addCampaignEmail = (placement: Placement, keyPrefix: number, campaign: ActiveCampaign, triggerDay: number): void => {
  const idealDay = triggerDay - campaign.type.daysBeforeEvent;
  const e = placement.out.addOfKind(
    campaign.kind,
    triggerDay,
    idealDay,
    idealDay < triggerDay ? triggerDay : NO_DAY,
    emailKeyHashBitsAfter(keyPrefix, campaign.kind.keyBytes, triggerDay),
  );
  placement.place(e, false);
};

/**
 * Campaign emails of RULES.md §7, each placed as it is added: the contact's
 * pending/scheduled targets of active instances, and every target-all
 * instance it is not already a target of. A target whose trigger date is
 * malformed, or past the latest anchor day, is counted (the return value), not guessed.
 */
export const addCampaignEmails = (placement: Placement, contactId: number, targets: readonly CampaignTarget[]): number => {
  const { context } = placement;
  const keyPrefix = contactKeyPrefix(contactId);
  let malformedTriggers = 0;
  // Indexed loops on the per-contact path: an unoptimized for…of allocates an iterator.
  for (let i = 0; i < targets.length; i++) {
    const target = targets[i]!;
    if (!isTargeting(target)) continue;
    const campaign = context.activeCampaigns.get(target.campaignInstanceId);
    if (campaign === undefined) continue;
    const triggerDay =
      target.triggerDate === null || isBlank(target.triggerDate)
        ? campaign.defaultTriggerDay
        : parseIsoDate(target.triggerDate);
    if (triggerDay === null || triggerDay > LATEST_ANCHOR_DAY) {
      malformedTriggers++;
      continue;
    }
    addCampaignEmail(placement, keyPrefix, campaign, triggerDay);
  }
  const { targetAllCampaigns } = context;
  for (let i = 0; i < targetAllCampaigns.length; i++) {
    const campaign = targetAllCampaigns[i]!;
    // Its targets were scheduled above (a target-all instance is active). A
    // contact has a handful of targets: a scan costs less than building a Set.
    if (targetsInstance(targets, campaign.instance.id)) continue;
    addCampaignEmail(placement, keyPrefix, campaign, campaign.defaultTriggerDay);
  }
  return malformedTriggers;
};
