/**
 * The plain data the rules read and write. Adapters (SQLite, queue) turn rows
 * into these; nothing here knows where they came from.
 */

/** A `contacts` row as stored: every field may be missing or malformed. */
export interface ContactRecord {
  readonly id: number;
  readonly email: string | null;
  readonly zipCode: string | null;
  readonly state: string | null;
  readonly birthDate: string | null;
  readonly effectiveDate: string | null;
}

/** Statuses the sending service owns; the scheduler never writes them. */
export const SENDER_STATUSES = ['scheduled', 'processing', 'sent', 'delivered', 'failed'] as const;
export type SenderStatus = (typeof SENDER_STATUSES)[number];
/**
 * A history row's status: one the contract names, or `other` for any status it does not (a sender's own
 * word, or a spelling such as `Sent`). RULES.md §4 blocks on "a status other than pre-scheduled or
 * skipped", so such a row blocks its key and its day like any sender row; it counts toward nothing that
 * names its statuses (follow-up initial emails, the frequency cap, day counts).
 */
export type HistoryStatus = SenderStatus | 'other';
export type SchedulerStatus = 'pre-scheduled' | 'skipped';

/**
 * An `email_schedules` row the sender has touched (status outside
 * pre-scheduled/skipped). Dates are CT day numbers, converted at the edge.
 */
export interface HistoryEmail {
  readonly id: number;
  readonly emailType: string;
  readonly status: HistoryStatus;
  /** `scheduled_send_date`; `NO_DAY` when it is not a date (the row still blocks its key). */
  readonly scheduledDay: number;
  /** CT date of `actual_send_datetime`, else `scheduled_send_date`. */
  readonly sentDay: number;
  /** From event_year/month/day, when all three are present and valid. */
  readonly eventDay: number | null;
  readonly campaignInstanceId: number | null;
  /** A follow-up's `metadata.initial_email_id`. */
  readonly initialEmailId: number | null;
}

/** A `contact_campaigns` row. */
export interface CampaignTarget {
  readonly campaignInstanceId: number;
  readonly triggerDate: string | null;
  readonly status: string | null;
}

export type BehaviourKind = 'click' | 'answered_no_conditions' | 'answered_with_conditions';

/** A click or an eligibility answer, on its CT day. */
export interface Behaviour {
  readonly kind: BehaviourKind;
  readonly day: number;
}

/** Everything about one contact that its schedule depends on. */
export interface ContactInputs {
  readonly contact: ContactRecord;
  readonly history: readonly HistoryEmail[];
  readonly targets: readonly CampaignTarget[];
  readonly behaviour: readonly Behaviour[];
}

export interface CampaignType {
  readonly name: string;
  readonly respectExclusionWindows: boolean;
  readonly enableFollowups: boolean;
  readonly daysBeforeEvent: number;
  readonly targetAllContacts: boolean;
  readonly priority: number;
  readonly active: boolean;
  /** Flags stored as neither a number nor a spelling of true or false, and the safe reading each took instead. */
  readonly unreadableFlags?: readonly { readonly column: string; readonly stored: string; readonly readAs: boolean }[];
}

export interface CampaignInstance {
  readonly id: number;
  readonly campaignType: string;
  readonly instanceName: string;
  readonly emailTemplate: string | null;
  readonly smsTemplate: string | null;
  readonly activeStartDate: string | null;
  readonly activeEndDate: string | null;
  /** The JSON text of `metadata`. */
  readonly metadata: string | null;
}

export const UNUSABLE_REASONS = ['missing_email', 'invalid_email', 'missing_zip', 'unknown_zip'] as const;
export type UnusableReason = (typeof UNUSABLE_REASONS)[number];

export const BAD_DATE_REASONS = ['invalid_birth_date', 'invalid_effective_date'] as const;
export type BadDateReason = (typeof BAD_DATE_REASONS)[number];

export const SKIP_CODES = ['exclusion_window', 'year_round', 'frequency_cap', 'campaign_conflict'] as const;
export type SkipCode = (typeof SKIP_CODES)[number];

/** One email the run proposes for a contact: a future `email_schedules` row. */
export interface EmailCandidate {
  readonly emailType: string;
  /** The event date E (RULES.md §4); a follow-up carries its initial email's. */
  readonly eventDay: number | null;
  /** The send day, after catch-up; balancing may move it. */
  day: number;
  /** Latest allowed send day, `NO_DAY` when none. */
  readonly deadline: number;
  status: SchedulerStatus;
  skipCode: SkipCode | null;
  skipReason: string | null;
  readonly priority: number;
  /** hash(key) of RULES.md §1. */
  readonly keyHash: number;
  /** Campaign instance id for campaigns, initial email id for follow-ups: the conflict tie-breaker. */
  readonly tieBreaker: number;
  readonly respectsWindows: boolean;
  readonly isFollowup: boolean;
  readonly campaignInstanceId: number | null;
  readonly emailTemplate: string | null;
  readonly smsTemplate: string | null;
  /** JSON text. */
  readonly metadata: string | null;
}
