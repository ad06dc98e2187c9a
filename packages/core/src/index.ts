export * from './types';
export { ConfigSchema, defaultConfig, parseConfig, type Config, type ConfigInput } from './config/config-schema';
export { ConfigError } from './config/config-error';
export { DEFAULT_STATE_RULES } from './config/default-state-rules';
export { StateRuleSchema, RULE_KINDS, exclusionFor, type StateRule } from './rules/rule-kinds';
export type { RuleKind, RuleSubject, RuleSettings } from './rules/kinds/rule-kind';
export {
  ALWAYS,
  exclusionReason,
  isExcluded,
  windowEndOf,
  windowStartOf,
  windowYearContaining,
  type Exclusion,
  type ExclusionWindow,
} from './rules/exclusion';
export * from './dates/epoch-day';
export { anniversaryOf, nextAnniversary } from './dates/anniversary';
export { catchUpDay } from './dates/catch-up';
export { fnv1a, emailKeyHash, followupKeyHash } from './hash/fnv1a';
export { contactUsability, zip5Of, type ZipLookup, type Usability } from './contacts/contact-usability';
export {
  createSchedulingContext,
  type SchedulingContext,
  type SchedulingContextInput,
  type ActiveCampaign,
} from './context';
export {
  contactExclusion,
  contactPlacement,
  scheduleContact,
  scheduleContactInto,
  scheduleContactWithEmails,
  type ContactOutcome,
  type ContactSummary,
} from './schedule-contact';
export type { Placement } from './candidates/placement';
export { followupTypeOf, type FollowupType } from './candidates/followup-emails';
export {
  CandidateTable,
  STATUS_PRE_SCHEDULED,
  STATUS_SKIPPED,
  FLAG_FOLLOWUP,
  FLAG_RESPECTS_WINDOWS,
  NO_TEXT,
} from './finalize/candidate-table';
export type { ExistingDayCount, ExistingDayCounts } from './finalize/day-counts';
export {
  finalizeRun,
  dailyCapOf,
  dailyCapThresholdOf,
  type FinalizeInput,
  type FinalizeResult,
} from './finalize/finalize-run';
export { InvariantViolation, assertScheduleInvariants } from './finalize/invariants';
export { isExcludedAt, MoveRules } from './finalize/move-rules';
export {
  scheduleOrganization,
  type ScheduledEmail,
  type OrganizationSchedule,
} from './schedule-organization';
export { dayInZone, UtcDatetimeToDay } from './time/zone-days';
