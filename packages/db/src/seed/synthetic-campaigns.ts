import { formatIsoDate } from '@scheduler/core';
import type { SeededRandom } from './seeded-random';

export interface CampaignTypeRow {
  readonly name: string;
  readonly respectExclusionWindows: number;
  readonly enableFollowups: number;
  readonly daysBeforeEvent: number;
  readonly targetAllContacts: number;
  readonly priority: number;
  readonly active: number;
}

/** Campaign types covering every switch: windows respected or not, follow-ups on or off, target-all, inactive. */
export const CAMPAIGN_TYPES: readonly CampaignTypeRow[] = [
  { name: 'spring_promo', respectExclusionWindows: 1, enableFollowups: 1, daysBeforeEvent: 7, targetAllContacts: 0, priority: 15, active: 1 },
  { name: 'annual_review', respectExclusionWindows: 0, enableFollowups: 0, daysBeforeEvent: 0, targetAllContacts: 0, priority: 25, active: 1 },
  { name: 'newsletter', respectExclusionWindows: 1, enableFollowups: 0, daysBeforeEvent: 0, targetAllContacts: 1, priority: 60, active: 1 },
  { name: 'rate_increase', respectExclusionWindows: 0, enableFollowups: 1, daysBeforeEvent: 14, targetAllContacts: 0, priority: 5, active: 1 },
  { name: 'legacy_promo', respectExclusionWindows: 1, enableFollowups: 1, daysBeforeEvent: 0, targetAllContacts: 0, priority: 30, active: 0 },
];

export interface CampaignInstanceRow {
  readonly id: number;
  readonly campaignType: string;
  readonly instanceName: string;
  readonly emailTemplate: string;
  readonly smsTemplate: string | null;
  readonly activeStartDate: string | null;
  readonly activeEndDate: string | null;
  readonly metadata: string | null;
}

/** Instance ids that targets point at. */
const SPRING_PROMO = 1;
const ANNUAL_REVIEW_EXPIRED = 2;
const RATE_INCREASE = 4;

/** Active, expired, future and open-ended instances, dated around `asOfDay`. */
export const campaignInstances = (asOfDay: number): CampaignInstanceRow[] => [
  {
    id: SPRING_PROMO,
    campaignType: 'spring_promo',
    instanceName: 'spring_promo_current',
    emailTemplate: 'spring_promo_email_v2',
    smsTemplate: 'spring_promo_sms_v1',
    activeStartDate: formatIsoDate(asOfDay - 10),
    activeEndDate: formatIsoDate(asOfDay + 60),
    metadata: JSON.stringify({ followup_email_template: 'spring_promo_followup_v1', followup_sms_template: null }),
  },
  {
    id: ANNUAL_REVIEW_EXPIRED,
    campaignType: 'annual_review',
    instanceName: 'annual_review_last_quarter',
    emailTemplate: 'annual_review_v1',
    smsTemplate: null,
    activeStartDate: formatIsoDate(asOfDay - 120),
    activeEndDate: formatIsoDate(asOfDay - 30),
    metadata: null,
  },
  {
    id: 3,
    campaignType: 'newsletter',
    instanceName: 'newsletter_monthly',
    emailTemplate: 'newsletter_v7',
    smsTemplate: null,
    activeStartDate: formatIsoDate(asOfDay + 5),
    activeEndDate: null,
    metadata: '{}',
  },
  {
    id: RATE_INCREASE,
    campaignType: 'rate_increase',
    instanceName: 'rate_increase_open',
    emailTemplate: 'rate_increase_v1',
    smsTemplate: 'rate_increase_sms_v1',
    activeStartDate: null,
    activeEndDate: null,
    metadata: JSON.stringify({ followup_email_template: 'rate_increase_followup_v1' }),
  },
  {
    id: 5,
    campaignType: 'spring_promo',
    instanceName: 'spring_promo_next_year',
    emailTemplate: 'spring_promo_email_v3',
    smsTemplate: null,
    activeStartDate: formatIsoDate(asOfDay + 300),
    activeEndDate: formatIsoDate(asOfDay + 360),
    metadata: null,
  },
  {
    id: 6,
    campaignType: 'legacy_promo',
    instanceName: 'legacy_promo_2019',
    emailTemplate: 'legacy_v1',
    smsTemplate: null,
    activeStartDate: '2019-01-01',
    activeEndDate: '2019-12-31',
    metadata: null,
  },
];

/** `campaign_change_log` rows: some pending (one for an instance that no longer exists), some not. */
export const campaignChanges = (asOfDay: number) => [
  { campaignInstanceId: SPRING_PROMO, fieldChanged: 'active_end_date', oldValue: formatIsoDate(asOfDay + 45), newValue: formatIsoDate(asOfDay + 60), requiresRescheduling: 1, processedAt: null },
  { campaignInstanceId: RATE_INCREASE, fieldChanged: 'email_template', oldValue: 'rate_increase_v0', newValue: 'rate_increase_v1', requiresRescheduling: 1, processedAt: null },
  { campaignInstanceId: 99, fieldChanged: 'active_start_date', oldValue: null, newValue: formatIsoDate(asOfDay), requiresRescheduling: 1, processedAt: null },
  { campaignInstanceId: ANNUAL_REVIEW_EXPIRED, fieldChanged: 'instance_name', oldValue: 'q3', newValue: 'annual_review_last_quarter', requiresRescheduling: 0, processedAt: null },
  { campaignInstanceId: SPRING_PROMO, fieldChanged: 'active_start_date', oldValue: formatIsoDate(asOfDay - 20), newValue: formatIsoDate(asOfDay - 10), requiresRescheduling: 1, processedAt: `${formatIsoDate(asOfDay - 9)} 06:00:00` },
].map((change, i) => ({ ...change, changedAt: `${formatIsoDate(asOfDay - 12 + i)} 15:00:00`, changedBy: 'ops@example.com' }));

/** A `contact_campaigns` row in column order: contact_id, campaign_instance_id, trigger_date, status. */
export type TargetRow = [number, number, string | null, string];

const STATUSES = ['pending', 'pending', 'pending', 'pending', 'scheduled', 'completed', 'cancelled'];

/** A few percent of contacts are targets, some with no trigger date. */
const NO_TARGETS: readonly TargetRow[] = [];

export const targetsOf = (random: SeededRandom, contactId: number, asOfDay: number): readonly TargetRow[] => {
  const spring = random.chance(0.04);
  const review = random.chance(0.015);
  const increase = random.chance(0.01);
  if (!spring && !review && !increase) return NO_TARGETS;
  const targets: TargetRow[] = [];
  if (spring) {
    targets.push([contactId, SPRING_PROMO, random.chance(0.2) ? null : formatIsoDate(asOfDay + random.int(-5, 45)), random.pick(STATUSES)]);
  }
  if (review) {
    targets.push([contactId, ANNUAL_REVIEW_EXPIRED, formatIsoDate(asOfDay - random.int(30, 90)), 'pending']);
  }
  if (increase) {
    targets.push([contactId, RATE_INCREASE, random.chance(0.5) ? null : formatIsoDate(asOfDay + random.int(0, 90)), 'pending']);
  }
  return targets;
};
