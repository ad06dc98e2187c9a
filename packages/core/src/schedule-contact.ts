import { addAnniversaryEmails } from './candidates/anniversary-emails';
import { addCampaignEmails } from './candidates/campaign-emails';
import { ContactEmails } from './candidates/contact-emails';
import { followupEmails } from './candidates/followup-emails';
import { HistoryIndex } from './candidates/history-index';
import { Placement } from './candidates/placement';
import { addPostWindowEmail } from './candidates/post-window';
import {
  NO_BAD_DATES,
  unusableSummary,
  usableSummary,
  type ContactSummary,
  type UnusableContact,
  type UsableContact,
} from './contact-summary';
import { contactUsability, isBlank, storedStateDisagrees, usableStateOf } from './contacts/contact-usability';
import type { SchedulingContext } from './context';
import { LATEST_ANCHOR_DAY, parseIsoDate } from './dates/epoch-day';
import { CandidateTable } from './finalize/candidate-table';
import { windowEndOf, type Exclusion } from './rules/exclusion';
import type { Config } from './config/config-schema';
import { exclusionFor } from './rules/rule-kinds';
import type { BadDateReason, ContactInputs, ContactRecord, EmailCandidate } from './types';

export type { ContactSummary } from './contact-summary';

/** A contact's summary with the contact's id, and when usable its exclusion and its emails as objects. */
export type ContactOutcome =
  | (UnusableContact & { readonly contactId: number })
  | (UsableContact & {
      readonly contactId: number;
      readonly exclusion: Exclusion | null;
      readonly emails: EmailCandidate[];
    });

const BAD_BIRTH_DATE: readonly BadDateReason[] = ['invalid_birth_date'];
const BAD_EFFECTIVE_DATE: readonly BadDateReason[] = ['invalid_effective_date'];
const BAD_BOTH_DATES: readonly BadDateReason[] = ['invalid_birth_date', 'invalid_effective_date'];
// Not a day number: 1969-12-31 is day −1, and four-digit years stay within ±3 million days.
const BAD = Number.MIN_SAFE_INTEGER;

/** A stored date as a day number, null when blank, BAD when malformed or after `latestDay` (RULES.md §2). */
const readDate = (text: string | null, latestDay: number): number | null => {
  if (text === null || isBlank(text)) return null;
  const day = parseIsoDate(text);
  return day === null || day > latestDay ? BAD : day;
};

/** A day `readDate` read, or null for one the rules do not use (blank or malformed). */
const usableDay = (day: number | null): number | null => (day === BAD ? null : day);

/**
 * The exclusion RULES.md §5 puts on a contact whose ZIP gives `state`, as the scheduler applies it (the
 * dashboard shows it): its state's rule over its dates, a malformed (or future) birth date or a malformed
 * effective date read as none. Null when its state has no rule.
 */
export const contactExclusion = (
  config: Config,
  contact: Pick<ContactRecord, 'birthDate' | 'effectiveDate'>,
  state: string,
  today: number,
): Exclusion | null =>
  exclusionFor(
    config.state_rules[state],
    { state, birthDay: usableDay(readDate(contact.birthDate, today)), effectiveDay: usableDay(readDate(contact.effectiveDate, LATEST_ANCHOR_DAY)) },
    { preWindowExclusionDays: config.timing.pre_window_exclusion_days },
  );

/**
 * Every email one contact should get, before the organization-wide steps of
 * RULES.md §9, appended to the placement's table: candidates (§4, §7, §8),
 * history blocking, catch-up, exclusion windows and post-window emails (§5,
 * §6), and same-day conflicts (§7).
 */
export const scheduleContactInto = (placement: Placement, inputs: ContactInputs): ContactSummary => {
  const { context, out } = placement;
  const { contact, history, targets, behaviour } = inputs;
  const contactId = contact.id;
  const state = usableStateOf(contact, context.zipToState);
  if (state === undefined) return unusableSummary(contactUsability(contact, context.zipToState));

  const { today } = context;
  const birthDay = readDate(contact.birthDate, today);
  const effectiveDay = readDate(contact.effectiveDate, LATEST_ANCHOR_DAY);
  const badDates =
    birthDay === BAD
      ? effectiveDay === BAD
        ? BAD_BOTH_DATES
        : BAD_BIRTH_DATE
      : effectiveDay === BAD
        ? BAD_EFFECTIVE_DATE
        : NO_BAD_DATES;
  const birth = usableDay(birthDay);
  const effective = usableDay(effectiveDay);

  const stateExclusion = context.stateExclusions.get(state);
  const exclusion =
    stateExclusion === undefined ? null : stateExclusion({ state, birthDay: birth, effectiveDay: effective }, context.ruleSettings);
  const index = history.length === 0 ? null : new HistoryIndex(history);
  placement.startContact(contactId, exclusion, index);

  addAnniversaryEmails(placement, contactId, birth, effective);
  const malformedTriggers =
    targets.length > 0 || context.targetAllCampaigns.length > 0 ? addCampaignEmails(placement, contactId, targets) : 0;
  if (index !== null) {
    for (const email of followupEmails(context, contactId, history, index, behaviour)) placement.place(out.add(email), true);
  }
  // A post-window email may itself fall in a later window, which then earns its own.
  for (let i = 0; i < placement.skippingWindowYearCount; i++) {
    const year = placement.skippingWindowYears[i]!;
    addPostWindowEmail(placement, contactId, windowEndOf(exclusion!.window!, year) + 1);
  }
  out.resolveSameDayConflicts();
  out.end(history);

  return usableSummary(state, storedStateDisagrees(contact.state, state), badDates, malformedTriggers);
};

/** Schedules into `table` (a contact after contact), creating no object per email. */
export const contactPlacement = (context: SchedulingContext, table: CandidateTable): Placement =>
  new Placement(context, new ContactEmails(table));

/** `scheduleContactInto`, with the contact's id, exclusion and emails as objects (the last contact scheduled into the placement). */
export const scheduleContactWithEmails = (placement: Placement, inputs: ContactInputs): ContactOutcome => {
  const summary = scheduleContactInto(placement, inputs);
  const contactId = inputs.contact.id;
  return summary.usable
    ? { ...summary, contactId, exclusion: placement.exclusion, emails: placement.out.emails() }
    : { ...summary, contactId };
};

/** One contact on its own: its outcome with its emails as objects. */
export const scheduleContact = (context: SchedulingContext, inputs: ContactInputs): ContactOutcome =>
  scheduleContactWithEmails(contactPlacement(context, new CandidateTable({ contacts: 1, emails: 8 })), inputs);
