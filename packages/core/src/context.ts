import type { Config } from './config/config-schema';
import type { ZipLookup } from './contacts/contact-usability';
import { anniversaryOf } from './dates/anniversary';
import { parseIsoDate, yearOf } from './dates/epoch-day';
import { typeKeyBytes } from './hash/fnv1a';
import type { RuleSettings } from './rules/kinds/rule-kind';
import { StateExclusions } from './rules/rule-kinds';
import type { CampaignInstance, CampaignType } from './types';

/**
 * What every email of one anniversary type, or of one campaign instance,
 * shares: resolved once per run, so that an email is written as numbers.
 */
export interface EmailKind {
  /** Dense within a context: tables cache what they derive from a kind by it. */
  readonly id: number;
  readonly emailType: string;
  /** `typeKeyBytes(emailType)`. */
  readonly keyBytes: readonly number[];
  readonly priority: number;
  readonly emailTemplate: string | null;
  readonly smsTemplate: string | null;
  readonly respectsWindows: boolean;
  readonly campaignInstanceId: number | null;
}

/** An active campaign instance with what its emails need, resolved once per run. */
export interface ActiveCampaign {
  readonly instance: CampaignInstance;
  readonly type: CampaignType;
  readonly kind: EmailKind;
  /** Trigger day of targets without one: `active_start_date`, or today. */
  readonly defaultTriggerDay: number;
}

export interface TemplatePair {
  readonly email: string;
  readonly sms: string | null;
}

/** Follow-up template overrides from a campaign instance's metadata. */
export interface FollowupTemplateOverride {
  readonly email: string | null;
  readonly sms: string | null;
}

/** Everything organization-wide the per-contact rules read, computed once per run. */
export interface SchedulingContext {
  readonly today: number;
  readonly config: Config;
  readonly zipToState: ZipLookup;
  /** Event days of the AEP emails, ascending, without duplicates. */
  readonly aepDays: readonly number[];
  readonly campaignTypes: ReadonlyMap<string, CampaignType>;
  readonly activeCampaigns: ReadonlyMap<number, ActiveCampaign>;
  readonly targetAllCampaigns: readonly ActiveCampaign[];
  readonly followupOverrides: ReadonlyMap<number, FollowupTemplateOverride>;
  readonly templateOf: (emailType: string) => TemplatePair;
  /** The anniversary types' kinds: priority and templates looked up once per run rather than per email. */
  readonly anniversaryKinds: Readonly<Record<AnniversaryType, EmailKind>>;
  /** `config.state_rules` by state, kinds resolved. */
  readonly stateExclusions: StateExclusions;
  readonly ruleSettings: RuleSettings;
}

export type AnniversaryType = 'birthday' | 'effective_date' | 'aep' | 'post_window';

export interface SchedulingContextInput {
  readonly today: number;
  readonly config: Config;
  readonly zipToState: ZipLookup;
  readonly campaignTypes: readonly CampaignType[];
  readonly campaignInstances: readonly CampaignInstance[];
}

const aepEventDays = (config: Config, today: number): number[] => {
  const todayYear = yearOf(today);
  const days = new Set<number>();
  for (const { month, day } of config.aep.dates) {
    const thisYear = anniversaryOf(month, day, todayYear);
    const event = thisYear >= today ? thisYear : anniversaryOf(month, day, todayYear + 1);
    if (config.aep.years === null || config.aep.years.includes(yearOf(event))) days.add(event);
  }
  return [...days].sort((a, b) => a - b);
};

const followupOverrideOf = (metadata: string | null): FollowupTemplateOverride | null => {
  if (metadata === null) return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(metadata);
  } catch {
    return null;
  }
  if (typeof parsed !== 'object' || parsed === null) return null;
  const record = parsed as Record<string, unknown>;
  const email = typeof record.followup_email_template === 'string' ? record.followup_email_template : null;
  const sms = typeof record.followup_sms_template === 'string' ? record.followup_sms_template : null;
  return email === null && sms === null ? null : { email, sms };
};

/** The warnings name campaign instances that cannot be used as stored. */
export const createSchedulingContext = (
  input: SchedulingContextInput,
): { context: SchedulingContext; warnings: string[] } => {
  const { today, config } = input;
  const warnings: string[] = [];
  const campaignTypes = new Map(input.campaignTypes.map((type) => [type.name, type]));
  let kindCount = 0;
  const kindOf = (
    emailType: string,
    priority: number,
    emailTemplate: string | null,
    smsTemplate: string | null,
    { respectsWindows, campaignInstanceId }: { respectsWindows: boolean; campaignInstanceId: number | null },
  ): EmailKind => ({
    id: kindCount++,
    emailType,
    keyBytes: typeKeyBytes(emailType),
    priority,
    emailTemplate,
    smsTemplate,
    respectsWindows,
    campaignInstanceId,
  });
  const activeCampaigns = new Map<number, ActiveCampaign>();
  const followupOverrides = new Map<number, FollowupTemplateOverride>();

  for (const instance of input.campaignInstances) {
    const override = followupOverrideOf(instance.metadata);
    if (override !== null) followupOverrides.set(instance.id, override);
    const type = campaignTypes.get(instance.campaignType);
    if (type === undefined) {
      warnings.push(`campaign instance ${instance.id} names unknown campaign type ${instance.campaignType}`);
      continue;
    }
    const start = parseIsoDate(instance.activeStartDate);
    const end = parseIsoDate(instance.activeEndDate);
    if ((instance.activeStartDate !== null && start === null) || (instance.activeEndDate !== null && end === null)) {
      warnings.push(`campaign instance ${instance.id} has a malformed active date; it is treated as inactive`);
      continue;
    }
    const active = type.active && (start === null || start <= today) && (end === null || today <= end);
    if (!active) continue;
    activeCampaigns.set(instance.id, {
      instance,
      type,
      kind: kindOf(`campaign_${type.name}`, type.priority, instance.emailTemplate, instance.smsTemplate, {
        respectsWindows: type.respectExclusionWindows,
        campaignInstanceId: instance.id,
      }),
      defaultTriggerDay: start ?? today,
    });
  }

  const templates = new Map<string, TemplatePair>();
  const templateOf = (emailType: string): TemplatePair => {
    let pair = templates.get(emailType);
    if (pair === undefined) {
      const configured = (config.templates as Record<string, { email?: string; sms?: string | null } | undefined>)[emailType];
      pair = { email: configured?.email ?? emailType, sms: configured?.sms ?? null };
      templates.set(emailType, pair);
    }
    return pair;
  };

  const anniversaryKindOf = (type: AnniversaryType): EmailKind => {
    const templates = templateOf(type);
    return kindOf(type, config.priorities[type], templates.email, templates.sms, { respectsWindows: true, campaignInstanceId: null });
  };
  return {
    context: {
      anniversaryKinds: {
        birthday: anniversaryKindOf('birthday'),
        effective_date: anniversaryKindOf('effective_date'),
        aep: anniversaryKindOf('aep'),
        post_window: anniversaryKindOf('post_window'),
      },
      today,
      config,
      zipToState: input.zipToState,
      aepDays: aepEventDays(config, today),
      campaignTypes,
      activeCampaigns,
      targetAllCampaigns: [...activeCampaigns.values()]
        .filter((campaign) => campaign.type.targetAllContacts)
        .sort((a, b) => a.instance.id - b.instance.id),
      followupOverrides,
      templateOf,
      stateExclusions: new StateExclusions(config.state_rules),
      ruleSettings: { preWindowExclusionDays: config.timing.pre_window_exclusion_days },
    },
    warnings,
  };
};
