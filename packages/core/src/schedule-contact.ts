import { anniversaryEmails } from './candidates/anniversary-emails';
import { campaignEmails } from './candidates/campaign-emails';
import { followupEmails } from './candidates/followup-emails';
import { HistoryIndex } from './candidates/history-index';
import { postWindowEmail } from './candidates/post-window';
import { resolveSameDayConflicts } from './candidates/same-day-conflicts';
import { contactUsability, isBlank } from './contacts/contact-usability';
import type { SchedulingContext } from './context';
import { catchUpDay } from './dates/catch-up';
import { parseIsoDate } from './dates/epoch-day';
import { windowEndOf, windowReason, windowYearContaining, type Exclusion } from './rules/exclusion';
import { exclusionFor } from './rules/rule-kinds';
import type { BadDateReason, ContactInputs, EmailCandidate, UnusableReason } from './types';

export type ContactOutcome =
  | { readonly usable: false; readonly contactId: number; readonly reason: UnusableReason }
  | {
      readonly usable: true;
      readonly contactId: number;
      readonly state: string;
      readonly stateDisagrees: boolean;
      readonly badDates: readonly BadDateReason[];
      readonly malformedTriggers: number;
      readonly exclusion: Exclusion | null;
      readonly emails: EmailCandidate[];
    };

const NO_BAD_DATES: readonly BadDateReason[] = [];
const BAD_BIRTH_DATE: readonly BadDateReason[] = ['invalid_birth_date'];
const BAD_EFFECTIVE_DATE: readonly BadDateReason[] = ['invalid_effective_date'];
const BAD_BOTH_DATES: readonly BadDateReason[] = ['invalid_birth_date', 'invalid_effective_date'];
// Not a day number: 1969-12-31 is day −1, and four-digit years stay within ±3 million days.
const BAD = Number.MIN_SAFE_INTEGER;

/** A stored date as a day number, null when blank, BAD when malformed or after `latestDay`. */
const readDate = (text: string | null, latestDay: number): number | null => {
  if (text === null || isBlank(text)) return null;
  const day = parseIsoDate(text);
  return day === null || day > latestDay ? BAD : day;
};

/** One contact's emails being placed: what `place` needs, without a closure per contact. */
interface Placement {
  readonly context: SchedulingContext;
  readonly exclusion: Exclusion | null;
  readonly index: HistoryIndex | null;
  readonly emails: EmailCandidate[];
  /** Years whose dated window skipped at least one email (each earns a post-window email); null until one does. */
  skippingWindowYears: number[] | null;
}

/**
 * History blocking, catch-up (unless the day is already final) and the
 * exclusion check of one candidate (RULES.md §4, §5, §6).
 */
const place = (placement: Placement, email: EmailCandidate, dayIsFinal: boolean): void => {
  const { context, exclusion, index } = placement;
  if (index !== null) {
    const blocked = email.isFollowup
      ? index.blocksFollowup(email.emailType, email.tieBreaker)
      : email.eventDay !== null && index.blocksEvent(email.emailType, email.eventDay);
    if (blocked) return;
  }
  if (!dayIsFinal) {
    email.day = catchUpDay(
      email.day,
      email.deadline,
      context.today,
      context.config.load_balancing.catch_up_spread_days,
      email.keyHash,
    );
  }
  if (index !== null && index.takes(email.emailType, email.day)) return;
  placement.emails.push(email);
  if (!email.respectsWindows || exclusion === null) return;
  if (email.day >= exclusion.yearRoundFrom) {
    email.status = 'skipped';
    email.skipCode = 'year_round';
    email.skipReason = exclusion.yearRoundReason;
    return;
  }
  if (exclusion.window === null) return;
  const year = windowYearContaining(exclusion.window, email.day);
  if (year === 0) return;
  email.status = 'skipped';
  email.skipCode = 'exclusion_window';
  email.skipReason = windowReason(exclusion, year);
  if (email.isFollowup) return;
  placement.skippingWindowYears ??= [];
  if (!placement.skippingWindowYears.includes(year)) placement.skippingWindowYears.push(year);
};

/**
 * Every email one contact should get, before the organization-wide steps of
 * RULES.md §9: candidates (§4, §7, §8), history blocking, catch-up, exclusion
 * windows and post-window emails (§5, §6), and same-day conflicts (§7).
 */
export const scheduleContact = (context: SchedulingContext, inputs: ContactInputs): ContactOutcome => {
  const { contact, history, targets, behaviour } = inputs;
  const contactId = contact.id;
  const usability = contactUsability(contact, context.zipToState);
  if (!usability.usable) return { usable: false, contactId, reason: usability.reason };

  const { today, config } = context;
  const birthDay = readDate(contact.birthDate, today);
  const effectiveDay = readDate(contact.effectiveDate, Number.MAX_SAFE_INTEGER);
  const badDates =
    birthDay === BAD
      ? effectiveDay === BAD
        ? BAD_BOTH_DATES
        : BAD_BIRTH_DATE
      : effectiveDay === BAD
        ? BAD_EFFECTIVE_DATE
        : NO_BAD_DATES;
  const birth = birthDay === BAD ? null : birthDay;
  const effective = effectiveDay === BAD ? null : effectiveDay;

  const exclusion = exclusionFor(
    config.state_rules[usability.state],
    { state: usability.state, birthDay: birth, effectiveDay: effective },
    { preWindowExclusionDays: config.timing.pre_window_exclusion_days },
  );
  const index = history.length === 0 ? null : new HistoryIndex(history);
  const placement: Placement = { context, exclusion, index, emails: [], skippingWindowYears: null };

  for (const email of anniversaryEmails(context, contactId, birth, effective)) place(placement, email, false);
  let malformedTriggers = 0;
  if (targets.length > 0 || context.targetAllCampaigns.length > 0) {
    const campaigns = campaignEmails(context, contactId, targets);
    for (const email of campaigns.emails) place(placement, email, false);
    malformedTriggers = campaigns.malformedTriggers;
  }
  if (index !== null) {
    for (const email of followupEmails(context, contactId, history, index, behaviour)) place(placement, email, true);
  }
  // A post-window email may itself fall in a later window, which then earns its own.
  for (let i = 0; placement.skippingWindowYears !== null && i < placement.skippingWindowYears.length; i++) {
    const year = placement.skippingWindowYears[i]!;
    place(placement, postWindowEmail(context, contactId, windowEndOf(exclusion!.window!, year) + 1), false);
  }

  return {
    usable: true,
    contactId,
    state: usability.state,
    stateDisagrees: usability.stateDisagrees,
    badDates,
    malformedTriggers,
    exclusion,
    emails: resolveSameDayConflicts(placement.emails),
  };
};
