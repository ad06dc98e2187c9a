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

interface TemplatePair {
  readonly email: string;
  readonly sms: string | null;
}

/** Follow-up template overrides from a campaign instance's metadata. */
interface FollowupTemplateOverride {
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

type AnniversaryType = 'birthday' | 'effective_date' | 'aep' | 'post_window';

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

/** The follow-up templates an instance's metadata names; 'unreadable' when the metadata is no JSON object. */
const followupOverrideOf = (metadata: string | null): FollowupTemplateOverride | null | 'unreadable' => {
  if (metadata === null || metadata === '') return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(metadata);
  } catch {
    return 'unreadable';
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return 'unreadable';
  const record = parsed as Record<string, unknown>;
  const email = typeof record.followup_email_template === 'string' ? record.followup_email_template : null;
  const sms = typeof record.followup_sms_template === 'string' ? record.followup_sms_template : null;
  return email === null && sms === null ? null : { email, sms };
};

/** The priorities an email's can be (its column in the candidate table is 32-bit). */
const LOWEST_PRIORITY = 2 ** 31 - 1;
const HIGHEST_PRIORITY = -(2 ** 31);
/** CONTRACT.md's default of `campaign_types.priority`. */
const DEFAULT_CAMPAIGN_PRIORITY = 10;

/**
 * A campaign type's priority as the rules can order it: an integer beyond 32 bits is held at the nearest
 * bound (it keeps its place in the order); anything else that is no integer (text a spreadsheet left) takes
 * the contract's default. Either way with a warning.
 */
const usablePriority = (type: CampaignType, warnings: string[]): CampaignType => {
  const stored: unknown = type.priority;
  if (typeof stored === 'number' && Number.isInteger(stored) && stored >= HIGHEST_PRIORITY && stored <= LOWEST_PRIORITY) return type;
  if (typeof stored === 'number' && Number.isInteger(stored)) {
    const priority = stored > 0 ? LOWEST_PRIORITY : HIGHEST_PRIORITY;
    warnings.push(`campaign type ${type.name} has priority ${stored}, beyond 32 bits: its emails take priority ${priority}`);
    return { ...type, priority };
  }
  warnings.push(`campaign type ${type.name} has priority ${JSON.stringify(stored)}, which is no integer: its emails take the default priority ${DEFAULT_CAMPAIGN_PRIORITY}`);
  return { ...type, priority: DEFAULT_CAMPAIGN_PRIORITY };
};

/** The farthest from its event a campaign email is dated, as the configuration's day counts (`timing`). */
const MAX_DAYS_BEFORE_EVENT = 3650;

/**
 * Whether a campaign type's `days_before_event` can date its emails: a whole number of days within ±10 years.
 * Other values (text a spreadsheet left, a fraction, a typing slip of many digits) would date its emails anywhere,
 * or in years no date can hold: its instances are then inactive, with a warning, as with a malformed active date.
 */
const hasUsableDaysBeforeEvent = (type: CampaignType, warnings: string[]): boolean => {
  const stored: unknown = type.daysBeforeEvent;
  if (typeof stored === 'number' && Number.isInteger(stored) && Math.abs(stored) <= MAX_DAYS_BEFORE_EVENT) return true;
  warnings.push(
    `campaign type ${type.name} has days_before_event ${JSON.stringify(stored)}, which is no whole number of days ` +
      `from -${MAX_DAYS_BEFORE_EVENT} to ${MAX_DAYS_BEFORE_EVENT}: its instances are treated as inactive`,
  );
  return false;
};

/** The warnings name campaign types and instances that cannot be used as stored. */
export const createSchedulingContext = (
  input: SchedulingContextInput,
): { context: SchedulingContext; warnings: string[] } => {
  const { today, config } = input;
  const warnings: string[] = [];
  const campaignTypes = new Map(input.campaignTypes.map((type) => [type.name, usablePriority(type, warnings)]));
  const undatableTypes = new Set(input.campaignTypes.filter((type) => !hasUsableDaysBeforeEvent(type, warnings)).map((type) => type.name));
  for (const type of input.campaignTypes) {
    for (const { column, stored, readAs } of type.unreadableFlags ?? []) {
      warnings.push(
        `campaign type ${type.name} has ${column} ${stored}, which reads neither true nor false: it is read as ${readAs}, ` +
          'the reading that never widens who gets email',
      );
    }
  }
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
    if (override === 'unreadable') {
      warnings.push(`campaign instance ${instance.id} has metadata that is no JSON object: its follow-ups take the default templates`);
    } else if (override !== null) {
      followupOverrides.set(instance.id, override);
    }
    const type = campaignTypes.get(instance.campaignType);
    if (type === undefined) {
      warnings.push(`campaign instance ${instance.id} names unknown campaign type ${instance.campaignType}`);
      continue;
    }
    if (undatableTypes.has(type.name)) continue;
    const start = parseIsoDate(instance.activeStartDate);
    const end = parseIsoDate(instance.activeEndDate);
    if ((instance.activeStartDate !== null && start === null) || (instance.activeEndDate !== null && end === null)) {
      warnings.push(`campaign instance ${instance.id} has a malformed active date; it is treated as inactive`);
      continue;
    }
    if (start !== null && end !== null && end < start) {
      warnings.push(`campaign instance ${instance.id} is active from ${instance.activeStartDate} to ${instance.activeEndDate}, which ends before it starts: it is never active`);
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
